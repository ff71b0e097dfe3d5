"""``GET /leads/{id}``: one lead: the record as the vendor sent it next to what it became,
its warnings, every post to Bonzo (status, latency, response excerpt), and its Bonzo
journey as a timeline."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, get
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath
from litestar.response import Template

from gateway.auth.principal import principal_of, require_page_access
from gateway.leads.dependencies import provide_tenant_connection
from gateway.pages.errors import PAGE_EXCEPTION_HANDLERS
from gateway.pages.frame import page_context, render
from pipeline.core.db import Connection
from pipeline.core.lead import LEAD_FIELDS, Lead
from pipeline.leads import service

__all__ = ["LeadPage"]

_HIDDEN_FIELDS = frozenset({"extra"})
"""Shown separately: the vendor columns no canonical field took."""

JOURNEY_LABELS = {
    "linked": "Linked to Bonzo prospect",
    "status": "Status",
    "pipeline_stage": "Pipeline stage",
    "assignment": "Assigned to user",
    "dnc": "Do not call",
    "opt_outs": "Opt-outs",
    "last_contact": "Last contact",
    "contact_attempt": "Contact attempt",
    "bad_phone": "Phone marked bad",
    "bad_email": "Email marked bad",
}


def normalized_fields(lead: Lead) -> list[tuple[str, Any]]:
    """The canonical fields that have a value, in contract order."""
    fields = ((name, getattr(lead, name)) for name in LEAD_FIELDS if name not in _HIDDEN_FIELDS)
    return [(name, value) for name, value in fields if value not in (None, "", [])]


class LeadPage(Controller):
    include_in_schema = False
    guards = [require_page_access("read")]  # noqa: RUF012 - Litestar reads a plain list
    dependencies = {"conn": Provide(provide_tenant_connection)}  # noqa: RUF012
    exception_handlers = PAGE_EXCEPTION_HANDLERS

    @get("/leads/{lead_id:uuid}", cache=False)
    async def lead(
        self,
        request: Request[Any, Any, Any],
        conn: NamedDependency[Connection],
        lead_id: FromPath[UUID],
    ) -> Template:
        detail = await service.get_lead_detail(
            conn, tenant_id=principal_of(request).tenant_id, lead_id=lead_id
        )
        context = await page_context(request, conn, title="Lead", section="leads")
        context.update(
            detail=detail,
            normalized=normalized_fields(detail.lead),
            journey_labels=JOURNEY_LABELS,
        )
        return render(request, "pages/lead.html", context, frameable=True)
