"""Base struct for tenant_auth boundary types (mirrors pipeline's; the packages share no
code). ``forbid_unknown_fields`` rejects typos instead of dropping them; ``kw_only`` keeps
construction readable."""

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
