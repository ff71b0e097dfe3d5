"""What the cells of a row contribute to a ``leadgate normalize`` output line, as JSON text.

The compiled path (:mod:`pipeline.sources.linebuilder`) writes an output line by joining
constant template text with fragments: a field's value as JSON (``"Boston"``, ``720``,
``null``). Every fragment comes from the rules ``normalize_record`` applies
(:func:`pipeline.normalize.normalize_field`, ``normalize_phone``, ``apply_grade_scores``;
the choice among phone candidates mirrors ``choose_phones``) and is encoded by msgspec, so
it is byte for byte what the reference writer prints (the differential tests in
``tests/unit/sources/test_source_compiled_lines.py`` hold it to that). A
fragment whose rule also warned is a :class:`Warned` string: the same text, carrying the
warnings for the line's ``warnings`` list.

A producer maps cells to a fragment. Values that repeat across a file (names, towns,
states, ZIPs, scores, rates, dates, yes/no) go through a :class:`Memo`, computed once per
distinct cell. Values that rarely repeat (phones, emails, amounts, street lines, ids, URLs)
are computed per cell, with a short exact path for their common shape that falls back to
the rule for anything else; the short paths memoize the part that does repeat (a phone's
area code and exchange, a street without its house number, a URL's origin). Amount and
consent URL columns mostly skip their producers: :mod:`pipeline.sources.columns` writes a
chunk's column at once when its cells all have the common shape. Where the C helpers are
built (:mod:`pipeline.sources.speedups`), :data:`NATIVE_COLUMNS`, :func:`native_addresses`
and :class:`PhoneSlot` settle the common shapes in C and hand every other cell to the
producer.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from itertools import compress, repeat
from typing import Final, TypeVar, cast

import msgspec

from pipeline.core.lead import Lead
from pipeline.core.records import FieldIssue
from pipeline.normalize import normalize_field
from pipeline.normalize.contact import drop_phone_punctuation, normalize_email, normalize_phone
from pipeline.normalize.credit import apply_grade_scores
from pipeline.normalize.issues import Rejected
from pipeline.normalize.postal import normalize_address
from pipeline.normalize.text import normalize_consent_url
from pipeline.sources import speedups

__all__ = [
    "AMOUNT_FIELDS",
    "NATIVE_COLUMNS",
    "NO_PHONE",
    "NULL",
    "Memo",
    "NativeColumn",
    "PhoneSlot",
    "Producer",
    "Warned",
    "Warning",
    "address_producer",
    "credit_producer",
    "extra_prefix",
    "extra_producer",
    "field_producer",
    "json_string",
    "json_value",
    "native_addresses",
    "positions",
    "prefixed",
    "url_origin",
]

NULL: Final = "null"

Producer = Callable[..., str]
"""Cells (one per input column) -> a fragment of the output line."""

MEMO_LIMIT: Final = 1 << 16
"""Entries a memo keeps before it starts over: bounds memory on a column of unique values
while a column of repeating values stays fully cached."""

_encode = msgspec.json.encode
_DEFAULTS: Final = Lead(source="")

K = TypeVar("K")
V = TypeVar("V")


class Memo(dict[K, V]):
    """``memo[key]``: ``compute(key)``, computed on the first lookup of each key.

    A hit is a plain dict lookup (in C); only a miss runs Python. ``misses`` counts the
    computations, so a caller can tell a column that does not repeat (and call
    ``compute`` directly instead).
    """

    __slots__ = ("compute", "misses")

    def __init__(self, compute: Callable[[K], V]) -> None:
        super().__init__()
        self.compute = compute
        self.misses = 0

    def __missing__(self, key: K) -> V:
        self.misses += 1
        if len(self) >= MEMO_LIMIT:
            self.clear()
        value = self[key] = self.compute(key)
        return value


class _ZipMemo(Memo[str, str]):
    """ZIP fragments: a ZIP+4 (nearly unique) reads as its first part (repeating), the
    way ``normalize_zip``'s pattern keeps only the first group."""

    __slots__ = ()

    def __missing__(self, key: str) -> str:
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


