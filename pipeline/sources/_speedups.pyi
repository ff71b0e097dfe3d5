# The C extension built from _speedups.c; see pipeline/sources/speedups.py.
from collections.abc import Callable, Sequence

def transpose(rows: list[list[str]], width: int, /) -> list[list[str]]: ...
def join_lines(pieces: Sequence[str | list[str]], /) -> list[str]: ...
def phone_fragments(
    columns: Sequence[Sequence[str]],
    heads: dict[str, str],
    candidate: Callable[[str], str],
    choose: Callable[[Sequence[str], int], str],
    order: int,
    /,
) -> list[str]: ...
def email_fragments(
    cells: Sequence[str], blank: str, fallback: Callable[[str], str], /
) -> list[str]: ...
def json_strings(
    cells: Sequence[str], blank: str, fallback: Callable[[str], str], /
) -> list[str]: ...
def amount_fragments(
    cells: Sequence[str], blank: str, fallback: Callable[[str], str], /
) -> list[str]: ...
def date_fragments(
    cells: Sequence[str], blank: str, fallback: Callable[[str], str], /
) -> list[str]: ...
def address_fragments(
    cells: Sequence[str],
    blank: str,
    fallback: Callable[[str], str],
    streets: dict[str, str | None],
    /,
) -> list[str]: ...
def url_fragments(
    cells: Sequence[str], blank: str, fallback: Callable[[str], str], origins: dict[str, bool], /
) -> list[str]: ...
def address_pair_fragments(
    houses: Sequence[str],
    streets: Sequence[str],
    fallback: Callable[[str, str], str],
    memo: dict[str, str | None],
    /,
) -> list[str]: ...
def prefixed_strings(
    cells: Sequence[str], prefix: str, fallback: Callable[[str], str], /
) -> list[str]: ...
def memo_fragments(cells: Sequence[str], memo: dict[str, str], /) -> list[str]: ...
def warned(columns: Sequence[list[str]], /) -> list[int]: ...
def encode_lines(lines: list[str], /) -> bytes: ...
