"""The Lead -> Bonzo General payload mapping: the default table, formats and overrides."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.core.lead import LEAD_FIELDS, Lead
from pipeline.delivery.payload import DEFAULT_FIELDS, build_payload
from pipeline.delivery.schemas import PayloadMapping, custom_field_key

MAPPING_DOC = Path(__file__).parents[3] / "pipeline" / "delivery" / "MAPPING.md"


def _lead(**fields: object) -> Lead:
    base: dict[str, object] = {
        "source": "experian",
        "first_name": "Mary",
        "phone": "5555550100",
    }
    base.update(fields)
    return msgspec.convert(base, Lead)


def _decode_mapping(config: object) -> PayloadMapping:
    return msgspec.json.decode(msgspec.json.encode(config), type=PayloadMapping)


def _every_field_lead() -> Lead:
    """A lead with every canonical field set to a value found nowhere else."""
    return Lead(
        source="transunion",
        source_record_id="TU-REC-7781",
        lead_kind="prescreen",
        first_name="Zelda",
        last_name="Quimby",
        email="zelda.quimby@example.com",
        phone="5555550142",
        alt_phones=["5555550177"],
        address="12 Larkspur Ln",
        city="Springfield",
        state="IL",
        zip="62704",
        credit_score=733,
        credit_grade="GOOD",
        property_value=401000.0,
        loan_balance=287650.0,
        current_rate=6.875,
        monthly_payment=1893.21,
        second_balance=40100.0,
        second_rate=9.125,
        additional_cash=25050.0,
        down_payment=61500.0,
        ltv=71.7,
        bid_loan_value=312500.0,
        cash_out=True,
        found_home=False,
        va_eligible=True,
        has_second_mortgage=True,
        loan_type="FHA",
        loan_purpose="Refinance",
        property_type="Single Family",
        property_use="Primary",
        mortgage_open_date="2019-06-14",
        trigger_date="2026-03-09",
        consent_url="https://consent.example.com/r/abc",
        extra={"Segment Code": "SEG-Q9"},
    )


def test_payload_is_flat_with_string_values_and_an_int_user_id() -> None:
    payload = build_payload(
        _every_field_lead(), lead_id="lg-0001", mapping=PayloadMapping(user_id=41)
    )

    assert payload["user_id"] == 41
    others = {key: value for key, value in payload.items() if key != "user_id"}
    assert all(isinstance(value, str) for value in others.values())


def test_every_canonical_field_lands_in_a_key_or_the_notes() -> None:
    lead = _every_field_lead()
    payload = build_payload(lead, lead_id="lg-0001")
    written = " ".join(str(value) for value in payload.values())

    expected_fragments = {
        "source": "transunion",
        "source_record_id": "TU-REC-7781",
        "lead_kind": "prescreen",
        "first_name": "Zelda",
        "last_name": "Quimby",
        "email": "zelda.quimby@example.com",
        "phone": "5555550142",
        "alt_phones": "5555550177",
        "address": "12 Larkspur Ln",
        "city": "Springfield",
        "state": "IL",
        "zip": "62704",
        "credit_score": "733",
        "credit_grade": "GOOD",
        "property_value": "401000",
        "loan_balance": "287650",
        "current_rate": "6.875",
        "monthly_payment": "1,893.21",
        "second_balance": "40,100",
        "second_rate": "9.125",
        "additional_cash": "25050",
        "down_payment": "61500",
        "ltv": "71.7",
        "bid_loan_value": "312,500",
        "cash_out": "Cash out: Yes",
        "found_home": "No",
        "va_eligible": "VA eligible: Yes",
        "has_second_mortgage": "Has second mortgage: Yes",
        "loan_type": "FHA",
        "loan_purpose": "Refinance",
        "property_type": "Single Family",
        "property_use": "Primary",
        "mortgage_open_date": "2019-06-14",
        "trigger_date": "2026-03-09",
        "consent_url": "https://consent.example.com/r/abc",
        "extra": "Segment Code: SEG-Q9",
    }
    assert set(expected_fragments) == set(LEAD_FIELDS)
    missing = [field for field, text in expected_fragments.items() if text not in written]
    assert missing == []


def test_default_table_covers_every_lead_field_except_vendor_columns() -> None:
    assert set(DEFAULT_FIELDS) == set(LEAD_FIELDS) - {"extra"}


def test_mapping_doc_lists_the_default_table_row_for_row() -> None:
    row = re.compile(r"^\|\s*`(\w+)`\s*\|\s*`(\w+)`\s*\|", re.MULTILINE)
    documented = row.findall(MAPPING_DOC.read_text(encoding="utf-8"))
    table = [(field, rule.keys[0]) for field, rule in DEFAULT_FIELDS.items()]

    assert documented == table


def test_lead_id_is_sent_as_external_id_and_named_in_the_notes() -> None:
    payload = build_payload(_lead(lead_kind="trigger"), lead_id="lg-7f3a")

    assert payload["external_id"] == "lg-7f3a"
    assert str(payload["notes"]).splitlines()[0] == (
        "leadgate lead lg-7f3a: trigger lead from experian"
    )
    assert payload["custom_Lead_Source"] == "experian"
    assert payload["custom_Lead_Kind"] == "trigger"


def test_empty_lead_id_is_refused() -> None:
    with pytest.raises(ValueError, match="lead_id"):
        build_payload(_lead(), lead_id=" ")


def test_absent_and_blank_values_are_left_out() -> None:
    payload = build_payload(_lead(last_name="  ", email=None, alt_phones=[]), lead_id="lg-1")

    assert set(payload) == {
        "custom_Lead_Source",
        "first_name",
        "phone",
        "external_id",
        "notes",
    }


def test_unknown_lead_kind_is_treated_as_absent() -> None:
    payload = build_payload(_lead(lead_kind="unknown"), lead_id="lg-1")

    assert "custom_Lead_Kind" not in payload
    assert str(payload["notes"]).startswith("leadgate lead lg-1: lead from experian")


@pytest.mark.parametrize(
    ("rate", "written"),
    [(7.76, "7.76"), (7.760000001, "7.76"), (6.125, "6.125"), (7.0, "7"), (100.0, "100")],
)
def test_rate_is_written_in_percent_points_without_float_noise(rate: float, written: str) -> None:
    payload = build_payload(_lead(current_rate=rate), lead_id="lg-1")

    assert payload["interest_rate"] == written


@pytest.mark.parametrize(
    ("amount", "written"),
    [(312400.0, "312400"), (2145.5, "2145.50"), (0.1 + 0.2, "0.30"), (99.999, "100")],
)
def test_money_is_written_in_dollars_with_cents_only_when_present(
    amount: float, written: str
) -> None:
    payload = build_payload(_lead(loan_balance=amount), lead_id="lg-1")

    assert payload["loan_amount"] == written


@given(st.floats(min_value=-1e12, max_value=1e12, allow_nan=False))
def test_money_field_is_plain_decimal_rounded_to_cents(amount: float) -> None:
    written = str(build_payload(_lead(property_value=amount), lead_id="lg-1")["property_value"])

    assert re.fullmatch(r"-?\d+(\.\d\d)?", written)
    assert Decimal(written) == Decimal(repr(amount)).quantize(Decimal("0.01"))


@given(st.floats(min_value=0, max_value=1000, allow_nan=False))
def test_rate_field_is_plain_decimal_with_at_most_three_places(rate: float) -> None:
    written = str(build_payload(_lead(current_rate=rate), lead_id="lg-1")["interest_rate"])

    assert re.fullmatch(r"\d+(\.\d{1,3})?", written)


def test_non_finite_numbers_are_left_out() -> None:
    payload = build_payload(_lead(ltv=float("inf"), current_rate=float("nan")), lead_id="lg-1")

    assert "custom_LTV" not in payload
    assert "interest_rate" not in payload


def test_credit_grade_takes_credit_score_and_the_derived_score_goes_to_notes() -> None:
    payload = build_payload(_lead(credit_grade="EXCELLENT", credit_score=720), lead_id="lg-1")

    assert payload["credit_score"] == "EXCELLENT"
    assert "Credit score: 720" in str(payload["notes"])


def test_score_without_grade_fills_credit_score_as_a_string() -> None:
    payload = build_payload(_lead(credit_score=769), lead_id="lg-1")

    assert payload["credit_score"] == "769"
    assert "Credit" not in str(payload["notes"])


def test_values_without_a_native_key_are_repeated_in_the_notes() -> None:
    payload = build_payload(_lead(monthly_payment=1893.21, loan_balance=287650.0), lead_id="lg-1")
    notes = str(payload["notes"])

    assert payload["custom_Monthly_Payment"] == "1893.21"
    assert "Monthly payment: $1,893.21" in notes
    assert payload["loan_amount"] == "287650"
    assert "287" not in notes


def test_vendor_columns_go_to_the_notes_in_vendor_order() -> None:
    payload = build_payload(_lead(extra={"Zeta Score": "12", "Alpha Flag": "Y"}), lead_id="lg-1")

    assert str(payload["notes"]).splitlines()[-1] == "Vendor columns: Zeta Score: 12; Alpha Flag: Y"


def test_vendor_record_id_is_named_in_the_notes_header() -> None:
    payload = build_payload(_lead(source_record_id="EXP-55"), lead_id="lg-1")

    assert str(payload["notes"]).splitlines()[0].endswith(", vendor record EXP-55")
    assert payload["custom_Vendor_Record_ID"] == "EXP-55"


def test_tenant_rename_moves_a_value_to_another_key() -> None:
    mapping = _decode_mapping({"fields": {"monthly_payment": ["custom_Payment"]}})

    payload = build_payload(_lead(monthly_payment=1200.0), lead_id="lg-1", mapping=mapping)

    assert payload["custom_Payment"] == "1200"
    assert "custom_Monthly_Payment" not in payload


def test_tenant_can_write_one_value_to_several_keys() -> None:
    mapping = _decode_mapping({"fields": {"address": ["address", "property_address"]}})

    payload = build_payload(_lead(address="9 Elm St"), lead_id="lg-1", mapping=mapping)

    assert payload["address"] == payload["property_address"] == "9 Elm St"


def test_empty_key_list_keeps_a_value_in_the_notes_only() -> None:
    mapping = _decode_mapping({"fields": {"loan_balance": []}})

    payload = build_payload(_lead(loan_balance=250000.0), lead_id="lg-1", mapping=mapping)

    assert "loan_amount" not in payload
    assert "Loan balance: $250,000" in str(payload["notes"])


def test_tenant_collision_keeps_the_first_field_and_notes_the_second() -> None:
    mapping = _decode_mapping({"fields": {"bid_loan_value": ["loan_amount"]}})

    payload = build_payload(
        _lead(loan_balance=250000.0, bid_loan_value=275000.0), lead_id="lg-1", mapping=mapping
    )

    assert payload["loan_amount"] == "250000"
    assert "Bid loan value: $275,000" in str(payload["notes"])


def test_static_values_fill_keys_but_never_replace_lead_values() -> None:
    mapping = _decode_mapping(
        {"static": {"custom_Team": "West", "loan_purpose": "Refinance", "prospect_type": "lead"}}
    )

    payload = build_payload(_lead(loan_purpose="Purchase"), lead_id="lg-1", mapping=mapping)

    assert payload["custom_Team"] == "West"
    assert payload["prospect_type"] == "lead"
    assert payload["loan_purpose"] == "Purchase"


def test_routed_user_id_wins_over_the_tenant_default() -> None:
    mapping = PayloadMapping(user_id=7)

    assert build_payload(_lead(), lead_id="lg-1", mapping=mapping)["user_id"] == 7
    assert build_payload(_lead(), lead_id="lg-1", mapping=mapping, user_id=9)["user_id"] == 9
    assert "user_id" not in build_payload(_lead(), lead_id="lg-1")


@pytest.mark.parametrize(
    ("config", "complaint"),
    [
        ({"fields": {"nickname": ["first_name"]}}, "not a mappable Lead field"),
        ({"fields": {"extra": ["custom_Extra"]}}, "not a mappable Lead field"),
        ({"fields": {"ltv": ["loan_to_value"]}}, "neither a Bonzo"),
        ({"fields": {"ltv": ["custom_Loan To Value"]}}, "underscores"),
        ({"fields": {"source": ["external_id"]}}, "written by leadgate"),
        ({"static": {"notes": "hi"}}, "written by leadgate"),
        ({"user_id": 0}, "positive"),
        ({"fieldz": {}}, "unknown field"),
    ],
)
def test_bad_tenant_mapping_is_rejected_when_decoded(config: object, complaint: str) -> None:
    with pytest.raises(msgspec.ValidationError, match=complaint):
        _decode_mapping(config)


def test_custom_field_key_turns_spaces_into_underscores_and_keeps_case() -> None:
    assert custom_field_key("Lead Source") == "custom_Lead_Source"
    assert custom_field_key("  VA  Eligible ") == "custom_VA_Eligible"
