"""Which vendor columns feed which canonical field, and the per-file plan that applies it.

A :class:`Layout` is data: canonical field -> the vendor columns that feed it. How several
columns combine depends on the field:

- ``phone`` and ``alt_phones``: every occurrence of every listed column is a phone
  candidate, ``phone`` columns first, each column's duplicates in file order (Experian
  repeats ``Telephone # 1``). Blank cells are not candidates.
- ``address``: the parts are joined with a space (Experian splits the house number from
  the street); a blank part only leaves extra whitespace, which the rules collapse.
- a field a layout sets as a constant (TransUnion's ``lead_kind``) ignores any column.
- any other field: the first listed column with a non-blank cell wins, so a mapping can
  name the alternative headers one vendor uses across exports.

Only a column's first occurrence feeds a non-phone field; later duplicates, and every
column no field claims, go to ``extra`` when non-empty.

A :class:`ColumnPlan` resolves a layout against one header row, once per file, into
column indices, and compiles them into one function (see :mod:`pipeline.sources.rowmapper`)
that turns a row into a ``RawRecord``.
"""

from __future__ import annotations

from collections.abc import Sequence

import msgspec

from pipeline.core.lead import LEAD_FIELDS
from pipeline.core.structs import Frozen
from pipeline.sources.errors import MappingError
from pipeline.sources.rowmapper import RecordBuilder, RowMapping, compile_row_mapper

__all__ = ["MAPPABLE_FIELDS", "ColumnPlan", "Layout", "fold_header"]

PHONE_FIELDS = ("phone", "alt_phones")
JOINED_FIELDS = ("address",)
KEY_FIELDS = ("source_record_id", "first_name", "last_name", "email", *PHONE_FIELDS)
MAPPABLE_FIELDS: tuple[str, ...] = tuple(f for f in LEAD_FIELDS if f not in ("source", "extra"))
"""Canonical fields a column can feed: ``source`` names the adapter and ``extra`` collects
what no field claims, so neither comes from a column."""


def fold_header(header: str) -> str:
    """Header as matched: case, surrounding spaces and repeated spaces ignored."""
    return " ".join(header.split()).casefold()


class Layout(Frozen):
    """A source's column mapping.

    ``columns`` maps a canonical field (one of :data:`MAPPABLE_FIELDS`) to vendor headers
    in order of preference; ``constants`` are canonical values every record of the source
    carries (``source`` is always added).
    """

    source: str
    columns: dict[str, tuple[str, ...]]
    constants: dict[str, str] = msgspec.field(default_factory=dict)

    def __post_init__(self) -> None:
        unknown = sorted(set(self.columns) - set(MAPPABLE_FIELDS))
        if unknown:
            raise MappingError(
                f"{self.source}: not canonical fields: {', '.join(unknown)}; "
                f"fields a column can feed: {', '.join(MAPPABLE_FIELDS)}"
            )

    @property
    def key_columns(self) -> tuple[str, ...]:
        """Headers a file of this source must have at least one of: those feeding the
        identity and contact fields, or every mapped header when none feeds them.

        City or State alone do not make a file a TransUnion file."""
        keyed = [cols for field, cols in self.columns.items() if field in KEY_FIELDS]
        chosen = keyed or list(self.columns.values())
        return tuple(dict.fromkeys(col for cols in chosen for col in cols))

    def plan(self, header: Sequence[str]) -> ColumnPlan:
        return ColumnPlan(self, header)


def _raw_keys(header: Sequence[str]) -> tuple[str, ...]:
    """Stripped headers; blanks become ``(column N)``, repeats ``Header (2)``, ``(3)``..."""
    keys: list[str] = []
    taken: set[str] = set()
    for position, name in enumerate(header, start=1):
        base = name.strip() or f"(column {position})"
        key, occurrence = base, 1
        while key in taken:
            occurrence += 1
            key = f"{base} ({occurrence})"
        taken.add(key)
        keys.append(key)
    return tuple(keys)


class ColumnPlan:
    """A layout resolved against one header row, with its row mapper compiled.

    ``matched`` is false when the header has none of the layout's key columns. ``width``
    is the header's cell count; :attr:`record` (``record(number, row)``) expects rows of
    exactly that width and puts into ``fields`` only non-empty cells, values as the vendor
    sent them, whitespace included, for the rules to read.
    """

    __slots__ = ("headers", "mapping", "matched", "raw_keys", "record", "width")

    def __init__(self, layout: Layout, header: Sequence[str]) -> None:
        self.headers = tuple(name.strip() for name in header)
        self.raw_keys = _raw_keys(header)
        self.width = len(header)
        positions: dict[str, list[int]] = {}
        for index, name in enumerate(header):
            positions.setdefault(fold_header(name), []).append(index)

        single: list[tuple[str, int]] = []
        first_of: list[tuple[str, tuple[int, ...]]] = []
        joined: list[tuple[str, tuple[int, ...]]] = []
        phones: list[int] = []
        for field in PHONE_FIELDS:
            for col in layout.columns.get(field, ()):
                phones.extend(positions.get(fold_header(col), ()))
        claimed = set(phones)
        for field, cols in layout.columns.items():
            if field in PHONE_FIELDS:
                continue
            found = [positions.get(fold_header(col), []) for col in cols]
            firsts = tuple(occurrences[0] for occurrences in found if occurrences)
            claimed.update(firsts)
            if field in JOINED_FIELDS and len(firsts) > 1:
                joined.append((field, firsts))
            elif len(firsts) > 1:
                first_of.append((field, firsts))
            elif firsts:
                single.append((field, firsts[0]))

        self.matched = any(fold_header(col) in positions for col in layout.key_columns)
        self.mapping = RowMapping(
            single=tuple(single),
            first_of=tuple(first_of),
            joined=tuple(joined),
            constants=(("source", layout.source), *layout.constants.items()),
            phones=tuple(dict.fromkeys(phones)),
            extra=tuple(
                (self.raw_keys[index], index) for index in range(self.width) if index not in claimed
            ),
            raw_keys=self.raw_keys,
        )
        self.record: RecordBuilder = compile_row_mapper(self.mapping, name=layout.source)

    def raw(self, row: Sequence[str]) -> dict[str, str]:
        """The row keyed by header, as kept for failed-record export; a short row gives
        the cells it has."""
        return dict(zip(self.raw_keys, row, strict=False))
