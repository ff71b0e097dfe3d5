"""normalize_record: one raw record to a lead with warnings, or a failed record."""

from __future__ import annotations

import msgspec
import pytest

from pipeline.core.lead import Lead
from pipeline.core.records import FailedRecord, FieldIssue, NormalizedLead, RawRecord
from pipeline.normalize import DEFAULT_CONFIG, NormalizeConfig, normalize_record


def _record(
    fields: dict[str, str], phones: list[str] | None = None, extra: dict[str, str] | None = None
) -> RawRecord:
    return RawRecord(
        number=12,
        raw={"First Name": fields.get("first_name", ""), "Tel": "(555) 234-5678"},
        fields={"source": "leadsource", **fields},
        phones=["(555) 234-5678"] if phones is None else phones,
        extra=extra or {},
    )


def _lead(result: NormalizedLead | FailedRecord) -> Lead:
    assert isinstance(result, NormalizedLead), result
    return result.lead


def test_vendor_row_becomes_a_canonical_lead() -> None:
    record = RawRecord(
        number=3,
        raw={"First Name": "MARY-JANE"},
        fields={
            "source": "leadsource", "source_record_id": " 000123 ", "lead_kind": "Web",
            "first_name": "MARY-JANE", "last_name": "o'neil iii", "email": " Mary@Example.COM ",
            "address": "123 north main street apartment #4b", "city": "MCALLEN", "state": "texas",
            "zip": "7850.0", "credit_score": "720-739", "property_value": "$300,001 - $315,000",
            "loan_balance": "250K", "current_rate": "0.0595", "monthly_payment": "$1,234.56",
            "second_balance": "", "second_rate": "", "additional_cash": "N/A",
            "down_payment": "$2.0M or more", "ltv": "80", "bid_loan_value": "1.2M",
            "cash_out": "y", "found_home": "NO", "va_eligible": "", "has_second_mortgage": "F",
            "loan_type": "  FHA  ", "loan_purpose": "Cash-Out   Refinance",
            "property_type": "Single Family", "property_use": "Primary Residence",
            "mortgage_open_date": "20190315", "trigger_date": "3/5/2026",
            "consent_url": "https://cert.example.com/abc",
        },
        phones=["(555) 234-5678 x12", "5552345678", "1-555-876-5432"],
        extra={"Age Range": "35-44"},
    )  # fmt: skip
    result = normalize_record(record)
    assert result == NormalizedLead(
        record=3,
        lead=Lead(
            source="leadsource", source_record_id="000123", lead_kind="web",
            first_name="Mary-Jane", last_name="O'Neil III", email="mary@example.com",
            phone="5552345678", alt_phones=["5558765432"],
            address="123 N Main St Apt 4B", city="McAllen", state="TX", zip="07850",
            credit_score=720, credit_grade=None, property_value=307_500.5,
            loan_balance=250_000.0, current_rate=5.95, monthly_payment=1234.56,
            second_balance=None, second_rate=None, additional_cash=None,
            down_payment=2_000_000.0, ltv=80.0, bid_loan_value=1_200_000.0,
            cash_out=True, found_home=False, va_eligible=None, has_second_mortgage=False,
            loan_type="FHA", loan_purpose="Cash-Out Refinance", property_type="Single Family",
            property_use="Primary Residence", mortgage_open_date="2019-03-15",
            trigger_date="2026-03-05", consent_url="https://cert.example.com/abc",
            extra={"Age Range": "35-44"},
        ),
        warnings=[],
    )  # fmt: skip


def test_bad_optional_values_become_null_with_a_warning_each() -> None:
    result = normalize_record(
        _record(
            {"first_name": "Mary", "state": "ZZ", "zip": "12", "cash_out": "maybe",
             "credit_score": "9003", "loan_balance": "-500", "consent_url": "ftp://x"},
            phones=["555-1234", "(555) 234-5678"],
        )
    )  # fmt: skip
    assert isinstance(result, NormalizedLead)
    lead = result.lead
    assert (lead.state, lead.zip, lead.cash_out, lead.credit_score) == (None, None, None, None)
    assert (lead.loan_balance, lead.consent_url, lead.phone) == (None, None, "5552345678")
    assert [(issue.field, issue.code) for issue in result.warnings] == [
        ("state", "invalid_state"),
        ("zip", "invalid_zip"),
        ("cash_out", "invalid_boolean"),
        ("credit_score", "credit_score_excluded"),
        ("loan_balance", "negative_amount"),
        ("consent_url", "invalid_url"),
        ("phone", "invalid_phone"),
    ]
    assert all(issue.message for issue in result.warnings)


def test_missing_first_name_fails_the_record() -> None:
    record = _record({"first_name": "  "})
    assert normalize_record(record) == FailedRecord(
        record=12,
        errors=[
            FieldIssue(
                field="first_name",
                code="first_name_required",
                message="a first name is required (Bonzo rejects a prospect without one)",
            )
        ],
        raw=record.raw,
    )


def test_first_name_without_letters_fails_with_both_issues() -> None:
    result = normalize_record(_record({"first_name": "123"}))
    assert isinstance(result, FailedRecord)
    assert [issue.code for issue in result.errors] == ["invalid_name", "first_name_required"]


