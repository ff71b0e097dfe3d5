"""Lead ids and in-chunk duplicate links, settled in Python before a chunk is loaded.

The load statement decides each staged lead's original: an existing lead found by its
vendor record id, phone or email (PostgreSQL probes the dedupe indexes), or failing that an
earlier lead of the same load chunk with one of those keys. The chunk's part used to be
window functions and a self-join in the statement: three sorts of the chunk's keys and a
sort of its wide rows, about a fifth of the database's work per row. Here it is three dict
lookups a lead, on the thread that normalizes ahead of the load, and the database only
probes.

Each lead of a chunk is linked, in record order, to the earliest *root* it shares a key
with: a root is a lead with no earlier lead of the chunk sharing a key. A lead that shares
a key with a root's duplicate is linked to that root too, so a duplicate never points at
another duplicate of its chunk. The staged row carries its root's id and keys: the root
may itself duplicate an existing lead, which the statement finds by probing the root's
keys after the lead's own, so the lead's original is, in order, an existing original of its
own keys, one of its root's keys, or its root.

Ids are generated here too (so a root's id is known to its duplicates), time-ordered like
the database's ``uuid_time_ordered()`` (RFC 9562 version 7: 48-bit Unix milliseconds, then
random bits): each chunk takes a fresh timestamp and random start and counts up from it,
so a chunk's ids are increasing and land on the index pages its neighbours use.
"""

from __future__ import annotations

import itertools
import os
import time
from collections.abc import Callable, Sequence
from typing import Any, Final
from uuid import UUID

from pipeline.intake.copyformat import NULL, length

__all__ = ["ChunkLinks", "IdSource", "counting_ids", "time_ordered_ids"]

IdSource = Callable[[int], list[bytes]]
"""Gives the next ``n`` lead ids, 16 bytes each."""

_ID_FIELD: Final = length(16)
_NO_ROOT: Final = NULL * 4
_VARIANT: Final = 0b10 << 62
_HEADROOM: Final = 1 << 24


def time_ordered_ids() -> IdSource:
    """Version 7 UUIDs for one chunk: a timestamp and 74 random bits drawn now, the low 62
    counting up per id (2**24 ids of headroom before they could wrap)."""
    millis = time.time_ns() // 1_000_000
    random = int.from_bytes(os.urandom(10))
    high = (millis << 16 | 0x7000 | random >> 68 & 0xFFF).to_bytes(8)
    next_low = _VARIANT | random & ((1 << 62) - _HEADROOM)

    def take(count: int) -> list[bytes]:
        nonlocal next_low
        start, next_low = next_low, next_low + count
        return [high + low.to_bytes(8) for low in range(start, next_low)]

    return take


def counting_ids(start: int = 0) -> Callable[[], IdSource]:
    """In place of :func:`time_ordered_ids`: ids ``start``, ``start + 1``... (16 big-endian
    bytes) counted across every chunk of a stream, so two stagings of one file can be
    compared byte for byte (tests, ``bench/ingest_stage.py --check``). Not for storing."""
    counter = itertools.count(start)

    def chunk_ids() -> IdSource:
        return lambda count: [next(counter).to_bytes(16) for _ in range(count)]

    return chunk_ids


class ChunkLinks:
    """Ids and links of one load chunk's leads, given in record order. Keys are binary
    COPY text fields (``NULL`` for none), as the staged row holds them; ``prefix`` goes in
    front of every lead's leading fields (staging's field count)."""

    __slots__ = ("_by_email", "_by_phone", "_by_record_id", "_new_ids", "_prefix", "_seen")

    def __init__(self, new_ids: IdSource, prefix: bytes = b"") -> None:
        self._new_ids = new_ids
        self._prefix = prefix + _ID_FIELD
        # Key -> its root: (number in the chunk, the root's fields as a duplicate's tail).
        self._by_record_id: dict[bytes, tuple[int, bytes]] = {}
        self._by_phone: dict[bytes, tuple[int, bytes]] = {}
        self._by_email: dict[bytes, tuple[int, bytes]] = {}
        self._seen = 0

    def heads(
        self, record_ids: Sequence[bytes], phones: Sequence[bytes], emails: Sequence[bytes]
    ) -> list[bytes]:
        """The next leads' leading fields, after ``prefix``: id, then its root's id,
        record id, phone and email (NULLs for a root)."""
        by_record_id, by_phone, by_email = self._by_record_id, self._by_phone, self._by_email
        prefix = self._prefix
        seen = self._seen
        out: list[bytes] = []
        append = out.append
        for lead_id, record_id, phone, email in zip(
            self._new_ids(len(phones)), record_ids, phones, emails, strict=True
        ):
            seen += 1
            root = None
            if record_id != NULL:
                root = by_record_id.get(record_id)
            if phone != NULL:
                found = by_phone.get(phone)
                if found is not None and (root is None or found[0] < root[0]):
                    root = found
            if email != NULL:
                found = by_email.get(email)
                if found is not None and (root is None or found[0] < root[0]):
                    root = found
            if root is None:
                append(prefix + lead_id + _NO_ROOT)
                # Keys not seen before lead to this lead as a new root...
                root = (seen, b"".join((_ID_FIELD, lead_id, record_id, phone, email)))
            else:
                append(prefix + lead_id + root[1])
            # ... or to this lead's root.
            if record_id != NULL:
                by_record_id.setdefault(record_id, root)
            if phone != NULL:
                by_phone.setdefault(phone, root)
            if email != NULL:
                by_email.setdefault(email, root)
        self._seen = seen
        return out

    def link(self, record_id: bytes, phone: bytes, email: bytes) -> tuple[Any, ...]:
        """The next lead's leading lead_staging values as psycopg dumps them: id, root id,
        root record id, phone and email."""
        head = self.heads([record_id], [phone], [email])[0][len(self._prefix) :]
        lead_id = UUID(bytes=head[:16])
        if head[16:20] == NULL:
            return (lead_id, None, None, None, None)
        values: list[Any] = [lead_id, UUID(bytes=head[20:36])]
        at = 36
        for _ in range(3):
            size = int.from_bytes(head[at : at + 4], signed=True)
            values.append(None if size < 0 else head[at + 4 : at + 4 + size].decode())
            at += 4 + max(size, 0)
        return tuple(values)
