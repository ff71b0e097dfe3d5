"""Compile a resolved column plan into a renderer: rows -> ``leadgate normalize`` lines.

The reference path builds a ``RawRecord`` (three dicts) per row, runs ``normalize_record``
(a dict of values, a ``Lead``) and encodes an ``OkLine``: about 10 microseconds a row,
most of it spent again on values the file repeats. The plan is fixed for the whole file,
and so is every output line but for its values. A :class:`LineRenderer` works on a chunk
of rows at a time, column by column: each Lead field's fragments for the whole chunk come
from one ``map`` of its producer (:mod:`pipeline.sources.fragments`; mostly a memo hit, in
C) over the field's column, or from :mod:`pipeline.sources.columns` for the whole column
at once, and :func:`~pipeline.sources.speedups.join_lines` interleaves them with the
line's constant template text; a memo's fragments carry the constant text before them.
No record, dict or struct is built per row. Where the C helpers are built
(:mod:`pipeline.sources.speedups`), the transposition, the join, memo lookups and the
columns of values that rarely repeat run without a Python call per cell.

A row whose record fails (no first name, no contact) gets its failed line from the same
fragments: its warnings, the reference's own error objects, and ``raw`` encoded by msgspec.
A plan the renderer cannot express exactly (no first-name column, a constant a rule
rejects, a credit field fed by alternative columns) gets no renderer at all, and the file
takes the reference path.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from itertools import repeat
from operator import itemgetter
from typing import Final, NamedTuple, cast

import msgspec

from pipeline.core.lead import LEAD_FIELDS, Lead
from pipeline.normalize import NormalizeConfig
from pipeline.sources import speedups
from pipeline.sources.columns import consent_url_column, whole_dollar_column
from pipeline.sources.fragments import (
    AMOUNT_FIELDS,
    NATIVE_COLUMNS,
    NO_PHONE,
    NULL,
    Memo,
    NativeColumn,
    PhoneSlot,
    Producer,
    Warned,
    Warning,
    address_producer,
    credit_producer,
    extra_prefix,
    extra_producer,
    field_producer,
    json_string,
    json_value,
    native_addresses,
    positions,
    prefixed,
)
from pipeline.sources.renderplan import (
    BY_ORDER,
    CONTACT_REQUIRED,
    CREDIT_FIELDS,
    FIRST_NAME_REQUIRED,
    column_of,
    nameable,
    row_struct,
    settle_plan,
)
from pipeline.sources.rowmapper import RowMapping
from pipeline.sources.speedups import join_lines, transpose

__all__ = ["LineRenderer", "RenderedChunk", "compile_line_renderer"]

_encode = msgspec.json.encode
_MEMO_TRIAL: Final = 8192
"""Cells a memo gets to show that its column repeats."""
_COLUMN_TRIAL: Final = 32
"""Chunks a column gets to show that it takes its column-at-once path."""


# The delivery errors as the failed line writes them: (code, JSON object).
_FIRST_NAME_REQUIRED: Final = (FIRST_NAME_REQUIRED.code, _encode(FIRST_NAME_REQUIRED).decode())
_CONTACT_REQUIRED: Final = (CONTACT_REQUIRED.code, _encode(CONTACT_REQUIRED).decode())
_AFTER_COMMA: Final = itemgetter(slice(1, None))
# Rules that never return ``Rejected``: their columns cannot carry warnings.
_NEVER_REJECTED: Final = frozenset(
    {"source_record_id", "address", "loan_type", "loan_purpose", "property_type", "property_use"}
)


class _Slot:
    """One fragment per row: ``producer`` over the cells of ``inputs`` (column indices;
    ``None`` stands for an absent column, a blank cell). ``warns`` is false for fields
    whose rules never reject."""

    __slots__ = (
        "_lookup",
        "_memo",
        "_misses_before_trial",
        "_seen",
        "inputs",
        "prefix",
        "producer",
        "warns",
    )

    def __init__(
        self,
        producer: Producer | Memo[str, str] | None,
        inputs: Sequence[int | None],
        *,
        warns: bool = True,
    ) -> None:
        self._memo = producer if isinstance(producer, Memo) else None
        self._seen = 0
        self._misses_before_trial = 0
        self.producer: Producer | None = (
            producer.__getitem__ if isinstance(producer, Memo) else producer
        )
        self.inputs = tuple(inputs)
        self.warns = warns
        self.prefix = ""
        # The memo of a one-column slot, while ``producer`` is its lookup.
        self._lookup = self._memo if len(self.inputs) == 1 and None not in self.inputs else None

    def take_prefix(self, prefix: str) -> bool:
        """Start every fragment with ``prefix`` (the line's constant text before this
        field) when that is free: a memo keeps fragments with their prefix, so the line
        has one piece fewer to join. False when the slot keeps its fragments as they are."""
        if self._memo is None or self._seen:
            return False
        self._memo.compute = prefixed(self._memo.compute, prefix)
        self.prefix = prefix
        return True

    def fragments(self, columns: Sequence[Sequence[str]], count: int) -> list[str]:
        assert self.producer is not None
        native = speedups.NATIVE
        if native is not None and self._lookup is not None:
            index = self.inputs[0]
            assert index is not None
            fragments = native.memo_fragments(columns[index], self._lookup)
        else:
            cells = [repeat("", count) if i is None else columns[i] for i in self.inputs]
            fragments = list(map(self.producer, *cells))
        if self._memo is not None:
            self._forget_unique_values(count)
        return fragments

    def _forget_unique_values(self, count: int) -> None:
        """Call the producer directly when nearly every cell of the second few thousand
        was new (the first ones are new in any column): a memo of a column that does not
        repeat only costs."""
        assert self._memo is not None
        self._seen += count
        if self._seen < _MEMO_TRIAL:
            self._misses_before_trial = self._memo.misses
        elif self._seen >= 2 * _MEMO_TRIAL:
            misses = self._memo.misses - self._misses_before_trial
            if misses * 10 > (self._seen - _MEMO_TRIAL) * 9:
                self.producer = self._memo.compute
                self._lookup = None
            self._memo = None


def _first_of(producer: Callable[[str], str]) -> Producer:
    def fragment(*cells: str) -> str:
        for cell in cells:
            if cell.strip():
                return producer(cell)
        return producer("")

    return fragment


def _joined(producer: Callable[[str], str]) -> Producer:
    def fragment(*cells: str) -> str:
        # Blank parts leave extra spaces, as in the row mapper.
        return producer(" ".join(cells).strip())

    return fragment


_ColumnAtOnce = Callable[[Sequence[str], str], list[str] | None]
"""A column's cells and the blank cell's fragment -> the column's fragments, or ``None``
when some cell needs its producer (:mod:`pipeline.sources.columns`)."""


class _ColumnSlot(_Slot):
    """A field fed by one column whose chunks usually take a whole-column path: its C
    helper when the extension is built, else its column-at-once function if it has one;
    the other chunks go cell by cell. A column whose chunks keep failing the
    column-at-once path stops trying."""

    __slots__ = ("_at_once", "_blank", "_chunks", "_declined", "_index", "_native")

    def __init__(
        self,
        producer: Producer | Memo[str, str],
        index: int,
        *,
        native: NativeColumn,
        at_once: _ColumnAtOnce | None = None,
        warns: bool = True,
    ) -> None:
        super().__init__(producer, (index,), warns=warns)
        assert self.producer is not None
        self._native = native
        self._at_once = at_once
        self._index = index
        self._blank = self.producer("")
        self._chunks = 0
        self._declined = 0

    def fragments(self, columns: Sequence[Sequence[str]], count: int) -> list[str]:
        cells = columns[self._index]
        if speedups.NATIVE is not None:
            assert self.producer is not None
            return self._native(speedups.NATIVE, cells, self._blank, self.producer)
        if self._at_once is not None:
            self._chunks += 1
            found = self._at_once(cells, self._blank)
            if found is not None:
                return found
            self._declined += 1
            if self._chunks >= _COLUMN_TRIAL and self._declined * 2 > self._chunks:
                self._at_once = None
        return self._by_cell(cells, columns, count)

    def take_prefix(self, prefix: str) -> bool:
        return False

    def _by_cell(
        self, cells: Sequence[str], columns: Sequence[Sequence[str]], count: int
    ) -> list[str]:
        return super().fragments(columns, count)


class _AmountColumn(_ColumnSlot):
    """An amount column: whole chunks at once while it holds only whole dollars. In a
    column that mixes them with bands (``$300,001 - $315,000``, which repeat), the bands
    come from a memo (a hit in C) and the rest of the chunk's cells, nearly all whole
    dollars, at once."""

    __slots__ = ("_memo_of",)

    def __init__(self, producer: Memo[str, str], native: NativeColumn, index: int) -> None:
        super().__init__(producer, index, native=native, at_once=whole_dollar_column)
        self._memo_of = producer

    def _by_cell(
        self, cells: Sequence[str], columns: Sequence[Sequence[str]], count: int
    ) -> list[str]:
        memo = self._memo_of
        # Fragments are never empty: "" marks a cell the memo does not hold.
        fragments = list(map(memo.get, cells, repeat("")))
        missing = positions(fragments, "")
        if missing:
            unknown = [cells[position] for position in missing]
            found = whole_dollar_column(unknown, self._blank)
            if found is None:
                found = list(map(memo.__getitem__, unknown))
            for position, fragment in zip(missing, found, strict=True):
                fragments[position] = fragment
        return fragments


class _HouseAndStreet(_Slot):
    """``address`` from a house-number column and a street column."""

    __slots__ = ()

    def fragments(self, columns: Sequence[Sequence[str]], count: int) -> list[str]:
        native = speedups.NATIVE
        if native is None:
            return super().fragments(columns, count)
        assert self.producer is not None
        house, street = self.inputs
        assert house is not None
        assert street is not None
        return native_addresses(native, columns[house], columns[street], self.producer)


class _ExtraColumn(_Slot):
    """An ``extra`` entry. Once its memo is dropped (a column of values that do not
    repeat, such as incomes), the C helper writes the plain cells."""

    __slots__ = ("_entry_prefix",)

    def __init__(self, key: str, index: int) -> None:
        super().__init__(extra_producer(key), (index,), warns=False)
        self._entry_prefix = extra_prefix(key)

    def fragments(self, columns: Sequence[Sequence[str]], count: int) -> list[str]:
        native = speedups.NATIVE
        if native is None or self._memo is not None or self._lookup is not None:
            return super().fragments(columns, count)
        assert self.producer is not None
        index = self.inputs[0]
        assert index is not None
        return native.prefixed_strings(columns[index], self._entry_prefix, self.producer)


class _PhoneColumns(_Slot):
    __slots__ = ("phones",)

    def __init__(self, phones: PhoneSlot, inputs: Sequence[int]) -> None:
        super().__init__(None, inputs)
        self.phones = phones

    def fragments(self, columns: Sequence[Sequence[str]], count: int) -> list[str]:
        return self.phones.fragments([columns[index] for index in self.inputs])  # type: ignore[index]


class RenderedChunk(NamedTuple):
    lines: list[str]
    """One line per row, without newlines."""
    failures: dict[int, tuple[str, ...]]
    """Rows whose records fail, by position, with their issue codes (for ``--summary``)."""


class LineRenderer:
    """Renders chunks of rows of one file (see :meth:`render`)."""

    __slots__ = (
        "_email",
        "_extra",
        "_first_name",
        "_no_email",
        "_no_first_name",
        "_phone",
        "_raw",
        "_raw_keys",
        "_slots",
        "_template",
    )

    def __init__(
        self,
        *,
        raw_keys: Sequence[str],
        slots: list[_Slot],
        extra: list[_Slot],
        template: Sequence[str | int],
        first_name: int,
        phone: int | None,
        email: int | None,
    ) -> None:
        self._raw_keys = raw_keys
        # A failed line's raw object, encoded from the row without a dict where it can be.
        self._raw = row_struct("Raw", raw_keys) if nameable(raw_keys) else None
        self._slots = slots
        self._extra = extra
        self._template = template
        self._first_name = first_name
        self._phone = phone
        self._email = email
        # A slot's fragments carry its prefix, if it took one.
        self._no_first_name = slots[first_name].prefix + NULL
        self._no_email = NULL if email is None else slots[email].prefix + NULL

    def render(self, rows: list[list[str]], first_number: int) -> RenderedChunk:
        """The lines of ``rows`` (at least one; non-blank, of the header's width),
        numbered from ``first_number``."""
        count = len(rows)
        columns = transpose(rows)
        values = [slot.fragments(columns, count) for slot in self._slots]
        warnings = self._warnings(values)
        texts: str | list[str] = ""
        if warnings:
            texts = [""] * count
            for position, found in warnings.items():
                texts[position] = ",".join([text for _, text, _ in found])
        entries: list[str] = []
        if self._extra:
            # Each extra entry starts with a comma; the first one written drops it.
            extra = [slot.fragments(columns, count) for slot in self._extra]
            entries = list(map(_AFTER_COMMA, join_lines(extra)))
        numbers = list(map(str, range(first_number, first_number + count)))
        inputs = (numbers, *values, entries, texts)
        lines = join_lines(
            [inputs[piece] if isinstance(piece, int) else piece for piece in self._template]
        )
        failures: dict[int, tuple[str, ...]] = {}
        for position, errors in self._failures(values).items():
            found = warnings.get(position, [])
            lines[position] = self._failed_line(
                first_number + position, rows[position], [text for _, text, _ in found], errors
            )
            failures[position] = (*(code for _, _, code in found), *(code for code, _ in errors))
        return RenderedChunk(lines, failures)

    def _failures(self, values: list[list[str]]) -> dict[int, tuple[tuple[str, str], ...]]:
        """The rows whose records fail, with the errors the reference adds to their
        warnings: ``(code, JSON object)`` in the reference's order."""
        failures: dict[int, tuple[tuple[str, str], ...]] = {}
        no_contact: list[int] = []
        if self._phone is not None:
            no_contact = positions(values[self._phone], NO_PHONE)
            if self._email is not None:
                emails = values[self._email]
                no_email = self._no_email
                no_contact = [position for position in no_contact if emails[position] == no_email]
        elif self._email is not None:
            no_contact = positions(values[self._email], self._no_email)
        for position in positions(values[self._first_name], self._no_first_name):
            failures[position] = (_FIRST_NAME_REQUIRED,)
        for position in no_contact:
            failures[position] = (*failures.get(position, ()), _CONTACT_REQUIRED)
        return failures

    def _failed_line(
        self,
        number: int,
        row: Sequence[str],
        warnings: list[str],
        errors: Iterable[tuple[str, str]],
    ) -> str:
        issues = ",".join([*warnings, *(text for _, text in errors)])
        raw = (
            _encode(self._raw(*row))
            if self._raw is not None
            else _encode(dict(zip(self._raw_keys, row, strict=True)))
        ).decode()
        return f'{{"record":{number},"status":"failed","errors":[{issues}],"raw":{raw}}}'

    def _warnings(self, values: list[list[str]]) -> dict[int, list[Warning]]:
        """The warnings of the rows that have any, by position, in the reference's order."""
        found: dict[int, list[Warning]] = {}
        for index in speedups.warned(values):
            if self._slots[index].warns:
                column = values[index]
                # The types in C, then their scan in C: fewer Python steps per cell.
                for position in positions(list(map(type, column)), Warned):
                    found.setdefault(position, []).extend(cast(Warned, column[position]).warnings)
        for row in found.values():
            if len(row) > 1:
                row.sort(key=BY_ORDER)
        return found


class _Template:
    """The output line: constant text and, as ints, the places of value columns."""

    def __init__(self) -> None:
        self._pieces: list[str | int] = []
        self._text: list[str] = []

    def text(self, text: str) -> None:
        self._text.append(text)

    def value(self, column: int) -> None:
        self._flush()
        self._pieces.append(column)

    def done(self) -> list[str | int]:
        self._flush()
        return self._pieces

    def _flush(self) -> None:
        if self._text:
            self._pieces.append("".join(self._text))
            self._text.clear()


def _field_slot(field: str, mapping: RowMapping, order: int) -> _Slot:
    producer = field_producer(field, order=order)
    call = producer.__getitem__ if isinstance(producer, Memo) else producer
    warns = field not in _NEVER_REJECTED
    for name, index in mapping.single:
        if name == field:
            native = NATIVE_COLUMNS.get(field)
            if field in AMOUNT_FIELDS:
                assert isinstance(producer, Memo)
                assert native is not None
                return _AmountColumn(producer, native, index)
            if field == "consent_url":
                assert native is not None
                return _ColumnSlot(producer, index, native=native, at_once=consent_url_column)
            if native is not None:
                return _ColumnSlot(producer, index, native=native, warns=warns)
            return _Slot(producer, (index,), warns=warns)
    for name, indices in mapping.first_of:
        if name == field:
            return _Slot(_first_of(call), indices, warns=warns)
    for name, indices in mapping.joined:
        if name == field:
            if field == "address" and len(indices) == 2:
                return _HouseAndStreet(address_producer(), indices, warns=warns)
            return _Slot(_joined(call), indices, warns=warns)
    raise AssertionError(f"{field} is not fed by a column")


def compile_line_renderer(mapping: RowMapping, *, config: NormalizeConfig) -> LineRenderer | None:
    """The renderer for ``mapping`` under ``config``, or ``None`` when this plan must use
    the reference path for every row."""
    plan = settle_plan(mapping)
    if plan is None:
        return None
    fields, credit = plan.fields, plan.credit
    constants = {field: json_value(value) for field, value in plan.constants.items()}

    slots: list[_Slot] = []
    # The value column of a field's slot: 0 holds the record numbers.
    columns: dict[str, int] = {}

    def add(slot: _Slot, *names: str) -> None:
        slots.append(slot)
        columns[names[0]] = len(slots)

    for field in fields:
        if field not in CREDIT_FIELDS:
            add(_field_slot(field, mapping, fields.index(field)), field)
    if credit:
        score, grade = (fields.index(f) if f in fields else 0 for f in CREDIT_FIELDS)
        inputs = [column_of(field, mapping) for field in CREDIT_FIELDS]
        producer = credit_producer(
            config.credit_grade_scores,
            orders=(score, grade, len(fields)),
            pair=inputs[1] is not None,
        )
        add(_Slot(producer, inputs if inputs[1] is not None else inputs[:1]), *CREDIT_FIELDS)
    if mapping.phones:
        add(_PhoneColumns(PhoneSlot(order=len(fields) + 1), mapping.phones), "phone", "alt_phones")
    extra: list[_Slot] = [_ExtraColumn(key, index) for key, index in mapping.extra]

    defaults = Lead(source="")
    line = _Template()
    line.text('{"record":')
    line.value(0)
    line.text(',"status":"ok","lead":{')
    # Fields written by the slot of the field before them.
    covered = {"alt_phones"} if "phone" in columns else set()
    if "credit_score" in columns:
        covered.add("credit_grade")
    for position, field in enumerate(LEAD_FIELDS):
        if field in covered:
            continue
        line.text(("," if position else "") + json_string(field) + ":")
        if field == "extra":
            line.text("{")
            if extra:
                line.value(len(slots) + 1)
            line.text("}")
        elif field in columns:
            line.value(columns[field])
        else:
            line.text(constants.get(field, json_value(getattr(defaults, field))))
    line.text('},"warnings":[')
    line.value(len(slots) + 2)
    line.text("]}")

    template = line.done()
    for position in range(len(template) - 1, 0, -1):
        text, column = template[position - 1], template[position]
        # The text before a slot's value, folded into its fragments where that is free.
        if (
            type(text) is str
            and type(column) is int
            and 0 < column <= len(slots)
            and slots[column - 1].take_prefix(text)
        ):
            del template[position - 1]
    return LineRenderer(
        raw_keys=mapping.raw_keys,
        slots=slots,
        extra=extra,
        template=template,
        first_name=columns["first_name"] - 1,
        phone=len(slots) - 1 if mapping.phones else None,
        email=columns["email"] - 1 if "email" in columns else None,
    )
