"""What the cells of a chunk's column contribute to staged leads, as binary COPY fields.

The compiled staging renderer (:mod:`pipeline.intake.copyrender`) writes a staged lead row
by joining constant bytes with pieces: one per row for each value column, each a whole
COPY field (or two adjacent ones: ``phone`` with ``alt_phones``, ``credit_score`` with
``credit_grade``). Every piece comes from the rules ``normalize_record`` applies
(:func:`pipeline.normalize.normalize_field`, ``choose_phones``, ``apply_grade_scores``)
and :mod:`pipeline.intake.copyformat`, so it is byte for byte what the reference path's
psycopg dumpers write (``tests/unit/intake/test_compiled_staging.py`` holds it to that). A
piece whose rule warned is a :class:`Warned` bytes object carrying the warnings.

Values that repeat across a file (names, towns, states, ZIPs, scores, rates, dates,
yes/no) go through a :class:`~pipeline.sources.fragments.Memo` of the cell; values that
rarely repeat are computed per cell with a short exact path for their common shape, or a
whole column at a time with ``str`` and ``bytes`` methods that run in C (whole-dollar
amounts, one-host consent URLs, record ids, the JSON of ``raw`` and ``extra``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from itertools import compress, repeat
from operator import itemgetter
from typing import Final, Protocol, cast

import msgspec

from pipeline.core.lead import Lead
from pipeline.core.records import FieldIssue
from pipeline.intake.copyformat import (
    EMPTY_TEXT_ARRAY,
    NULL,
    TEXT_OID,
    amount_fields,
    array_head,
    length,
    text_array_field,
    value_field,
)
from pipeline.normalize import normalize_field
from pipeline.normalize.contact import drop_phone_punctuation, normalize_email, normalize_phone
from pipeline.normalize.credit import apply_grade_scores
from pipeline.normalize.issues import Rejected
from pipeline.normalize.postal import normalize_address
from pipeline.sources.columns import consent_url_column, whole_dollar_column
from pipeline.sources.fragments import AMOUNT_FIELDS, MEMO_LIMIT, Memo, positions

__all__ = [
    "NO_PHONE",
    "Column",
    "Warned",
    "Warning",
    "credit_column",
    "field_column",
    "phone_column",
]

_encode = msgspec.json.encode
_DEFAULTS: Final = Lead(source="")

Warning = tuple[int, bytes, str]
"""``(order, JSON object, code)``: ``order`` is the warning's place in the reference's
``warnings`` list."""


class Warned(bytes):
    """A piece whose rule warned, carrying its warnings."""

    warnings: tuple[Warning, ...]


def _warned(piece: bytes, warnings: tuple[Warning, ...]) -> bytes:
    if not warnings:
        return piece
    result = Warned(piece)
    result.warnings = warnings
    return result


def _warning(order: int, field: str, rejected: Rejected) -> Warning:
    issue = FieldIssue(field=field, code=rejected.code, message=rejected.message)
    return order, _encode(issue), rejected.code


class Column(Protocol):
    """A chunk's pieces for one slot of the row, from the chunk's columns of cells."""

    warns: bool

    def pieces(self, columns: Sequence[Sequence[str]], count: int) -> list[bytes]: ...


def _by_rule(name: str, order: int) -> Callable[[str], bytes]:
    """A field's piece straight from its rule; a blank cell is an absent field."""
    default = value_field(name, getattr(_DEFAULTS, name))

    def piece(cell: str) -> bytes:
        if not cell:
            return default
        value, rejected = normalize_field(name, cell)
        warnings = () if rejected is None else (_warning(order, name, rejected),)
        return _warned(value_field(name, value), warnings)

    return piece


class _ZipMemo(Memo[str, bytes]):
    """ZIP pieces: a ZIP+4 (nearly unique) reads as its first part (repeating), the way
    ``normalize_zip``'s pattern keeps only the first group."""

    __slots__ = ()

    def __missing__(self, key: str) -> bytes:
        head, dash, tail = key.partition("-")
        if (
            dash
            and len(tail) == 4
            and 3 <= len(head) <= 5
            and (head + tail).isdigit()
            and key.isascii()
        ):
            return self[head]
        return super().__missing__(key)


