"""Lead ids and in-chunk duplicate links (pipeline.intake.links)."""

from __future__ import annotations

import time
import uuid

from hypothesis import given
from hypothesis import strategies as st

from pipeline.intake.copyformat import NULL, length, text_field
from pipeline.intake.links import ChunkLinks, IdSource, batch_lead_ids, new_lead_id_base


def counting() -> IdSource:
    """Ids that are their record numbers: a batch whose base is all zeros."""
    return batch_lead_ids(uuid.UUID(int=0))


def lead_id(number: int) -> uuid.UUID:
    return uuid.UUID(bytes=number.to_bytes(16))


def keys(
    record_id: str | None = None, phone: str | None = None, email: str | None = None
) -> tuple[bytes, bytes, bytes]:
    return text_field(record_id), text_field(phone), text_field(email)


def test_a_lead_with_no_earlier_key_is_a_root() -> None:
    links = ChunkLinks(counting())

    assert links.link(1, *keys("A", "6175550101")) == (lead_id(1), None, None, None, None)
    assert links.link(2, *keys("B", "6175550102")) == (lead_id(2), None, None, None, None)


def test_a_lead_sharing_any_key_links_to_the_root_that_has_it() -> None:
    links = ChunkLinks(counting())
    links.link(1, *keys("A", "6175550101", "ann@example.com"))

    assert links.link(2, *keys("B", None, "ann@example.com")) == (
        lead_id(2),
        lead_id(1),
        "A",
        "6175550101",
        "ann@example.com",
    )


def test_a_key_first_seen_on_a_duplicate_leads_to_its_root() -> None:
    links = ChunkLinks(counting())
    links.link(1, *keys(None, "6175550101", "ann@example.com"))
    links.link(2, *keys(None, "6175550102", "ann@example.com"))

    assert links.link(3, *keys(None, "6175550102"))[1] == lead_id(1)


def test_of_two_roots_the_earlier_one_is_the_original() -> None:
    links = ChunkLinks(counting())
    links.link(1, *keys(None, "6175550101"))
    links.link(2, *keys(None, None, "bo@example.com"))

    assert links.link(3, *keys(None, "6175550101", "bo@example.com"))[1] == lead_id(1)
    assert links.link(4, *keys(None, "6175550199", "bo@example.com"))[1] == lead_id(2)


def test_a_lead_without_keys_is_never_linked() -> None:
    links = ChunkLinks(counting())
    links.link(1, NULL, NULL, NULL)

    assert links.link(2, NULL, NULL, NULL)[1] is None


def test_heads_are_the_prefix_the_id_and_the_root_s_id_and_keys() -> None:
    links = ChunkLinks(counting(), prefix=b"\x00\x2d")
    root_keys = keys("A", "6175550101")
    id_field = length(16)

    heads = links.heads([1, 2], *zip(root_keys, keys("B", "6175550101"), strict=True))

    assert heads == [
        b"\x00\x2d" + id_field + (1).to_bytes(16) + NULL * 4,
        b"\x00\x2d"
        + id_field
        + (2).to_bytes(16)
        + id_field
        + (1).to_bytes(16)
        + b"".join(root_keys),
    ]


@given(st.lists(st.tuples(st.integers(0, 5), st.integers(0, 5)), max_size=40))
def test_a_duplicate_links_to_an_earlier_root_never_to_a_duplicate(
    rows: list[tuple[int, int]],
) -> None:
    links = ChunkLinks(counting())
    roots: set[uuid.UUID] = set()
    for number, (phone, email) in enumerate(rows, start=1):
        link = links.link(
            number, NULL, text_field(f"61755501{phone:02}"), text_field(f"e{email}@x.com")
        )
        if link[1] is None:
            roots.add(link[0])
        else:
            assert link[1] in roots


@given(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 3)), max_size=30))
def test_heads_for_a_batch_are_the_links_one_by_one(rows: list[tuple[int, int]]) -> None:
    columns = (
        [NULL] * len(rows),
        [text_field(f"61755501{p:02}") for p, _ in rows],
        [text_field(f"e{e}@x.com") for _, e in rows],
    )
    one_by_one = ChunkLinks(counting())

    numbers = range(1, len(rows) + 1)

    assert ChunkLinks(counting()).heads(numbers, *columns) == [
        one_by_one.heads([n], [r], [p], [e])[0]
        for n, r, p, e in zip(numbers, *columns, strict=True)
    ]


def test_a_lead_id_base_is_version_8_stamped_now_with_room_for_the_record_number() -> None:
    before = time.time_ns() // 1_000_000
    base = new_lead_id_base()

    assert base.version == 8
    assert base.variant == uuid.RFC_4122
    assert before <= base.int >> 80 <= time.time_ns() // 1_000_000
    assert base.bytes[12:] == bytes(4)
    assert new_lead_id_base() != base


def test_a_batch_s_lead_ids_are_its_base_with_the_record_number_in_record_order() -> None:
    base = new_lead_id_base()
    numbers = [1, 2, 3, 255, 256, 70_000, 2**31 - 1]

    ids = [uuid.UUID(bytes=raw) for raw in batch_lead_ids(base)(numbers)]

    assert [i.bytes[:12] for i in ids] == [base.bytes[:12]] * len(numbers)
    assert [int.from_bytes(i.bytes[12:]) for i in ids] == numbers
    assert ids == sorted(ids)
    assert all(i.version == 8 for i in ids)