class _CaselessMemo(Memo[str, str]):
    """Name fragments (first and last names, towns): ``normalize_name`` reads an ASCII
    name without regard to case and surrounding whitespace (it splits on whitespace and
    cases each word from its lower-case form), so ``SMITH``, ``smith`` and `` Smith``
    share one computation, of the name stripped and lower-cased."""

    __slots__ = ()

    def __missing__(self, key: str) -> str:
        if key.isascii() and (folded := key.strip().lower()) != key:
            value = self[folded]
            self.misses += 1
            if len(self) >= MEMO_LIMIT:
                self.clear()
            self[key] = value
            return value
        return super().__missing__(key)


Warning = tuple[int, str, str]
"""``(order, JSON object, code)``: ``order`` is the warning's place in the reference's
``warnings`` list."""


class Warned(str):
    """A fragment whose rule warned, carrying its warnings."""

    warnings: tuple[Warning, ...]


def _warned(fragment: str, warnings: tuple[Warning, ...]) -> str:
    if not warnings:
        return fragment
    result = Warned(fragment)
    result.warnings = warnings
    return result


def prefixed(compute: Callable[[str], str], prefix: str) -> Callable[[str], str]:
    """``compute`` with ``prefix`` before each fragment, keeping its warnings."""

    def fragment(cell: str) -> str:
        text = compute(cell)
        if type(text) is Warned:
            return _warned(prefix + text, text.warnings)
        return prefix + text

    return fragment


def json_value(value: object) -> str:
    """``value`` as the JSON text msgspec writes for it."""
    return NULL if value is None else _encode(value).decode()


def json_string(text: str) -> str:
    """``text`` as a JSON string, as msgspec writes it (printable ASCII other than ``"``
    and ``\\`` is written as is; anything else goes through msgspec)."""
    if text.isascii() and text.isprintable() and '"' not in text and "\\" not in text:
        return f'"{text}"'
    return _encode(text).decode()


def _warning(order: int, field: str, rejected: Rejected) -> Warning:
    issue = FieldIssue(field=field, code=rejected.code, message=rejected.message)
    return order, _encode(issue).decode(), rejected.code


def _by_rule(name: str, order: int) -> Callable[[str], str]:
    """A field's fragment straight from its rule; a blank cell is an absent field."""
    default = json_value(getattr(_DEFAULTS, name))

    def fragment(cell: str) -> str:
        if not cell:
            return default
        value, rejected = normalize_field(name, cell)
        warnings = () if rejected is None else (_warning(order, name, rejected),)
        return _warned(json_value(value), warnings)

    return fragment


def _identifier(by_rule: Callable[[str], str]) -> Callable[[str], str]:
    def fragment(cell: str) -> str:
        # normalize_identifier: the cell trimmed; blank is null.
        text = cell.strip()
        return json_string(text) if text else by_rule(cell)

    return fragment


def _email(by_rule: Callable[[str], str]) -> Callable[[str], str]:
    def fragment(cell: str) -> str:
        # A valid address only holds characters JSON writes as they are.
        if cell and type(email := normalize_email(cell)) is str:
            return f'"{email}"'
        return by_rule(cell)

    return fragment


def _whole_dollars(cell: str) -> str:
    """The digits of ``123456``, ``123456.00``, ``$123,456`` or ``$123,456.00`` (correct
    thousands grouping, no leading zero), else ``""``."""
    text = cell[:-3] if cell.endswith(".00") else cell
    if text[:1] == "$":
        groups = text[1:].split(",")
        if not 0 < len(groups[0]) <= 3 or any(len(group) != 3 for group in groups[1:]):
            return ""
        text = "".join(groups)
    if text.isdigit() and text.isascii() and text[0] != "0":
        return text
    return ""


