"""Look up a source adapter by the name vendors and operators use."""

from __future__ import annotations

from pipeline.sources.adapter import SourceAdapter
from pipeline.sources.errors import MappingError, UnknownSourceError
from pipeline.sources.layout import Layout
from pipeline.sources.mapping import GENERIC_SOURCE
from pipeline.sources.vendors import VENDOR_LAYOUTS

__all__ = ["SOURCE_NAMES", "get_source"]

SOURCE_NAMES: tuple[str, ...] = (*VENDOR_LAYOUTS, GENERIC_SOURCE)


def get_source(name: str, *, mapping: Layout | None = None) -> SourceAdapter:
    """The adapter for ``name`` (case-insensitive).

    ``generic`` needs a ``mapping`` (from :func:`pipeline.sources.load_mapping` or
    :func:`pipeline.sources.decode_mapping`); the vendor sources take none. Raises
    :class:`UnknownSourceError` for a name not in :data:`SOURCE_NAMES` and
    :class:`MappingError` for a missing or unwanted mapping.
    """
    key = name.strip().lower()
    if key == GENERIC_SOURCE:
        if mapping is None:
            raise MappingError("the generic source needs a mapping file")
        return SourceAdapter(mapping)
    layout = VENDOR_LAYOUTS.get(key)
    if layout is None:
        raise UnknownSourceError(name, SOURCE_NAMES)
    if mapping is not None:
        raise MappingError(f"{key} has a built-in layout; a mapping is for the generic source")
    return SourceAdapter(layout)
