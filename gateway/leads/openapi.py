"""How this package's error answers look in the OpenAPI document, and the domain errors
its controllers turn into problem details."""

from __future__ import annotations

from collections.abc import Callable
from http import HTTPStatus
from typing import Any

from litestar import Request, Response
from litestar.openapi.datastructures import ResponseSpec

from gateway.core.problems import PROBLEM_MEDIA_TYPE, problem_response
from pipeline.core.structs import Frozen

__all__ = ["ProblemDetails", "domain_problem", "problem_responses"]


class ProblemDetails(Frozen):
    """An RFC 9457 problem: ``type`` is stable per kind of error (switch on it);
    ``request_id`` ties the answer to the server's logs. Validation problems also carry
    ``errors``, one entry per rejected parameter or field."""

    type: str
    title: str
    status: int
    detail: str
    request_id: str | None = None
    errors: list[dict[str, Any]] | None = None


def problem_responses(*statuses: int) -> dict[int, ResponseSpec]:
    """OpenAPI ``responses`` entries documenting a problem-details answer per status."""
    return {
        status: ResponseSpec(
            data_container=ProblemDetails,
            description=HTTPStatus(status).phrase,
            media_type=PROBLEM_MEDIA_TYPE,
            generate_examples=False,
        )
        for status in statuses
    }


def domain_problem(
    status: int, problem_type: str
) -> Callable[[Request[Any, Any, Any], Exception], Response[dict[str, Any]]]:
    """An exception handler answering a domain error with ``status``, ``problem_type`` and
    the error's message as the detail."""

    def handle(request: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, Any]]:
        return problem_response(status, problem_type, str(exc))

    return handle