class _CaselessMemo(Memo[str, bytes]):
    """Name pieces (first and last names, towns): ``normalize_name`` reads an ASCII name
    without regard to case and surrounding whitespace (it splits on whitespace and cases
    each word from its lower-case form), so ``SMITH``, ``smith`` and `` Smith`` share
    one computation, of the name stripped and lower-cased."""

    __slots__ = ()

    def __missing__(self, key: str) -> bytes:
        if key.isascii() and (folded := key.strip().lower()) != key:
            value = self[folded]
            self.misses += 1
            if len(self) >= MEMO_LIMIT:
                self.clear()
            self[key] = value
            return value
        return super().__missing__(key)


def _street_line(street: str) -> bytes | None:
    """The UTF-8 text after ``"N "`` in the normalized street line ``N <street>``, or
    ``None`` when the street does not normalize apart from its house number.

    ``normalize_address`` reads a leading run of ASCII digits as the house number and keeps
    it as written, so the rest of the line depends on the street alone.
    """
    line = normalize_address("1 " + street)
    if line is None or not line.startswith("1 "):
        return None
    return line[2:].encode()


def _address(by_rule: Callable[[str], bytes]) -> Callable[..., bytes]:
    """``address`` from one cell, or from a house-number cell and a street cell."""
    streets: Memo[str, bytes | None] = Memo(_street_line)

    def line(house: str, rest: bytes) -> bytes:
        return length(len(house) + 1 + len(rest)) + house.encode() + b" " + rest

    def one_cell(cell: str) -> bytes:
        house, space, street = cell.partition(" ")
        if space and house.isdigit() and house.isascii() and (rest := streets[street]):
            return line(house, rest)
        return by_rule(cell)

    def two_cells(house: str, street: str) -> bytes:
        # Joined with a space as the row mapper joins them; with a house number of ASCII
        # digits the join only loses the street's trailing whitespace.
        if house.isdigit() and house.isascii() and (rest := streets[street.rstrip()]):
            return line(house, rest)
        return by_rule(f"{house} {street}".strip())

    return lambda *cells: one_cell(*cells) if len(cells) == 1 else two_cells(*cells)


def _email(by_rule: Callable[[str], bytes]) -> Callable[[str], bytes]:
    def piece(cell: str) -> bytes:
        # A valid address is ASCII: its length is its byte count.
        if cell and type(email := normalize_email(cell)) is str:
            return length(len(email)) + email.encode()
        return by_rule(cell)

    return piece


# Fields whose values repeat across a file: worth a memo per distinct cell.
_REPEATING: Final = frozenset(
    {
        "lead_kind", "first_name", "last_name", "city", "state", "zip", "current_rate",
        "second_rate", "ltv", "cash_out", "found_home", "va_eligible", "has_second_mortgage",
        "loan_type", "loan_purpose", "property_type", "property_use", "mortgage_open_date",
        "trigger_date", "credit_grade",
    }
)  # fmt: skip
# Rules that never return ``Rejected``: their columns cannot carry warnings.
_NEVER_REJECTED: Final = frozenset(
    {"source_record_id", "address", "loan_type", "loan_purpose", "property_type", "property_use"}
)


class _MemoColumn:
    """A field fed by one column of repeating values."""

    __slots__ = ("_index", "_lookup", "warns")

    def __init__(self, memo: Memo[str, bytes], index: int, *, warns: bool) -> None:
        self._lookup = memo.__getitem__
        self._index = index
        self.warns = warns

    def pieces(self, columns: Sequence[Sequence[str]], count: int) -> list[bytes]:
        return list(map(self._lookup, columns[self._index]))


class _CellColumn:
    """A field computed per row from its input columns (``None``: a blank cell)."""

    __slots__ = ("_inputs", "_piece", "warns")

    def __init__(
        self, piece: Callable[..., bytes], inputs: Sequence[int | None], *, warns: bool
    ) -> None:
        self._piece = piece
        self._inputs = tuple(inputs)
        self.warns = warns

    def pieces(self, columns: Sequence[Sequence[str]], count: int) -> list[bytes]:
        cells = [repeat("", count) if index is None else columns[index] for index in self._inputs]
        return list(map(self._piece, *cells))