def _amount(by_rule: Callable[[str], str]) -> Callable[[str], str]:
    def fragment(cell: str) -> str:
        # Whole dollars with at most 15 digits are exact floats, written "N.0".
        if (digits := _whole_dollars(cell)) and len(digits) < 16:
            return f"{digits}.0"
        return by_rule(cell)

    return fragment


def _url_origin_is_valid(origin: str) -> bool:
    return normalize_consent_url(origin) == origin


_url_origins: Memo[str, bool] = Memo(_url_origin_is_valid)


def url_origin(url: str) -> str:
    """The start of ``url`` that decides whether ``normalize_consent_url`` accepts it (up
    to the first ``/`` after the scheme), when that start is a valid one; else ``""``.
    A valid URL is the origin followed by printable ASCII without spaces."""
    slash = url.find("/", 8)
    origin = url[: slash + 1]
    if slash > 0 and "?" not in origin and "#" not in origin and _url_origins[origin]:
        return origin
    return ""


def _consent_url(by_rule: Callable[[str], str]) -> Callable[[str], str]:
    def fragment(cell: str) -> str:
        # normalize_consent_url matches a pattern on the URL's start only, up to the first
        # "/" after the host (when no "?" or "#" comes first); the rest of a valid URL
        # just has to be printable ASCII without spaces here.
        if cell.isascii() and cell.isprintable() and " " not in cell and url_origin(cell):
            return json_string(cell)
        return by_rule(cell)

    return fragment


def _street_line(street: str) -> str | None:
    """The JSON-escaped text after ``"N "`` in the normalized street line ``N <street>``,
    or ``None`` when the street does not normalize apart from its house number.

    ``normalize_address`` reads a leading run of ASCII digits as the house number and keeps
    it as written, so the rest of the line depends on the street alone.
    """
    line = normalize_address("1 " + street)
    if line is None or not line.startswith("1 "):
        return None
    return json_string(line[2:])[1:-1]


_streets: Memo[str, str | None] = Memo(_street_line)


def _address(by_rule: Callable[[str], str]) -> Callable[[str], str]:
    def fragment(cell: str) -> str:
        house, space, street = cell.partition(" ")
        if space and house.isdigit() and house.isascii() and (rest := _streets[street]):
            return f'"{house} {rest}"'
        return by_rule(cell)

    return fragment


def native_addresses(
    native: speedups.Native,
    houses: Sequence[str],
    streets: Sequence[str],
    producer: Callable[[str, str], str],
) -> list[str]:
    """``list(map(producer, houses, streets))`` for an :func:`address_producer`, the
    common shape settled by the C helper."""
    return native.address_pair_fragments(houses, streets, producer, _streets)


def address_producer() -> Producer:
    """``address`` from a house-number cell and a street cell, joined with a space as the
    row mapper joins them (``" ".join(cells).strip()``)."""
    by_rule = _by_rule("address", 0)

    def fragment(house: str, street: str) -> str:
        # With a house number of ASCII digits the join only loses the street's trailing
        # whitespace.
        if house.isdigit() and house.isascii() and (rest := _streets[street.rstrip()]):
            return f'"{house} {rest}"'
        return by_rule(f"{house} {street}".strip())

    return fragment


# Fields read by ``normalize_name``.
_NAMES: Final = frozenset({"first_name", "last_name", "city"})
# Fields whose values repeat across a file: worth a memo per distinct cell.
_REPEATING: Final = frozenset(
    {
        "lead_kind", "first_name", "last_name", "city", "state", "zip", "current_rate",
        "second_rate", "ltv", "cash_out", "found_home", "va_eligible", "has_second_mortgage",
        "loan_type", "loan_purpose", "property_type", "property_use", "mortgage_open_date",
        "trigger_date",
    }
)  # fmt: skip
AMOUNT_FIELDS: Final = frozenset(
    {
        "property_value", "loan_balance", "monthly_payment", "second_balance",
        "additional_cash", "down_payment", "bid_loan_value",
    }
)  # fmt: skip
_SHORT_PATHS: Final[dict[str, Callable[[Callable[[str], str]], Callable[[str], str]]]] = {
    "source_record_id": _identifier,
    "consent_url": _consent_url,
    "email": _email,
    "address": _address,
    **dict.fromkeys(AMOUNT_FIELDS, _amount),
}


