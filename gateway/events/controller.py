"""``POST /bonzo/events/{tenant_slug}``: Bonzo's event hooks.

Bonzo authenticates with the tenant's shared code in ``x-bonzo-code`` (no signature), so
the code is checked in constant time before anything is stored, and every failure (unknown
tenant, no code set, wrong code) is the same 401. The body is read raw and stored as sent;
see ``pipeline.journey`` for what is applied.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Final

from litestar import Request, post
from litestar.openapi.spec import (
    OpenAPIMediaType,
    OpenAPIType,
    Operation,
    RequestBody,
    Schema,
)
from litestar.params import FromPath, HeaderParameter

from gateway.core.problems import Problem
from gateway.core.resources import Resources
from gateway.leads.openapi import problem_responses
from pipeline.journey.schemas import EventReceipt
from pipeline.journey.service import (
    EventCodeRejected,
    EventCodeUnreadable,
    InvalidEventBody,
    receive_event,
)

__all__ = ["receive_bonzo_event"]

# Far above any prospect Bonzo sends (a few KiB), far below what could hurt.
_BODY_LIMIT: Final = 512 * 1024
_UNAUTHORIZED: Final = "The x-bonzo-code header does not match this tenant's event hook code."


@dataclass
class _EventHookOperation(Operation):
    """Documents the body the handler reads raw (Litestar documents only decoded ones)."""

    def __post_init__(self) -> None:
        self.request_body = RequestBody(
            required=True,
            description=(
                "A Bonzo event hook envelope. Any JSON object is accepted and stored; "
                "`prospects.created`, `prospects.updated` and `messages.outgoing.updated` "
                "are applied to the lead's journey."
            ),
            content={
                "application/json": OpenAPIMediaType(
                    schema=Schema(
                        type=OpenAPIType.OBJECT,
                        # Described, not constrained: a field of an unexpected type is
                        # stored and read as unknown, never refused.
                        properties={
                            "event": Schema(description="e.g. `prospects.updated`"),
                            "prospect": Schema(description="The prospect as Bonzo shows it."),
                            "additional": Schema(
                                description="`message` for message events, `campaign` for "
                                "prospects created in a campaign."
                            ),
                        },
                    )
                )
            },
        )


@post(
    "/bonzo/events/{tenant_slug:str}",
    status_code=200,
    summary="Receive a Bonzo event hook",
    description=(
        "Configure this URL and the tenant's code (`leadgate tenant bonzo-code SLUG`) in "
        "Bonzo's Event Hooks. Each event is stored as sent and applied to the prospect's "
        "journey; a repeat of the same event is answered the same way and stored once."
    ),
    tags=["bonzo"],
    request_max_body_size=_BODY_LIMIT,
    operation_class=_EventHookOperation,
    responses=problem_responses(400, 401, 413, 503),
)
async def receive_bonzo_event(
    request: Request[Any, Any, Any],
    tenant_slug: FromPath[str],
    code: Annotated[
        str | None,
        HeaderParameter(name="x-bonzo-code", description="The tenant's event hook code."),
    ] = None,
) -> EventReceipt:
    resources: Resources = request.app.state.resources
    body = await request.body()
    try:
        return await receive_event(
            resources.pool,
            resources.registry.box,
            tenant_slug=tenant_slug,
            presented_code=code,
            body=body,
        )
    except EventCodeRejected:
        raise Problem(401, "bonzo-code-rejected", _UNAUTHORIZED) from None
    except InvalidEventBody as exc:
        raise Problem(400, "invalid-event", f"{exc}.") from None
    except EventCodeUnreadable:
        raise Problem(
            503,
            "bonzo-code-unreadable",
            "This tenant's event hook code cannot be read; an operator must set a new one.",
        ) from None
