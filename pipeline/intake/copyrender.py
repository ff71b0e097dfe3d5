"""Compile a resolved column plan into a renderer: rows -> binary COPY rows for staging.

The reference path builds a ``RawRecord`` per row, runs ``normalize_record``, turns the
``Lead`` into a tuple and has psycopg dump it value by value: about 20 microseconds a row,
most of it spent again on values the file repeats. A :class:`CopyRenderer` works on a chunk
of rows at a time, column by column, as ``leadgate normalize``'s line renderer does
(:mod:`pipeline.sources.linebuilder`): each slot of the staged row gets its pieces for the
whole chunk from :mod:`pipeline.intake.copyfields` (mostly memo hits, in C), and
``map(b"".join, zip(...))`` interleaves them with the row's constant bytes. ``raw`` (the
row's cells, :mod:`pipeline.core.rawrows`) and ``extra`` are JSON written by msgspec.

A row whose record fails (no first name, no contact) becomes a failed_staging row from the
same pieces: its warnings, the reference's own error objects, and ``raw``. A plan the
renderer cannot express exactly gets no renderer, and the file takes the reference path.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import compress, repeat
from operator import itemgetter
from typing import Final, NamedTuple

import msgspec

from pipeline.core.lead import LEAD_FIELDS, Lead
from pipeline.intake.copyfields import (
    NO_PHONE,
    Column,
    Warned,
    Warning,
    credit_column,
    field_column,
    phone_column,
)
from pipeline.intake.copyformat import EMPTY_TEXT_ARRAY, NULL, length, text_field, value_field
from pipeline.normalize import NormalizeConfig, compliance_hold_reason
from pipeline.sources.fragments import Memo, positions
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

__all__ = ["CopyRenderer", "RenderedRows", "compile_copy_renderer"]

_encode = msgspec.json.encode
_LEAD_HEAD: Final = length(4)
"""A lead row's body starts with its record number's length: record_number, hold_reason,
warnings, raw, then the Lead's fields but ``source``, ``extra`` last. Staging puts the
field count and the leading link fields in front (:mod:`pipeline.intake.links`)."""
_FAILURE_HEAD: Final = (3).to_bytes(2, "big") + length(4)
_NO_WARNINGS: Final = text_field("[]")
_AFTER_COMMA: Final = itemgetter(slice(1, None))
_TRIGGER: Final = text_field("trigger")
_PHONE_FIELD: Final = itemgetter(slice(0, 14))


_FIRST_NAME_REQUIRED: Final = _encode(FIRST_NAME_REQUIRED)
_CONTACT_REQUIRED: Final = _encode(CONTACT_REQUIRED)


def _json_list(items: list[bytes]) -> bytes:
    """A text field holding the JSON list of these JSON values."""
    body = b"[" + b",".join(items) + b"]"
    return length(len(body)) + body


class RenderedRows(NamedTuple):
    rows: list[bytes]
    """One binary COPY row per record, in record order: a failed_staging row, or a
    lead_staging row's body (its fields from ``record_number`` on)."""
    failed: list[int]
    """Positions of the failed_staging rows; the others are lead bodies."""
    record_ids: list[bytes]
    """Each row's dedupe keys as binary COPY text fields (``NULL`` for none): vendor record
    id, phone, email. Only the leads' mean anything."""
    phones: list[bytes]
    emails: list[bytes]


class _Hold:
    """hold_reason for a chunk: constant unless some rows are trigger leads, whose reason
    depends on their trigger date (``compliance_hold_reason``, once per distinct date)."""

    __slots__ = ("_constant", "_date", "_date_constant", "_kind", "_reasons")

    def __init__(
        self,
        config: NormalizeConfig,
        *,
        kind: int | bytes,
        date: int | bytes,
    ) -> None:
        def reason(date_field: bytes) -> bytes:
            date_text = None if date_field == NULL else date_field[4:].decode()
            lead = Lead(source="", lead_kind="trigger", trigger_date=date_text)
            return text_field(compliance_hold_reason(lead, config=config))

        self._reasons: Memo[bytes, bytes] = Memo(reason)
        self._kind = kind
        self._date = date
        self._constant: bytes | None = None
        if kind != _TRIGGER and not isinstance(kind, int):
            self._constant = NULL
        elif isinstance(date, bytes) and not isinstance(kind, int):
            self._constant = self._reasons[date]

    def pieces(self, values: list[list[bytes]], count: int) -> Iterable[bytes]:
        if self._constant is not None:
            return repeat(self._constant, count)
        dates = repeat(self._date, count) if isinstance(self._date, bytes) else values[self._date]
        if isinstance(self._kind, bytes):
            return list(map(self._reasons.__getitem__, dates))
        holds = [NULL] * count
        dates = list(dates)
        for position in positions(values[self._kind], _TRIGGER):
            holds[position] = self._reasons[dates[position]]
        return holds


