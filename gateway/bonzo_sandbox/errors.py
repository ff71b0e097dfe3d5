"""Error answers: Laravel-style JSON on Bonzo's own paths, RFC 9457 problems elsewhere.

Clients of the sandbox under ``/api/`` must meet the bodies Bonzo sends
(``{"message": ...}``); the sandbox's own routes (``/_sandbox/...``, unknown paths) answer
with the gateway's problem details. Neither ever carries a stack trace.
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

import msgspec
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException

from gateway.core.problems import exception_handlers as problem_handlers

__all__ = ["exception_handlers", "laravel_response"]

log = logging.getLogger(__name__)

_LARAVEL_MESSAGES = {
    401: "Unauthenticated.",
    403: "This action is unauthorized.",
    404: "Not Found.",
    405: "Method Not Allowed.",
    429: "Too Many Attempts.",
    500: "Server Error",
}


def laravel_response(
    status: int,
    message: str,
    *,
    errors: dict[str, list[str]] | None = None,
    headers: dict[str, str] | None = None,
) -> Response[bytes]:
    body: dict[str, Any] = {"message": message}
    if errors:
        body["errors"] = errors
    return Response(
        msgspec.json.encode(body),
        status_code=status,
        media_type="application/json",
        headers=headers,
    )


def _is_bonzo_path(request: Request[Any, Any, Any]) -> bool:
    path: str = request.scope["path"]
    return path.startswith("/api/")


def _http_exception(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    if not _is_bonzo_path(request):
        return problem_handlers[HTTPException](request, exc)  # type: ignore[no-any-return]
    status = exc.status_code
    if isinstance(exc, ValidationException):
        return laravel_response(422, "The given data was invalid.")
    phrase = HTTPStatus(status).phrase
    custom = exc.detail and exc.detail != phrase
    message = exc.detail if custom else _LARAVEL_MESSAGES.get(status, phrase)
    return laravel_response(status, message, headers=exc.headers)


def _unexpected(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    if not _is_bonzo_path(request):
        return problem_handlers[Exception](request, exc)  # type: ignore[no-any-return]
    log.error("sandbox error", exc_info=exc, extra={"path": request.scope["path"]})
    return laravel_response(500, _LARAVEL_MESSAGES[500])


exception_handlers: dict[type[Exception] | int, Any] = {
    HTTPException: _http_exception,
    Exception: _unexpected,
}