def field_producer(name: str, *, order: int) -> Callable[[str], str] | Memo[str, str]:
    """The fragment of a field fed by one cell (``""`` when the field is absent): a
    function or a memo of the cell; its warning takes place ``order`` in the line's
    warnings. Amounts get a memo too (bands repeat); a caller may drop a memo whose
    column turns out not to repeat."""
    by_rule = _by_rule(name, order)
    if name == "zip":
        return _ZipMemo(by_rule)
    if name in _NAMES:
        return _CaselessMemo(by_rule)
    if name in _REPEATING:
        return Memo(by_rule)
    short_path = _SHORT_PATHS.get(name)
    if short_path is None:
        return by_rule
    return Memo(short_path(by_rule)) if name in AMOUNT_FIELDS else short_path(by_rule)


NativeColumn = Callable[["speedups.Native", Sequence[str], str, Callable[[str], str]], list[str]]
"""A C helper for a whole column: (the C module, cells, the blank cell's fragment, the
field's producer) -> ``list(map(producer, cells))``, with the common shapes settled in C
and every other cell sent to the producer."""


def _amount_column(
    native: speedups.Native, cells: Sequence[str], blank: str, producer: Callable[[str], str]
) -> list[str]:
    return native.amount_fragments(cells, blank, producer)


def _date_column(
    native: speedups.Native, cells: Sequence[str], blank: str, producer: Callable[[str], str]
) -> list[str]:
    return native.date_fragments(cells, blank, producer)


NATIVE_COLUMNS: Final[dict[str, NativeColumn]] = {
    "source_record_id": lambda native, cells, blank, producer: native.json_strings(
        cells, blank, producer
    ),
    "email": lambda native, cells, blank, producer: native.email_fragments(cells, blank, producer),
    "address": lambda native, cells, blank, producer: native.address_fragments(
        cells, blank, producer, _streets
    ),
    "consent_url": lambda native, cells, blank, producer: native.url_fragments(
        cells, blank, producer, _url_origins
    ),
    **dict.fromkeys(AMOUNT_FIELDS, _amount_column),
    **dict.fromkeys(("mortgage_open_date", "trigger_date"), _date_column),
}
"""The fields fed by one column whose producer (:func:`field_producer`) has a C helper."""


def credit_producer(
    grade_scores: Mapping[str, int], *, orders: tuple[int, int, int], pair: bool
) -> Producer | Memo[str, str]:
    """``credit_score`` and ``credit_grade`` (with the text between them), settled together
    as ``normalize_record`` does: a grade becomes the tenant's score for it.

    ``orders`` places the score's warning, the grade column's and the unknown-grade
    warning; a ``pair`` producer takes (score cell, grade cell), else the score cell.
    """
    names = ("credit_score", "credit_grade")

    def fragment(cells: tuple[str, str]) -> str:
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
        text = (
            f"{json_value(values.get('credit_score'))},"
            f'"credit_grade":{json_value(values.get("credit_grade"))}'
        )
        return _warned(text, tuple(warnings))

    memo: Memo[tuple[str, str], str] = Memo(fragment)
    if pair:
        return lambda score, grade: memo[score, grade]
    return Memo(lambda score: fragment((score, "")))


def _phone_text(phone: str | None, alternates: list[str]) -> str:
    first = NULL if phone is None else f'"{phone}"'
    listed = ",".join(f'"{digits}"' for digits in alternates)
    return f'{first},"alt_phones":[{listed}]'


NO_PHONE: Final = _phone_text(None, [])
"""The phone fragment of a row without a valid phone."""

