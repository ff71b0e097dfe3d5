"""HTML answers for what a page cannot show: an unknown (or another tenant's) batch or
lead is a 404 page, a tampered paging cursor a 400 page."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response
from litestar.types import ExceptionHandlersMap

from gateway.pages.frame import render
from pipeline.leads.service import BatchNotFound, InvalidCursor, LeadNotFound

__all__ = ["PAGE_EXCEPTION_HANDLERS"]


def _not_found(request: Request[Any, Any, Any], _: Exception) -> Response[Any]:
    return render(
        request,
        "pages/error.html",
        {
            "title": "Not found",
            "heading": "Not found",
            "explanation": "There is nothing here, or it belongs to another organization.",
        },
        status=404,
    )


def _bad_cursor(request: Request[Any, Any, Any], _: Exception) -> Response[Any]:
    return render(
        request,
        "pages/error.html",
        {
            "title": "Page link not valid",
            "heading": "Page link not valid",
            "explanation": "This page link was changed or is too old. Start from the first page.",
        },
        status=400,
    )


PAGE_EXCEPTION_HANDLERS: ExceptionHandlersMap = {
    BatchNotFound: _not_found,
    LeadNotFound: _not_found,
    InvalidCursor: _bad_cursor,
}
"""Register on each page controller."""
