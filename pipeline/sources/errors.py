"""Errors a source adapter raises for a whole file (a bad row is a failed record instead)."""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["MappingError", "SourceFormatError", "UnknownSourceError"]


class SourceFormatError(ValueError):
    """The stream cannot be read as this source at all: empty, or none of its key columns.

    The message is written for the person who sent the file; it never contains cell
    values, only column names.
    """

    @classmethod
    def missing_columns(
        cls, source: str, *, expected: Iterable[str], found: Iterable[str]
    ) -> SourceFormatError:
        found_list = ", ".join(repr(name) for name in found) or "no columns"
        return cls(
            f"{source}: none of the expected columns were found. "
            f"Expected any of: {', '.join(repr(name) for name in expected)}. "
            f"Found: {found_list}."
        )


class UnknownSourceError(LookupError):
    """No adapter has this name; the message lists the ones that exist."""

    def __init__(self, name: str, known: Iterable[str]) -> None:
        super().__init__(f"unknown source {name!r}; known sources: {', '.join(known)}")


class MappingError(ValueError):
    """A generic-source mapping file is unreadable or names a field ``Lead`` lacks."""