_NANP_FIRST_DIGITS: Final = frozenset("23456789")


def _area_and_exchange(head: str) -> str:
    """The six digits a valid number starts with when its cell is ``head`` followed by
    four ASCII digits, or ``""`` when the rule's first branch would not accept it.

    That branch drops ``-() .+`` and reads ten digits, or eleven after a leading 1; the
    area code and exchange start with 2-9 and the area code is no N11. A number of one
    digit ten times is left to the rule (``""``), so ``six + tail`` is always valid.
    """
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


_area_and_exchanges: Memo[str, str] = Memo(_area_and_exchange)


def _phone_result(cell: str) -> str | Rejected | None:
    """``normalize_phone(cell)`` for a candidate cell, ``None`` for a cell that is not
    one (blank). The area code and exchange of the common shapes (``(212) 555-0142``,
    ``+1 212 555 0142``, ``2125550142``...) repeat across a file: they are memoized and
    the last four digits appended; any other cell goes to the rule."""
    tail = cell[-4:]
    if tail.isdigit() and cell.isascii():
        if six := _area_and_exchanges[cell[:-4]]:
            return six + tail
    elif len(cell) == 12 and cell.endswith(".0") and cell.isascii() and cell[0] != "1":
        # A phone column read as numbers by a spreadsheet: ten digits and ".0", which the
        # rule's pattern reads as the ten digits.
        digits = cell[:10]
        if digits.isdigit() and (six := _area_and_exchanges[digits[:6]]):
            return digits
    if not cell.strip():
        return None
    return normalize_phone(cell)


_REJECTED: Final = "\x00"


class _RejectedPhone(str):
    """A candidate cell the phone rule rejected: the text ``_REJECTED`` (never in a
    fragment: JSON escapes it), and the rejection."""

    rejected: Rejected


def _phone_candidate(cell: str) -> str:
    """A phone cell as its number in JSON (``"2125550142"``), ``""`` when the cell is
    not a candidate (blank), or a :class:`_RejectedPhone`."""
    result = _phone_result(cell)
    if type(result) is str:
        return f'"{result}"'
    if result is None:
        return ""
    marker = _RejectedPhone(_REJECTED)
    marker.rejected = cast(Rejected, result)
    return marker


def _candidate(cell: str) -> str:
    """:func:`_phone_candidate` with its common case inline: this runs for most phone
    cells."""
    tail = cell[-4:]
    if tail.isdigit() and cell.isascii() and (six := _area_and_exchanges[cell[:-4]]):
        return f'"{six}{tail}"'
    return _phone_candidate(cell)


class _PhoneCandidates(dict[str, str]):
    """``candidates[cell]``: :func:`_candidate` of the cell. Blank cells, the most
    common by far in a vendor's second and third phone columns, are dict hits in C;
    other cells are computed and not kept (phones rarely repeat)."""

    __slots__ = ()

    def __init__(self) -> None:
        super().__init__({"": ""})

    __missing__ = staticmethod(_candidate)


_phone_warnings: Memo[tuple[int, str, str], Warning] = Memo(
    lambda key: _warning(key[0], "phone", Rejected(key[1], key[2]))
)
_NO_ALTERNATES: Final = ',"alt_phones":[]'


def _choose(candidates: Sequence[str], order: int) -> str:
    """The phone fragment of a row from its cells' candidates, as ``choose_phones``
    settles them: the first valid number is the phone, later distinct valid ones the
    alternates, and each rejected candidate a warning naming its position among the
    candidates (the non-blank cells)."""
    present = [candidate for candidate in candidates if candidate]
    if _REJECTED not in present:
        if not present:
            return NO_PHONE
        first, *others = present
        alternates = dict.fromkeys(others)
        alternates.pop(first, None)
        return f'{first},"alt_phones":[{",".join(alternates)}]'
    phone: str | None = None
    listed: list[str] = []
    warnings: list[Warning] = []
    position = 0
    for candidate in candidates:
        if type(candidate) is _RejectedPhone:
            position += 1
            rejected = candidate.rejected
            message = f"phone candidate {position}: {rejected.message}"
            warnings.append(_phone_warnings[order, rejected.code, message])
        elif candidate:
            position += 1
            if phone is None:
                phone = candidate
            elif candidate != phone and candidate not in listed:
                listed.append(candidate)
    text = f'{phone or NULL},"alt_phones":[{",".join(listed)}]'
    return _warned(text, tuple(warnings))