_UNQUOTE: Final = itemgetter(slice(1, -1))


def _text_fields(texts: Sequence[str], blank: str) -> list[bytes]:
    """Text fields of ``texts`` (NULL where a text is ``blank``), in C."""
    payloads = list(map(str.encode, texts))
    fields = list(map(bytes.__add__, map(length, map(len, payloads)), payloads))
    for position in positions(texts, blank):
        fields[position] = NULL
    return fields


class _IdentifierColumn:
    """``source_record_id``: the cell trimmed, blank is NULL (``normalize_identifier``)."""

    __slots__ = ("_index",)
    warns = False

    def __init__(self, index: int) -> None:
        self._index = index

    def pieces(self, columns: Sequence[Sequence[str]], count: int) -> list[bytes]:
        return _text_fields(list(map(str.strip, columns[self._index])), "")


class _ConsentUrlColumn:
    """``consent_url``: whole chunks of one certificate host at once, else per cell."""

    __slots__ = ("_by_rule", "_index")
    warns = True

    def __init__(self, index: int, by_rule: Callable[[str], bytes]) -> None:
        self._index = index
        self._by_rule = by_rule

    def pieces(self, columns: Sequence[Sequence[str]], count: int) -> list[bytes]:
        cells = columns[self._index]
        found = consent_url_column(cells, "")
        if found is None:
            return list(map(self._by_rule, cells))
        # The URLs it accepts are JSON strings without escapes.
        return _text_fields(list(map(_UNQUOTE, found)), "")


class _AmountColumn:
    """An amount column: whole chunks at once while it holds only whole dollars. Bands
    (``$300,001 - $315,000``, which repeat) come from a memo, and the rest of such a
    chunk's cells, nearly all whole dollars, at once."""

    __slots__ = ("_index", "_memo")
    warns = True

    def __init__(self, index: int, by_rule: Callable[[str], bytes]) -> None:
        self._index = index
        self._memo: Memo[str, bytes] = Memo(by_rule)

    def pieces(self, columns: Sequence[Sequence[str]], count: int) -> list[bytes]:
        cells = columns[self._index]
        found = _whole_dollars(cells)
        if found is not None:
            return found
        memo = self._memo
        # Pieces are never empty: b"" marks a cell the memo does not hold.
        pieces = list(map(memo.get, cells, repeat(b"")))
        missing = positions(pieces, b"")
        if missing:
            computed = _amounts([cells[position] for position in missing], memo)
            for position, piece in zip(missing, computed, strict=True):
                pieces[position] = piece
        return pieces


def _amounts(cells: Sequence[str], memo: Memo[str, bytes]) -> list[bytes]:
    """The pieces of amount cells: halves at once until the few cells that are not whole
    dollars are found, and those from the memo."""
    found = _whole_dollars(cells)
    if found is not None:
        return found
    if len(cells) <= 8:
        return list(map(memo.__getitem__, cells))
    half = len(cells) // 2
    return _amounts(cells[:half], memo) + _amounts(cells[half:], memo)


def _whole_dollars(cells: Sequence[str]) -> list[bytes] | None:
    # The column path writes each value as msgspec does a float ("250000.0"): its digits
    # are the numeric text of that float.
    found = whole_dollar_column(cells, "")
    if found is None:
        return None
    blanks = positions(found, "")
    fields = amount_fields(map(_WITHOUT_POINT_ZERO, found))
    for position in blanks:
        fields[position] = NULL
    return fields


_WITHOUT_POINT_ZERO: Final = itemgetter(slice(0, -2))


