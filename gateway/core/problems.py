"""RFC 9457 problem details for every error the gateway returns.

``type`` is a stable URI per kind of problem (clients may switch on it); ``request_id``
ties a response to the server's logs. Unexpected exceptions become a bare 500 whose body
says nothing about the code: the trace goes to the log only.
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException

from gateway.core.logging import request_id_var

__all__ = ["PROBLEM_MEDIA_TYPE", "Problem", "exception_handlers", "problem_response"]

PROBLEM_MEDIA_TYPE = "application/problem+json"
_TYPE_BASE = "urn:leadgate:problem:"
log = logging.getLogger(__name__)


class Problem(HTTPException):
    """Raise from a controller to answer with a specific problem ``type``."""

    def __init__(
        self,
        status_code: int,
        problem_type: str,
        detail: str,
        *,
        headers: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(detail=detail, status_code=status_code, headers=headers, extra=extra)
        self.problem_type = problem_type


def problem_response(
    status: int,
    problem_type: str,
    detail: str,
    *,
    headers: dict[str, str] | None = None,
    extra: dict[str, Any] | None = None,
) -> Response[dict[str, Any]]:
    body: dict[str, Any] = {
        "type": _TYPE_BASE + problem_type,
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
    }
    if extra:
        body.update(extra)
    if (request_id := request_id_var.get()) is not None:
        body["request_id"] = request_id
    return Response(body, status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=headers)


_DEFAULT_TYPES = {
    400: "bad-request",
    401: "unauthorized",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    409: "conflict",
    413: "payload-too-large",
    415: "unsupported-media-type",
    422: "unprocessable",
    429: "rate-limited",
    503: "unavailable",
}


def _http_exception(
    request: Request[Any, Any, Any], exc: HTTPException
) -> Response[dict[str, Any]]:
    status = exc.status_code
    problem_type = (
        exc.problem_type if isinstance(exc, Problem) else _DEFAULT_TYPES.get(status, "error")
    )
    extra: dict[str, Any] | None = None
    if isinstance(exc, ValidationException) and exc.extra:
        extra = {"errors": exc.extra}
        problem_type = "validation"
    elif isinstance(exc.extra, dict):
        extra = exc.extra
    detail = exc.detail if status < 500 else HTTPStatus(status).phrase
    return problem_response(status, problem_type, detail, headers=exc.headers, extra=extra)


def _unexpected(request: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, Any]]:
    log.error("unhandled error", exc_info=exc, extra={"path": request.url.path})
    return problem_response(500, "internal", "The server could not complete the request.")


def _invalid_utf8(
    request: Request[Any, Any, Any], exc: UnicodeDecodeError
) -> Response[dict[str, Any]]:
    # msgspec raises this (not a DecodeError) for bad UTF-8 inside a JSON string, and
    # Litestar passes it through: it is the client's bytes, not our bug.
    return problem_response(400, "invalid-utf8", "The request body is not valid UTF-8.")


exception_handlers: dict[type[Exception] | int, Any] = {
    HTTPException: _http_exception,
    UnicodeDecodeError: _invalid_utf8,
    Exception: _unexpected,
}
