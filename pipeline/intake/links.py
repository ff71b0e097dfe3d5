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

Ids are made here too (so a root's id is known to its duplicates): a batch's leads take
ids from a range of their own (migration 0011), the batch's ``lead_id_base`` with the
record number in its last four bytes, so the primary key keeps a batch's leads together,
in file order, and a record number cannot come twice without its id coming twice.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from typing import Any, Final
from uuid import UUID

from pipeline.intake.copyformat import NULL, length

__all__ = ["ChunkLinks", "IdSource", "batch_lead_ids", "new_lead_id_base"]

IdSource = Callable[[Sequence[int]], list[bytes]]
"""The ids (16 bytes each) of the leads with these record numbers."""

_ID_FIELD: Final = length(16)
_NO_ROOT: Final = NULL * 4
_VERSION_8: Final = 0x8000
_VARIANT: Final = 0b10 << 30


def new_lead_id_base() -> UUID:
    """A batch's lead id base: a version 8 UUID (RFC 9562's custom layout) holding the
    Unix milliseconds now, 42 random bits and the variant, then four zero bytes, the
    record number's place."""
    millis = time.time_ns() // 1_000_000
    random = int.from_bytes(os.urandom(6))
    high = millis << 16 | _VERSION_8 | random >> 36
    middle = _VARIANT | random & ((1 << 30) - 1)
    return UUID(bytes=high.to_bytes(8) + middle.to_bytes(4) + bytes(4))


def batch_lead_ids(base: UUID) -> IdSource:
    """The ids of a batch's leads: the base's first twelve bytes, then the record number
    (SQL's ``lead_id(base, record)``). Deterministic, so two stagings of one file compare
    byte for byte given the same base (tests, ``bench/ingest_stage.py --check``)."""
    prefix = base.bytes[:12]
    return lambda numbers: [prefix + number.to_bytes(4) for number in numbers]


class ChunkLinks:
    """Ids and links of one load chunk's leads, given in record order. Keys are binary
    COPY text fields (``NULL`` for none), as the staged row holds them; ``prefix`` goes in
    front of every lead's leading fields (staging's field count)."""

    __slots__ = ("_by_email", "_by_phone", "_by_record_id", "_ids", "_prefix", "_seen")

    def __init__(self, ids: IdSource, prefix: bytes = b"") -> None:
        self._ids = ids
        self._prefix = prefix + _ID_FIELD
        # Key -> its root: (number in the chunk, the root's fields as a duplicate's tail).
        self._by_record_id: dict[bytes, tuple[int, bytes]] = {}
        self._by_phone: dict[bytes, tuple[int, bytes]] = {}
        self._by_email: dict[bytes, tuple[int, bytes]] = {}
        self._seen = 0

    def heads(
        self,
        numbers: Sequence[int],
        record_ids: Sequence[bytes],
        phones: Sequence[bytes],
        emails: Sequence[bytes],
    ) -> list[bytes]:
        """The next leads' leading fields, after ``prefix``: id, then its root's id,
        record id, phone and email (NULLs for a root). ``numbers`` are their record
        numbers."""
        by_record_id, by_phone, by_email = self._by_record_id, self._by_phone, self._by_email
        prefix = self._prefix
        seen = self._seen
        out: list[bytes] = []
        append = out.append
        for lead_id, record_id, phone, email in zip(
            self._ids(numbers), record_ids, phones, emails, strict=True
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

    def link(self, number: int, record_id: bytes, phone: bytes, email: bytes) -> tuple[Any, ...]:
        """The next lead's leading lead_staging values as psycopg dumps them: id, root id,
        root record id, phone and email."""
        head = self.heads([number], [record_id], [phone], [email])[0][len(self._prefix) :]
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
