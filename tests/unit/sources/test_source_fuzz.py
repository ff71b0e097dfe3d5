"""Fuzz targets, one per vendor parser: any input either reads or is a SourceFormatError.

Nothing else may escape an adapter: no UnicodeDecodeError, csv.Error, msgspec error,
IndexError. Each input also starts, half the time, with the vendor's real header so the
row parsing behind it is exercised, not just the header check.
"""

from __future__ import annotations

import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.core.records import FailedRecord, RawRecord
from pipeline.sources import SOURCE_NAMES, SourceAdapter, SourceFormatError, get_source
from pipeline.sources.layout import Layout

GENERIC = Layout(source="generic", columns={"first_name": ("name",), "phone": ("tel", "cell")})
HEADERS = {
    "experian": b"First Name,Surname,Telephone # 1,Telephone # 1,City\r\n",
    "transunion": b"\xef\xbb\xbfPerm_ID|First_Name|Phone_Number\r\n",
    "leadsource": b"Lead ID;First Name;Pri. Phone;Sec. Phone\n",
    "generic": b"name\ttel\tcell\n",
}
# Characters that steer the CSV and JSON parsers into their corners.
STRUCTURAL = [*'{}[]",:\\\n\r\t;| aN0é\u2019', '"name"', '"tel"', "\\u00e9", "\r\n"]

fuzz_bytes = st.one_of(
    st.binary(max_size=600),
    st.lists(st.sampled_from(STRUCTURAL), max_size=120).map(lambda parts: "".join(parts).encode()),
    st.text(max_size=200).map(lambda text: text.encode("utf-8", "surrogatepass")),
)


def adapter_for(source: str) -> SourceAdapter:
    return get_source(source, mapping=GENERIC if source == "generic" else None)


@pytest.mark.parametrize("source", SOURCE_NAMES)
@settings(deadline=None, max_examples=150)
@given(body=fuzz_bytes, with_header=st.booleans())
def test_arbitrary_input_reads_or_is_a_source_format_error(
    source: str, body: bytes, with_header: bool
) -> None:
    data = (HEADERS[source] if with_header else b"") + body
    try:
        items = list(adapter_for(source).read(io.BytesIO(data)))
    except SourceFormatError:
        return

    numbers = [item.number if isinstance(item, RawRecord) else item.record for item in items]
    assert numbers == list(range(1, len(items) + 1))
    for item in items:
        if isinstance(item, FailedRecord):
            assert item.errors
