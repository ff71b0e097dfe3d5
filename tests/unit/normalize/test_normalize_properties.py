"""Properties of normalize_record over arbitrary and vendor-like input."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.core.lead import LEAD_FIELDS, Lead
from pipeline.core.records import FailedRecord, NormalizedLead, RawRecord
from pipeline.normalize import CODES, normalize_record

_RULE_FIELDS = [name for name in LEAD_FIELDS if name not in ("phone", "alt_phones", "extra")]

# Values shaped like what vendors send, so that most generated records are deliverable and
# the idempotence property is exercised on real leads, not only on failures.
_VENDORISH: dict[str, st.SearchStrategy[str]] = {
    "source": st.sampled_from(["experian", "transunion", "leadsource", " generic "]),
    "lead_kind": st.sampled_from(["", "trigger", "Prescreen", "web", "bogus"]),
    "first_name": st.sampled_from(["MARY", "mary-jane", "o'neil", " José ", "N/A", "", "123"]),
    "last_name": st.sampled_from(["MCDONALD", "smith iii", "Van Der Berg", "D\u2019Andre", "jr"]),
    "email": st.sampled_from(["Mary@Example.COM", "bad@", "", "a.b+c@sub.example.com"]),
    "address": st.sampled_from(
        ["123 north main street apt #4b", "P.O. BOX 77", "12 circle drive", "9 Elm St., Ste 2"]
    ),
    "city": st.sampled_from(["MCALLEN", "st. louis", "winston-salem", ""]),
    "state": st.sampled_from(["tx", "New York", "d.c.", "ZZ", ""]),
    "zip": st.sampled_from(["2134", "12345-6789", "12345.0", "00000", "abc"]),
    "credit_score": st.sampled_from(["720", "720-739", "800+", "EXCELLENT", "Very Good", "9003"]),
    "credit_grade": st.sampled_from(["", "good", "A+"]),
    "property_value": st.sampled_from(["$300,001 - $315,000", "250K", "1.2M", "-5", "N/A"]),
    "loan_balance": st.sampled_from(["$1,234.56", "250000", "2.5E+05", "$2.0M or more", ""]),
    "current_rate": st.sampled_from(["5.95%", "0.0595", "776", "0.5", "6"]),
    "ltv": st.sampled_from(["85", "0.85", "8500", "100", "0"]),
    "cash_out": st.sampled_from(["Y", "no", "maybe", ""]),
    "va_eligible": st.sampled_from(["TRUE", "f", "0", "N/A"]),
    "mortgage_open_date": st.sampled_from(["1/5/2024", "20240105", "45296", "2/30/2024"]),
    "trigger_date": st.sampled_from(["2026-03-04", "03/04/26", "Mar 4, 2026", ""]),
    "consent_url": st.sampled_from(["https://cert.example.com/abc", "ftp://x", ""]),
    "loan_type": st.sampled_from(["  FHA   loan ", "VA", ""]),
    "source_record_id": st.sampled_from([" TU123 ", "A 1", ""]),
}
_GOOD_FIRST_NAMES = st.sampled_from(["MARY", "mary-jane", "o'neil", " José ", "ANN MARIE"])
_GOOD_PHONES = st.sampled_from(["(555) 234-5678", "555.876.5432 ext 9", "5552345678.0"])
_PHONES = st.sampled_from(
    ["(555) 234-5678", "555.234.5678 x12", "5552345678.0", "+1 555 876 5432", "555-1234", ""]
)


def _mostly_vendorish(name: str) -> st.SearchStrategy[str]:
    vendorish = _VENDORISH.get(name)
    if vendorish is None:
        return st.text(max_size=30)
    return st.one_of(vendorish, vendorish, vendorish, st.text(max_size=30))


@st.composite
def wild_records(draw: st.DrawFn) -> RawRecord:
    """Any field names (canonical or not) with any text, and any phone candidates."""
    names = st.one_of(st.sampled_from(LEAD_FIELDS), st.text(max_size=12))
    fields = draw(st.dictionaries(names, st.text(max_size=40), max_size=40))
    phones = draw(st.lists(st.text(max_size=24), max_size=4))
    extra = draw(st.dictionaries(st.text(max_size=12), st.text(max_size=12), max_size=3))
    raw = draw(st.dictionaries(st.text(max_size=12), st.text(max_size=12), max_size=3))
    return RawRecord(number=1, raw=raw, fields=fields, phones=phones, extra=extra)


@st.composite
def vendor_records(draw: st.DrawFn) -> RawRecord:
    """Records shaped like an adapter's output: mostly vendor-like values, some garbage."""
    names = draw(st.lists(st.sampled_from(_RULE_FIELDS), unique=True))
    fields = {"source": draw(_VENDORISH["source"])}
    fields["first_name"] = draw(st.one_of(_GOOD_FIRST_NAMES, _mostly_vendorish("first_name")))
    fields.update({name: draw(_mostly_vendorish(name)) for name in names})
    phones = draw(st.lists(st.one_of(_PHONES, _PHONES, st.text(max_size=20)), max_size=3))
    if draw(st.booleans()):
        phones.insert(0, draw(_GOOD_PHONES))
    extra = draw(
        st.dictionaries(st.text(max_size=12), st.text(min_size=1, max_size=12), max_size=2)
    )
    return RawRecord(number=7, raw=dict(fields), fields=fields, phones=phones, extra=extra)


def _as_raw(value: Any) -> str:
    return value if isinstance(value, str) else str(value)


def _lead_as_record(lead: Lead) -> RawRecord:
    """The lead's values fed back the way an adapter would hand them over: as strings."""
    fields = {
        name: _as_raw(getattr(lead, name))
        for name in _RULE_FIELDS
        if getattr(lead, name) is not None
    }
    phones = [lead.phone, *lead.alt_phones] if lead.phone else list(lead.alt_phones)
    return RawRecord(number=1, raw={}, fields=fields, phones=phones, extra=dict(lead.extra))


@settings(max_examples=1500, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(wild_records(), vendor_records()))
def test_any_record_gives_a_lead_or_a_failure_with_known_codes(record: RawRecord) -> None:
    result = normalize_record(record)
    if isinstance(result, FailedRecord):
        assert result.errors
        assert result.raw == record.raw
        issues = result.errors
    else:
        issues = result.warnings
    assert {issue.code for issue in issues} <= set(CODES)


@settings(max_examples=1500, suppress_health_check=[HealthCheck.too_slow])
@given(vendor_records())
def test_normalizing_a_normalized_lead_changes_nothing(record: RawRecord) -> None:
    first = normalize_record(record)
    if not isinstance(first, NormalizedLead):
        return
    second = normalize_record(_lead_as_record(first.lead))
    assert isinstance(second, NormalizedLead)
    assert second.lead == first.lead
    assert second.warnings == []