class PhoneSlot:
    """``phone`` and ``alt_phones`` (with the text between them) for a chunk of rows,
    from the phone columns in candidate order; the phone warnings take place ``order``.

    With the C helper (:mod:`pipeline.sources.speedups`), rows whose candidates are valid
    numbers are written in C and the others by :func:`_choose`. Without it, each cell is
    read once (:class:`_PhoneCandidates`); a row whose first cell is its only candidate,
    and valid, is written in C, the others one by one.
    """

    __slots__ = ("_candidates", "_odd", "_order")

    def __init__(self, *, order: int) -> None:
        self._candidates = _PhoneCandidates()
        # With the C helper: the cells it leaves to Python (N/A, vanity numbers, other
        # shapes), which repeat more than numbers do.
        self._odd = Memo(_candidate)
        self._order = order

    def fragments(self, columns: Sequence[Sequence[str]]) -> list[str]:
        if speedups.NATIVE is not None:
            # The rows of valid numbers in C; the others by _choose, as below.
            return speedups.NATIVE.phone_fragments(
                columns, _area_and_exchanges, self._odd.__getitem__, _choose, self._order
            )
        lookup = self._candidates.__getitem__
        # The first column is rarely blank: a direct call skips the dict's miss.
        candidates = [list(map(_candidate, columns[0]))]
        candidates += [list(map(lookup, column)) for column in columns[1:]]
        first = candidates[0]
        fragments = list(map(str.__add__, first, repeat(_NO_ALTERNATES)))
        unusual = {*positions(first, ""), *positions(first, _REJECTED)}
        if len(candidates) > 1:
            others = map(bool, map("".join, zip(*candidates[1:], strict=True)))
            unusual.update(compress(range(len(first)), others))
        order = self._order
        if len(candidates) == 2:
            # A second number beside the first is common (a mobile and a landline): two
            # valid numbers need no candidate bookkeeping.
            second = candidates[1]
            for position in unusual:
                phone, other = first[position], second[position]
                if phone[:1] == '"' and other[:1] == '"':
                    fragments[position] = (
                        phone + _NO_ALTERNATES
                        if phone == other
                        else f'{phone},"alt_phones":[{other}]'
                    )
                else:
                    fragments[position] = _choose([phone, other], order)
            return fragments
        rows = list(zip(*candidates, strict=True))
        for position in unusual:
            fragments[position] = _choose(rows[position], order)
        return fragments


def positions(values: Sequence[object], value: object) -> list[int]:
    """Where ``value`` is in ``values`` (``index`` scans in C)."""
    found: list[int] = []
    start = 0
    try:
        while True:
            start = values.index(value, start)
            found.append(start)
            start += 1
    except ValueError:
        return found


def extra_prefix(key: str) -> str:
    """The text before the cell's JSON string in an ``extra`` entry: ``,"key":``."""
    return "," + json_string(key) + ":"


def extra_producer(key: str) -> Memo[str, str]:
    """``,"key":"cell"`` for an ``extra`` entry, ``""`` for a blank cell (the caller drops
    the first entry's comma). A column of values that do not repeat drops the memo for
    ``native.prefixed_strings(cells, extra_prefix(key), producer)``."""
    prefix = extra_prefix(key)

    def fragment(cell: str) -> str:
        return f"{prefix}{json_string(cell)}" if cell and not cell.isspace() else ""

    return Memo(fragment)
