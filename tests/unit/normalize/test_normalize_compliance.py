"""Trigger leads need a permissible purpose from the configured day on."""

from __future__ import annotations

import datetime as dt

import pytest

from pipeline.core.lead import Lead, LeadKind
from pipeline.normalize import DEFAULT_CONFIG, NormalizeConfig, compliance_hold_reason

WITHOUT_PURPOSE = NormalizeConfig()
WITH_PURPOSE = NormalizeConfig(permissible_purpose="written instructions of the consumer")


def _lead(kind: LeadKind = "trigger", trigger_date: str | None = "2026-03-04") -> Lead:
    return Lead(source="transunion", lead_kind=kind, first_name="Mary", trigger_date=trigger_date)


def test_default_rule_starts_on_2026_03_04() -> None:
    assert DEFAULT_CONFIG.trigger_consent_from == dt.date(2026, 3, 4)


@pytest.mark.parametrize("day", ["2026-03-04", "2026-03-05", "2027-01-01"])
def test_trigger_lead_on_or_after_the_day_is_held_without_a_permissible_purpose(day: str) -> None:
    reason = compliance_hold_reason(_lead(trigger_date=day), config=WITHOUT_PURPOSE)
    assert reason is not None
    assert day in reason
    assert "permissible purpose" in reason


def test_trigger_lead_before_the_day_may_be_used() -> None:
    assert compliance_hold_reason(_lead(trigger_date="2026-03-03"), config=WITHOUT_PURPOSE) is None


def test_tenant_with_a_permissible_purpose_may_use_trigger_leads() -> None:
    assert compliance_hold_reason(_lead(), config=WITH_PURPOSE) is None


def test_blank_permissible_purpose_counts_as_none() -> None:
    config = NormalizeConfig(permissible_purpose="   ")
    assert compliance_hold_reason(_lead(), config=config) is not None


@pytest.mark.parametrize("kind", ["prescreen", "web", "aggregator", "unknown"])
def test_other_lead_kinds_are_never_held(kind: LeadKind) -> None:
    assert compliance_hold_reason(_lead(kind=kind), config=WITHOUT_PURPOSE) is None


@pytest.mark.parametrize("day", [None, "not a date", "03/05/2026"])
def test_trigger_lead_without_a_readable_date_is_held(day: str | None) -> None:
    reason = compliance_hold_reason(_lead(trigger_date=day), config=WITHOUT_PURPOSE)
    assert reason is not None
    assert "no trigger date" in reason


def test_the_day_is_configurable() -> None:
    later = NormalizeConfig(trigger_consent_from=dt.date(2026, 6, 1))
    assert compliance_hold_reason(_lead(trigger_date="2026-05-31"), config=later) is None
    assert compliance_hold_reason(_lead(trigger_date="2026-06-01"), config=later) is not None