def field_column(name: str, inputs: Sequence[int], *, order: int, how: str) -> Column:
    """The column of Lead field ``name`` fed by the cells of ``inputs``: one column
    (``how="single"``), the first non-blank of several (``"first_of"``) or their join
    (``"joined"``); its warning takes place ``order`` in the row's warnings."""
    by_rule = _by_rule(name, order)
    warns = name not in _NEVER_REJECTED
    if how == "first_of":

        def first_of(*cells: str) -> bytes:
            return by_rule(next((cell for cell in cells if cell.strip()), ""))

        return _CellColumn(first_of, inputs, warns=warns)
    if how == "joined":
        if name == "address" and len(inputs) == 2:
            return _CellColumn(_address(by_rule), inputs, warns=warns)
        # Blank parts leave extra spaces, as in the row mapper.
        return _CellColumn(lambda *cells: by_rule(" ".join(cells).strip()), inputs, warns=warns)
    (index,) = inputs
    if name == "zip":
        return _MemoColumn(_ZipMemo(by_rule), index, warns=warns)
    if name in {"first_name", "last_name", "city"}:
        return _MemoColumn(_CaselessMemo(by_rule), index, warns=warns)
    if name in _REPEATING:
        return _MemoColumn(Memo(by_rule), index, warns=warns)
    if name == "email":
        return _CellColumn(_email(by_rule), inputs, warns=warns)
    if name == "source_record_id":
        return _IdentifierColumn(index)
    if name == "address":
        return _CellColumn(_address(by_rule), inputs, warns=warns)
    if name == "consent_url":
        return _ConsentUrlColumn(index, by_rule)
    if name in AMOUNT_FIELDS:
        return _AmountColumn(index, by_rule)
    return _CellColumn(by_rule, inputs, warns=warns)


def credit_column(
    grade_scores: Mapping[str, int],
    inputs: Sequence[int | None],
    *,
    orders: tuple[int, int, int],
) -> Column:
    """``credit_score`` and ``credit_grade`` together, settled as ``normalize_record`` does:
    a grade becomes the tenant's score for it. ``inputs`` are the score column and the
    grade column (``None``: no such column); ``orders`` places the score's warning, the
    grade's and the unknown-grade warning."""
    names = ("credit_score", "credit_grade")

    def piece(*cells: str) -> bytes:
        values: dict[str, object] = {}
        warnings: list[Warning] = []
        for name, cell, order in zip(names, cells, orders, strict=False):
            if cell:
                values[name], rejected = normalize_field(name, cell)
                if rejected is not None:
                    warnings.append(_warning(order, name, rejected))
        credit = values.get("credit_score")
        if type(credit) is str or (credit is None and "credit_grade" in values):
            issue = apply_grade_scores(values, grade_scores)
            if issue is not None:
                warnings.append(_warning(orders[2], "credit_score", issue))
        score = value_field("credit_score", values.get("credit_score"))
        return _warned(
            score + value_field("credit_grade", values.get("credit_grade")), tuple(warnings)
        )

    score, grade = inputs
    if score is not None and grade is None:
        return _MemoColumn(Memo(piece), score, warns=True)
    return _CellColumn(piece, inputs, warns=True)


NO_PHONE: Final = NULL + EMPTY_TEXT_ARRAY
"""The phone piece of a row without a valid phone."""
_NANP_FIRST_DIGITS: Final = frozenset("23456789")
_TEN_DIGITS: Final = length(10)


def _area_and_exchange(head: str) -> str:
    """The six digits a valid number starts with when its cell is ``head`` followed by
    four ASCII digits, or ``""`` when ``normalize_phone``'s first branch would not accept
    it (it drops ``-() .+`` and reads ten digits, or eleven after a leading 1; the area
    code and exchange start with 2-9, the area code is no N11). One digit ten times is
    left to the rule, so ``six + tail`` is always valid."""
    digits = drop_phone_punctuation(head)
    if len(digits) == 7 and digits[0] == "1":
        digits = digits[1:]
    if (
        len(digits) == 6
        and digits.isdigit()
        and digits[0] in _NANP_FIRST_DIGITS
        and digits[3] in _NANP_FIRST_DIGITS
        and digits[1:3] != "11"
        and digits != digits[0] * 6
    ):
        return digits
    return ""


class _RejectedPhone(bytes):
    """A candidate cell the phone rule rejected: ``b"\\x00"`` (never a number's digits),
    carrying the rejection."""

    rejected: Rejected


_REJECTED: Final = b"\x00"
_ONE_ALTERNATE: Final = length(34) + array_head(1, 0, TEXT_OID, 1, 1) + _TEN_DIGITS
_NO_ALTERNATES: Final = EMPTY_TEXT_ARRAY