def test_record_without_valid_email_or_phone_fails_carrying_every_error() -> None:
    record = _record({"first_name": "Mary", "email": "mary@", "state": "ZZ"}, phones=["555-1234"])
    result = normalize_record(record)
    assert isinstance(result, FailedRecord)
    assert [(issue.field, issue.code) for issue in result.errors] == [
        ("email", "invalid_email"),
        ("state", "invalid_state"),
        ("phone", "invalid_phone"),
        ("contact", "contact_required"),
    ]
    assert result.raw == record.raw


def test_email_alone_is_enough_contact() -> None:
    lead = _lead(normalize_record(_record({"first_name": "Mary", "email": "m@example.com"}, [])))
    assert (lead.email, lead.phone) == ("m@example.com", None)


def test_phone_alone_is_enough_contact() -> None:
    lead = _lead(normalize_record(_record({"first_name": "Mary"})))
    assert (lead.email, lead.phone) == (None, "5552345678")


def test_record_without_a_source_fails() -> None:
    record = RawRecord(number=1, raw={}, fields={"first_name": "Mary"}, phones=["5552345678"])
    result = normalize_record(record)
    assert isinstance(result, FailedRecord)
    assert [issue.code for issue in result.errors] == ["source_required"]


def test_blank_fields_take_the_leads_defaults() -> None:
    lead = _lead(normalize_record(_record({"first_name": "Mary", "lead_kind": "", "city": ""})))
    assert (lead.lead_kind, lead.city) == ("unknown", None)


def test_adapter_lead_kind_is_kept_and_an_unknown_one_is_warned_about() -> None:
    trigger = _lead(normalize_record(_record({"first_name": "A", "lead_kind": "trigger"})))
    assert trigger.lead_kind == "trigger"
    result = normalize_record(_record({"first_name": "A", "lead_kind": "billboard"}))
    assert isinstance(result, NormalizedLead)
    assert result.lead.lead_kind == "unknown"
    assert [issue.code for issue in result.warnings] == ["invalid_lead_kind"]


def test_grade_uses_the_tenants_scores() -> None:
    config = NormalizeConfig(credit_grade_scores={"EXCELLENT": 760, "GOOD": 700})
    lead = _lead(
        normalize_record(_record({"first_name": "A", "credit_score": "Excellent"}), config=config)
    )
    assert (lead.credit_score, lead.credit_grade) == (760, "EXCELLENT")


def test_default_grade_scores_are_720_680_640_580() -> None:
    scores = {
        grade: _lead(
            normalize_record(_record({"first_name": "A", "credit_score": grade}))
        ).credit_score
        for grade in ("EXCELLENT", "GOOD", "FAIR", "POOR")
    }
    assert scores == {"EXCELLENT": 720, "GOOD": 680, "FAIR": 640, "POOR": 580}


def test_unknown_grade_is_kept_with_a_warning() -> None:
    result = normalize_record(_record({"first_name": "A", "credit_score": "Very Good"}))
    assert isinstance(result, NormalizedLead)
    assert (result.lead.credit_score, result.lead.credit_grade) == (None, "VERY GOOD")
    assert [issue.code for issue in result.warnings] == ["unknown_credit_grade"]


def test_grade_column_fills_a_missing_score() -> None:
    lead = _lead(normalize_record(_record({"first_name": "A", "credit_grade": "good"})))
    assert (lead.credit_score, lead.credit_grade) == (680, "GOOD")


def test_fields_the_lead_lacks_are_kept_in_extra() -> None:
    record = _record(
        {"first_name": "A", "Lead Type": "Refinance", "blank one": "  ", "extra": "odd"},
        extra={"Age Range": "35-44", "Lead Type": "from the adapter"},
    )
    lead = _lead(normalize_record(record))
    assert lead.extra == {"Age Range": "35-44", "Lead Type": "from the adapter", "extra": "odd"}
    assert record.extra == {"Age Range": "35-44", "Lead Type": "from the adapter"}


def test_phone_fields_are_candidates_before_the_phone_list() -> None:
    record = _record({"first_name": "A", "phone": "555-876-5432", "alt_phones": "555-999-2345"})
    lead = _lead(normalize_record(record))
    assert (lead.phone, lead.alt_phones) == ("5558765432", ["5559992345", "5552345678"])


def test_lead_does_not_share_mutable_state_with_the_record() -> None:
    record = _record({"first_name": "A"}, extra={"k": "v"})
    lead = _lead(normalize_record(record))
    lead.extra["k"] = "changed"
    assert record.extra == {"k": "v"}


def test_result_encodes_to_json() -> None:
    result = normalize_record(_record({"first_name": "A", "credit_score": "GOOD", "ltv": "80"}))
    decoded = msgspec.json.decode(msgspec.json.encode(result), type=NormalizedLead)
    assert decoded == result


@pytest.mark.parametrize("config", [DEFAULT_CONFIG, NormalizeConfig(permissible_purpose="x")])
def test_config_does_not_change_a_lead_without_a_grade(config: NormalizeConfig) -> None:
    assert normalize_record(_record({"first_name": "A"}), config=config) == normalize_record(
        _record({"first_name": "A"})
    )