class CopyRenderer:
    """Renders chunks of rows of one file (see :meth:`render`)."""

    __slots__ = (
        "_email",
        "_email_key",
        "_extra",
        "_extra_columns",
        "_first_name",
        "_hold",
        "_phone",
        "_phone_key",
        "_raw",
        "_record_id_key",
        "_slots",
        "_template",
    )

    def __init__(
        self,
        *,
        raw_keys: Sequence[str],
        slots: list[Column],
        extra: Sequence[tuple[str, int]],
        template: Sequence[bytes | int],
        hold: _Hold,
        first_name: int,
        phone: int | None,
        email: int | None,
        keys: tuple[int | bytes, int | bytes, int | bytes],
    ) -> None:
        # msgspec writes a struct as the JSON object of its (renamed) fields, in C.
        self._raw = row_struct("Raw", raw_keys)
        self._extra = row_struct("Extra", [key for key, _ in extra], omit_blank=True)
        self._extra_columns = [index for _, index in extra]
        self._slots = slots
        self._template = template
        self._hold = hold
        self._first_name = first_name
        self._phone = phone
        self._email = email
        # Where each dedupe key comes from: a slot's pieces, or a constant field.
        self._record_id_key, self._phone_key, self._email_key = keys

    def render(self, rows: Sequence[Sequence[str]], first_number: int) -> RenderedRows:
        """The COPY rows of ``rows`` (non-blank, of the header's width), numbered from
        ``first_number``."""
        count = len(rows)
        columns = list(zip(*rows, strict=True))
        values = [slot.pieces(columns, count) for slot in self._slots]
        # A lead's raw is its cells (the batch keeps the header once: pipeline.core.rawrows).
        raws = list(map(_encode, rows))
        warnings = self._warnings(values)
        texts: Iterable[bytes] = repeat(_NO_WARNINGS)
        if warnings:
            texts = [_NO_WARNINGS] * count
            for position, found in warnings.items():
                texts[position] = _json_list([text for _, text, _ in found])
        extra = self._extra_objects(columns, count)
        numbers = map(length, range(first_number, first_number + count))
        inputs: list[Iterable[bytes]] = [
            numbers,
            self._hold.pieces(values, count),
            texts,
            map(length, map(len, raws)),
            raws,
            *values,
            map(length, map(len, extra)),
            extra,
        ]
        pieces = [
            inputs[piece] if type(piece) is int else repeat(piece) for piece in self._template
        ]
        # The constant pieces never end: the value columns decide the length.
        out = list(map(b"".join, zip(*pieces, strict=False)))
        failed = self._failures(values)
        for position, errors in failed.items():
            issues = [text for _, text, _ in warnings.get(position, [])] + errors
            # A failed record keeps its row as the object the export reads.
            raw = _encode(self._raw(*rows[position]))
            out[position] = (
                _FAILURE_HEAD
                + length(first_number + position)
                + _json_list(issues)
                + length(len(raw))
                + raw
            )
        return RenderedRows(out, sorted(failed), *self._keys(values, count))

    def _keys(self, values: list[list[bytes]], count: int) -> tuple[list[bytes], ...]:
        """Each row's vendor record id, phone and email fields."""
        record_ids, phones, emails = (
            list(values[key]) if isinstance(key, int) else [key] * count
            for key in (self._record_id_key, self._phone_key, self._email_key)
        )
        if isinstance(self._phone_key, int):
            # A phone piece is the phone's field (ten digits) and then alt_phones'.
            phones = list(map(_PHONE_FIELD, phones))
            for position in positions(values[self._phone_key], NO_PHONE):
                phones[position] = NULL
        return record_ids, phones, emails

    def _extra_objects(self, columns: Sequence[Sequence[str]], count: int) -> list[bytes]:
        """``extra`` as msgspec encodes the record's dict: the non-blank unclaimed cells."""
        cells = [columns[index] for index in self._extra_columns]
        objects = list(map(_encode, map(self._extra, *cells))) if cells else [b"{}"] * count
        # A cell of whitespace is blank too; omit_defaults only leaves out empty ones.
        for column in cells:
            if any(map(str.isspace, column)):
                for position in compress(range(count), map(str.isspace, column)):
                    row = [column[position] for column in cells]
                    objects[position] = _encode(self._extra(*(c if c.strip() else "" for c in row)))
        return objects

    def _failures(self, values: list[list[bytes]]) -> dict[int, list[bytes]]:
        """The rows whose records fail, with the errors the reference adds to their
        warnings, in the reference's order."""
        failures: dict[int, list[bytes]] = {}
        count = len(values[self._first_name])
        no_contact: Iterable[int] = range(count)
        if self._phone is not None:
            no_contact = positions(values[self._phone], NO_PHONE)
        if self._email is not None:
            emails = values[self._email]
            no_contact = [position for position in no_contact if emails[position] == NULL]
        for position in positions(values[self._first_name], NULL):
            failures[position] = [_FIRST_NAME_REQUIRED]
        for position in no_contact:
            failures.setdefault(position, []).append(_CONTACT_REQUIRED)
        return failures

    def _warnings(self, values: list[list[bytes]]) -> dict[int, list[Warning]]:
        """The warnings of the rows that have any, by position, in the reference's order."""
        found: dict[int, list[Warning]] = {}
        for slot, pieces in zip(self._slots, values, strict=True):
            if slot.warns and Warned in set(map(type, pieces)):
                for position, piece in enumerate(pieces):
                    if type(piece) is Warned:
                        found.setdefault(position, []).extend(piece.warnings)
        for row in found.values():
            if len(row) > 1:
                row.sort(key=BY_ORDER)
        return found


