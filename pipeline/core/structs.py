"""The one base struct every boundary type in ``pipeline`` derives from.

``forbid_unknown_fields`` makes a decoder reject a typo instead of silently dropping it;
``kw_only`` keeps construction readable and lets optional fields sit before required ones.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import msgspec

__all__ = ["Frozen", "Struct"]


class Struct(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Mutable boundary struct."""


if TYPE_CHECKING:
    # mypy models msgspec's dataclass_transform without inheriting ``frozen``, so it would
    # demand ``frozen=True`` on every subclass; at runtime the option is inherited.
    class Frozen(msgspec.Struct, kw_only=True):
        """Immutable boundary struct (settings, job payloads, value objects)."""

else:

    class Frozen(msgspec.Struct, forbid_unknown_fields=True, kw_only=True, frozen=True):
        """Immutable boundary struct (settings, job payloads, value objects)."""
