"""Golden bodies: one hand-written lead per vendor -> the exact JSON Bonzo receives.

A change to the mapping shows up here as a diff of the body a loan officer's CRM gets.
After an intended change, rewrite the files with ``LEADGATE_UPDATE_GOLDEN=1`` and review
the diff like code.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from pipeline.core.lead import Lead
from pipeline.delivery.payload import build_payload
from pipeline.delivery.schemas import PayloadMapping

GOLDEN_DIR = Path(__file__).parent

LEADS: dict[str, tuple[str, Lead]] = {
    "experian": (
        "lg-0b7e2c9a-experian",
        Lead(
            source="experian",
            source_record_id="EXP-20260309-000123",
            lead_kind="trigger",
            first_name="Mary",
            last_name="O'Neill",
            phone="5555550123",
            alt_phones=["5555550188"],
            address="1402 Maple Ave",
            city="Columbus",
            state="OH",
            zip="43215",
            credit_score=742,
            property_value=415000.0,
            loan_balance=301250.0,
            current_rate=7.76,
            monthly_payment=2161.38,
            ltv=72.59,
            has_second_mortgage=False,
            loan_type="Conventional",
            mortgage_open_date="2023-08-01",
            trigger_date="2026-03-09",
            extra={"Model Score": "812", "Inquiry Type": "Mortgage"},
        ),
    ),
    "transunion": (
        "lg-4c1d77e0-transunion",
        Lead(
            source="transunion",
            source_record_id="TU-8841-0042",
            lead_kind="prescreen",
            first_name="Darnell",
            last_name="Whitfield",
            email="darnell.whitfield@example.com",
            phone="5555550147",
            address="77 Harbor Rd Apt 4",
            city="Norfolk",
            state="VA",
            zip="23510",
            credit_score=720,
            credit_grade="EXCELLENT",
            property_value=289000.0,
            loan_balance=198400.0,
            current_rate=6.125,
            second_balance=22500.0,
            second_rate=9.5,
            has_second_mortgage=True,
            va_eligible=True,
            loan_type="VA",
            property_use="Primary",
        ),
    ),
    "leadsource": (
        "lg-9a03f511-leadsource",
        Lead(
            source="leadsource",
            source_record_id="LS-99120",
            lead_kind="aggregator",
            first_name="Priya",
            last_name="Raman",
            email="priya.raman@example.com",
            phone="5555550161",
            city="Austin",
            state="TX",
            zip="78701",
            credit_grade="GOOD",
            credit_score=680,
            property_value=525000.0,
            down_payment=105000.0,
            bid_loan_value=420000.0,
            found_home=True,
            cash_out=False,
            loan_purpose="Purchase",
            property_type="Condominium",
            consent_url="https://consent.example.com/cert/LS-99120",
        ),
    ),
    "generic": (
        "lg-e5512b3d-generic",
        Lead(
            source="generic",
            first_name="Sam",
            last_name="Lee",
            email="sam.lee@example.com",
            loan_balance=180000.0,
            additional_cash=30000.0,
            cash_out=True,
            loan_purpose="Cash-Out Refinance",
            extra={"utm_campaign": "spring-refi", "Landing Page": "/refi"},
        ),
    ),
}

# A tenant that fills Bonzo's property fields from the contact address, keeps LTV in the
# notes only, tags its team and assigns every lead to one loan officer.
TENANT_MAPPING = PayloadMapping(
    fields={
        "address": ("address", "property_address"),
        "city": ("city", "property_city"),
        "state": ("state", "property_state"),
        "zip": ("zip", "property_zip"),
        "ltv": (),
    },
    static={"custom_Team": "Midwest", "prospect_type": "lead"},
    user_id=4102,
)


def _check(name: str, payload: dict[str, str | int]) -> None:
    path = GOLDEN_DIR / f"{name}.json"
    if os.environ.get("LEADGATE_UPDATE_GOLDEN") == "1":
        path.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", "utf-8")
    assert payload == json.loads(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("vendor", sorted(LEADS))
def test_vendor_lead_maps_to_its_golden_body(vendor: str) -> None:
    lead_id, lead = LEADS[vendor]

    _check(vendor, build_payload(lead, lead_id=lead_id))


def test_tenant_overrides_map_experian_lead_to_its_golden_body() -> None:
    lead_id, lead = LEADS["experian"]

    _check(
        "experian_tenant_overrides", build_payload(lead, lead_id=lead_id, mapping=TENANT_MAPPING)
    )
