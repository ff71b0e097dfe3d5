"""The request's tenant transaction and the query parameters the read API shares."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Request
from litestar.openapi.spec import OpenAPIFormat
from litestar.params import QueryParameter

from gateway.auth.principal import principal_of
from gateway.core.problems import Problem
from pipeline.core.db import Connection, tenant_transaction
from pipeline.leads.service import MAX_PAGE_SIZE

__all__ = [
    "BatchQuery",
    "CursorQuery",
    "LimitQuery",
    "SinceQuery",
    "SourceQuery",
    "UntilQuery",
    "as_utc",
    "parse_time",
    "provide_tenant_connection",
]

_rfc3339 = msgspec.json.Decoder(datetime)
_json = msgspec.json.Encoder()


async def provide_tenant_connection(request: Request[Any, Any, Any]) -> AsyncIterator[Connection]:
    """One transaction per request, scoped to the caller's tenant (from the credential,
    never the URL); an exception in the handler rolls it back."""
    principal = principal_of(request)
    async with tenant_transaction(request.app.state.resources.pool, principal.tenant_id) as conn:
        yield conn


def parse_time(value: str | None, *, name: str) -> datetime | None:
    """An RFC 3339 date-time (UTC when it has no offset), or a 400 problem. Parsed here, not
    by the framework, which would also take a bare number as a Unix time."""
    if value is None:
        return None
    try:
        return as_utc(_rfc3339.decode(_json.encode(value)))
    except msgspec.ValidationError:
        message = "expected an RFC 3339 date-time, e.g. 2026-03-09T14:03:22Z"
        raise Problem(
            400,
            "validation",
            f"{name}: {message}",
            extra={"errors": [{"key": name, "message": message}]},
        ) from None


def as_utc(value: datetime | None) -> datetime | None:
    """A time given without an offset is UTC, never the database session's zone."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


SourceQuery = Annotated[
    str | None,
    QueryParameter(
        description="Only this source (vendor layout), e.g. `experian`.",
        pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$",
    ),
]
BatchQuery = Annotated[
    UUID | None, QueryParameter(description="Only this ingest batch (404 when it is not yours).")
]
SinceQuery = Annotated[
    str | None,
    QueryParameter(
        description="From this time on (inclusive); RFC 3339, UTC without an offset.",
        format=OpenAPIFormat.DATE_TIME,
    ),
]
UntilQuery = Annotated[
    str | None,
    QueryParameter(
        description="Before this time (exclusive); RFC 3339, UTC without an offset.",
        format=OpenAPIFormat.DATE_TIME,
    ),
]
CursorQuery = Annotated[
    str | None,
    QueryParameter(description="`next_cursor` of the previous page.", min_length=1, max_length=256),
]
LimitQuery = Annotated[int, QueryParameter(description="Page size.", ge=1, le=MAX_PAGE_SIZE)]