def _column(field: str, mapping: RowMapping, order: int) -> Column:
    for name, index in mapping.single:
        if name == field:
            return field_column(field, (index,), order=order, how="single")
    for name, indices in mapping.first_of:
        if name == field:
            return field_column(field, indices, order=order, how="first_of")
    for name, indices in mapping.joined:
        if name == field:
            return field_column(field, indices, order=order, how="joined")
    raise AssertionError(f"{field} is not fed by a column")


def compile_copy_renderer(mapping: RowMapping, *, config: NormalizeConfig) -> CopyRenderer | None:
    """The renderer for ``mapping`` under ``config``, or ``None`` when this plan must use
    the reference path for every row."""
    plan = settle_plan(mapping)
    if plan is None or not nameable(mapping.raw_keys):
        return None
    constants, fields, credit = plan

    slots: list[Column] = []
    # Where a field's pieces are among the row's inputs: 5 holds the first slot's.
    places: dict[str, int] = {}

    def add(slot: Column, *names: str) -> None:
        places[names[0]] = 5 + len(slots)
        slots.append(slot)

    for field in fields:
        if field not in CREDIT_FIELDS:
            add(_column(field, mapping, fields.index(field)), field)
    if credit:
        score, grade = (fields.index(f) if f in fields else 0 for f in CREDIT_FIELDS)
        inputs = [column_of(field, mapping) for field in CREDIT_FIELDS]
        orders = (score, grade, len(fields))
        add(credit_column(config.credit_grade_scores, inputs, orders=orders), *CREDIT_FIELDS)
    if mapping.phones:
        add(phone_column(mapping.phones, order=len(fields) + 1), "phone", "alt_phones")

    defaults = Lead(source="")
    template: list[bytes | int] = [_LEAD_HEAD, 0, 1, 2, 3, 4]
    covered = {"alt_phones"} if "phone" in places else set()
    if "credit_score" in places:
        covered.add("credit_grade")
    for field in LEAD_FIELDS[1:-1]:
        if field in covered:
            continue
        if field in places:
            template.append(places[field])
        elif field == "alt_phones":
            template.append(EMPTY_TEXT_ARRAY)
        else:
            template.append(value_field(field, constants.get(field, getattr(defaults, field))))
    extra_at = 5 + len(slots)
    template += [extra_at, extra_at + 1]

    merged: list[bytes | int] = []
    for piece in template:
        if isinstance(piece, bytes) and merged and isinstance(merged[-1], bytes):
            merged[-1] += piece
        else:
            merged.append(piece)

    def source_of(field: str) -> int | bytes:
        if field in places:
            return places[field] - 5
        return value_field(field, constants.get(field, getattr(defaults, field)))

    hold = _Hold(config, kind=source_of("lead_kind"), date=source_of("trigger_date"))
    keys = (source_of("source_record_id"), source_of("phone"), source_of("email"))
    return CopyRenderer(
        raw_keys=mapping.raw_keys,
        slots=slots,
        extra=mapping.extra,
        template=merged,
        hold=hold,
        first_name=places["first_name"] - 5,
        phone=places["phone"] - 5 if "phone" in places else None,
        email=places["email"] - 5 if "email" in places else None,
        keys=keys,
    )
