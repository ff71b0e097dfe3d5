"""Lead ids and in-chunk duplicate links (pipeline.intake.links)."""

from __future__ import annotations

import time
import uuid

from hypothesis import given
from hypothesis import strategies as st

from pipeline.intake.copyformat import NULL, length, text_field
from pipeline.intake.links import ChunkLinks, IdSource, counting_ids, time_ordered_ids


def counting() -> IdSource:
    return counting_ids(start=1)()


def lead_id(number: int) -> uuid.UUID:
    return uuid.UUID(bytes=number.to_bytes(16))


def keys(
    record_id: str | None = None, phone: str | None = None, email: str | None = None
) -> tuple[bytes, bytes, bytes]:
    return text_field(record_id), text_field(phone), text_field(email)


def test_a_lead_with_no_earlier_key_is_a_root() -> None:
    links = ChunkLinks(counting())

    assert links.link(*keys("A", "6175550101")) == (lead_id(1), None, None, None, None)
    assert links.link(*keys("B", "6175550102")) == (lead_id(2), None, None, None, None)


def test_a_lead_sharing_any_key_links_to_the_root_that_has_it() -> None:
    links = ChunkLinks(counting())
    links.link(*keys("A", "6175550101", "ann@example.com"))

    assert links.link(*keys("B", None, "ann@example.com")) == (
        lead_id(2),
        lead_id(1),
        "A",
        "6175550101",
        "ann@example.com",
    )


def test_a_key_first_seen_on_a_duplicate_leads_to_its_root() -> None:
    links = ChunkLinks(counting())
    links.link(*keys(None, "6175550101", "ann@example.com"))
    links.link(*keys(None, "6175550102", "ann@example.com"))

    assert links.link(*keys(None, "6175550102"))[1] == lead_id(1)


def test_of_two_roots_the_earlier_one_is_the_original() -> None:
    links = ChunkLinks(counting())
    links.link(*keys(None, "6175550101"))
    links.link(*keys(None, None, "bo@example.com"))

    assert links.link(*keys(None, "6175550101", "bo@example.com"))[1] == lead_id(1)
    assert links.link(*keys(None, "6175550199", "bo@example.com"))[1] == lead_id(2)


def test_a_lead_without_keys_is_never_linked() -> None:
    links = ChunkLinks(counting())
    links.link(NULL, NULL, NULL)

    assert links.link(NULL, NULL, NULL)[1] is None


def test_heads_are_the_prefix_the_id_and_the_root_s_id_and_keys() -> None:
    links = ChunkLinks(counting(), prefix=b"\x00\x2d")
    root_keys = keys("A", "6175550101")
    id_field = length(16)

    heads = links.heads(*zip(root_keys, keys("B", "6175550101"), strict=True))

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
    for phone, email in rows:
        link = links.link(NULL, text_field(f"61755501{phone:02}"), text_field(f"e{email}@x.com"))
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

    assert ChunkLinks(counting()).heads(*columns) == [
        one_by_one.heads([r], [p], [e])[0] for r, p, e in zip(*columns, strict=True)
    ]


def test_time_ordered_ids_are_version_7_increasing_and_stamped_now() -> None:
    before = time.time_ns() // 1_000_000
    take = time_ordered_ids()
    ids = [uuid.UUID(bytes=raw) for raw in take(500) + take(500)]

    assert all(i.version == 7 and i.variant == uuid.RFC_4122 for i in ids)
    assert ids == sorted(ids)
    assert len(set(ids)) == len(ids)
    assert before <= ids[0].int >> 80 <= time.time_ns() // 1_000_000
    assert uuid.UUID(bytes=time_ordered_ids()(1)[0]) not in ids
