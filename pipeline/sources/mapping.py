"""Mapping files for the generic source: a new vendor's columns without new code.

A mapping is TOML or JSON, canonical field -> vendor header or list of headers::

    first_name = "FName"
    last_name = "LName"
    phone = ["Mobile", "Home Phone"]     # every listed column is a phone candidate
    address = ["House No", "Street"]     # parts joined with a space
    zip = ["Zip", "Postal Code"]         # first non-empty wins

Field names are the ``Lead`` fields (see :data:`pipeline.sources.layout.MAPPABLE_FIELDS`);
how several columns combine is described in :mod:`pipeline.sources.layout`.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import msgspec

from pipeline.sources.errors import MappingError
from pipeline.sources.layout import Layout

__all__ = ["GENERIC_SOURCE", "decode_mapping", "load_mapping"]

GENERIC_SOURCE = "generic"

_MappingDocument = dict[str, str | list[str]]


def decode_mapping(content: bytes, *, suffix: str) -> Layout:
    """Parse a mapping document; ``suffix`` is ``.toml`` or ``.json``.

    Raises :class:`MappingError` for a syntax error, a value that is not a header or a
    list of headers, or a key that is not a canonical field.
    """
    try:
        if suffix == ".toml":
            data: object = tomllib.loads(content.decode("utf-8-sig"))
        elif suffix == ".json":
            data = msgspec.json.decode(content)
        else:
            raise MappingError(f"a mapping file is .toml or .json, not {suffix or 'extensionless'}")
        document = msgspec.convert(data, _MappingDocument)
    except msgspec.ValidationError as error:
        raise MappingError(
            f"a mapping maps each field to a header or a list of headers: {error}"
        ) from None
    except (UnicodeDecodeError, tomllib.TOMLDecodeError, msgspec.DecodeError) as error:
        raise MappingError(f"unreadable mapping: {error}") from None
    columns: dict[str, tuple[str, ...]] = {}
    for field, value in document.items():
        headers = (value,) if isinstance(value, str) else tuple(value)
        if not headers or not all(header.strip() for header in headers):
            raise MappingError(f"mapping for {field!r} names no header")
        columns[field] = headers
    if not columns:
        raise MappingError("the mapping maps no field")
    return Layout(source=GENERIC_SOURCE, columns=columns)


def load_mapping(path: Path) -> Layout:
    """Read a mapping file (see :func:`decode_mapping`); ``OSError`` passes through."""
    return decode_mapping(path.read_bytes(), suffix=path.suffix.lower())
