"""What the OpenAPI document says about ``POST /ingest/{source}``'s body.

The handler streams the body raw (limits per media type, decoded by the source adapter),
so Litestar cannot describe it from a type; this operation class documents each accepted
media type and the shape a vendor sends in it.
"""

from __future__ import annotations

from dataclasses import dataclass

from litestar.openapi.spec import (
    OpenAPIFormat,
    OpenAPIMediaType,
    OpenAPIType,
    Operation,
    RequestBody,
    Schema,
)

__all__ = ["IngestOperation"]

_ROW = Schema(
    type=OpenAPIType.OBJECT,
    description="One lead, keyed by the source's own column names.",
    additional_properties=True,
)
_TEXT = Schema(type=OpenAPIType.STRING, min_length=1)


@dataclass
class IngestOperation(Operation):
    """Documents the raw body ``submit`` reads."""

    def __post_init__(self) -> None:
        self.request_body = RequestBody(
            required=True,
            description=(
                "Leads in the source's own columns: one JSON object, a JSON array of them, "
                "JSON lines, delimited text with a header row, or a multipart file part "
                "named `file`. Rows that fail the rules are stored as failed records with "
                "their reasons; a body with none of the source's key columns is a 422."
            ),
            content={
                "application/json": OpenAPIMediaType(
                    schema=Schema(
                        one_of=[_ROW, Schema(type=OpenAPIType.ARRAY, items=_ROW)],
                    )
                ),
                "application/x-ndjson": OpenAPIMediaType(schema=_TEXT),
                "text/csv": OpenAPIMediaType(schema=_TEXT),
                "multipart/form-data": OpenAPIMediaType(
                    schema=Schema(
                        type=OpenAPIType.OBJECT,
                        required=["file"],
                        additional_properties=False,
                        properties={
                            "file": Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.BINARY),
                        },
                    )
                ),
            },
        )
