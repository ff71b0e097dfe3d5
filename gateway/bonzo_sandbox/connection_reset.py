"""Dropping a client's connection with a TCP reset instead of answering it.

ASGI has no message for "abort", and uvicorn answers an app that fails before responding
with a 500, so the reset is done on the connection's transport. uvicorn passes its
per-request cycle's bound ``receive`` to the app, and the cycle holds the transport; this
is uvicorn's internal layout (h11 and httptools alike), so the integration tests prove it
on every run. ``SO_LINGER`` with a zero timeout makes the close send RST, not FIN, so the
client sees "connection reset by peer" rather than a clean end of stream.
"""

from __future__ import annotations

import asyncio
import socket
import struct
from typing import Any

from litestar import Request

__all__ = ["reset_connection"]

_LINGER_ZERO = struct.pack("ii", 1, 0)


def reset_connection(request: Request[Any, Any, Any]) -> None:
    """Abort the connection ``request`` came on; whatever is sent afterwards is dropped.

    Raises ``RuntimeError`` when the server is not uvicorn (no transport to reach).
    """
    cycle = getattr(request.receive, "__self__", None)
    transport = getattr(cycle, "transport", None)
    if not isinstance(transport, asyncio.Transport):
        raise RuntimeError("connection resets need the sandbox to be served by uvicorn")
    sock = transport.get_extra_info("socket")
    if sock is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, _LINGER_ZERO)
    transport.abort()