class _PhoneColumns:
    """``phone`` and ``alt_phones`` for a chunk, from the phone columns in candidate
    order, as ``choose_phones`` settles them; the phone warnings take place ``order``.

    Each cell is read once, as its number's ASCII digits, ``b""`` when it is no candidate
    (blank) or a :class:`_RejectedPhone`; a row whose first cell is its only candidate,
    and valid, is written in C, the others one by one."""

    __slots__ = ("_candidates", "_inputs", "_order", "_six")
    warns = True

    def __init__(self, inputs: Sequence[int], *, order: int) -> None:
        self._inputs = tuple(inputs)
        self._order = order
        self._six: Memo[str, str] = Memo(_area_and_exchange)
        # Blank cells, the most common by far in the later phone columns, are dict hits.
        self._candidates = _Candidates(self._candidate)

    def _candidate(self, cell: str) -> bytes:
        tail = cell[-4:]
        if tail.isdigit() and cell.isascii() and (six := self._six[cell[:-4]]):
            return (six + tail).encode()
        if not cell.strip():
            return b""
        result = normalize_phone(cell)
        if type(result) is str:
            return result.encode()
        marker = _RejectedPhone(_REJECTED)
        marker.rejected = cast(Rejected, result)
        return marker

    def pieces(self, columns: Sequence[Sequence[str]], count: int) -> list[bytes]:
        first = list(map(self._candidate, columns[self._inputs[0]]))
        lookup = self._candidates.__getitem__
        others = [list(map(lookup, columns[index])) for index in self._inputs[1:]]
        pieces = list(map(_TEN_DIGITS.__add__, map(bytes.__add__, first, repeat(_NO_ALTERNATES))))
        unusual = {*positions(first, b""), *positions(first, _REJECTED)}
        if others:
            unusual.update(compress(range(count), map(b"".join, zip(*others, strict=True))))
            rows = list(zip(first, *others, strict=True))
            for position in unusual:
                row = rows[position]
                # Two valid numbers (ten digits each; a rejected cell is one byte) beside
                # each other are common: a mobile and a landline.
                if len(row) == 2 and len(row[0]) == 10 and len(row[1]) == 10:
                    pieces[position] = _phone_piece(row[0], [] if row[0] == row[1] else [row[1]])
                else:
                    pieces[position] = self._choose(row)
        else:
            for position in unusual:
                pieces[position] = self._choose((first[position],))
        return pieces

    def _choose(self, candidates: Sequence[bytes]) -> bytes:
        present = [candidate for candidate in candidates if candidate]
        if _REJECTED not in present:
            if not present:
                return NO_PHONE
            first, *others = present
            alternates = dict.fromkeys(others)
            alternates.pop(first, None)
            return _phone_piece(first, list(alternates))
        phone: bytes | None = None
        listed: list[bytes] = []
        warnings: list[Warning] = []
        for position, candidate in enumerate(present, start=1):
            if type(candidate) is _RejectedPhone:
                issue = FieldIssue(
                    field="phone",
                    code=candidate.rejected.code,
                    message=f"phone candidate {position}: {candidate.rejected.message}",
                )
                warnings.append((self._order, _encode(issue), issue.code))
            elif phone is None:
                phone = candidate
            elif candidate != phone and candidate not in listed:
                listed.append(candidate)
        piece = NO_PHONE if phone is None else _phone_piece(phone, listed)
        return _warned(piece, tuple(warnings))


class _Candidates(dict[str, bytes]):
    __slots__ = ("_compute",)

    def __init__(self, compute: Callable[[str], bytes]) -> None:
        super().__init__({"": b""})
        self._compute = compute

    def __missing__(self, cell: str) -> bytes:
        # Not kept: numbers rarely repeat.
        return self._compute(cell)


def _phone_piece(phone: bytes, alternates: list[bytes]) -> bytes:
    """The fields of a valid phone and its alternates (ten ASCII digits each)."""
    if not alternates:
        return _TEN_DIGITS + phone + _NO_ALTERNATES
    if len(alternates) == 1:
        return _TEN_DIGITS + phone + _ONE_ALTERNATE + alternates[0]
    return _TEN_DIGITS + phone + text_array_field([alternate.decode() for alternate in alternates])


def phone_column(inputs: Sequence[int], *, order: int) -> Column:
    return _PhoneColumns(inputs, order=order)
