"""The outbound HTTP client for Bonzo posts, and how its failures are classified.

One ``httpx.AsyncClient`` per process, with explicit timeouts, no redirects (the webhook URL
is the credential; a redirect would carry a lead somewhere else) and aiohttp's connection
pool underneath: httpcore's pool scans every connection for every queued request, which
made it the bottleneck at a few hundred posts per second (bench/README.md, Delivery).
"""

from __future__ import annotations

import ssl

import aiohttp
import httpx
from httpx_aiohttp import AiohttpTransport

from pipeline.delivery.policy import ErrorClass

__all__ = ["classify_error", "create_http_client"]


def create_http_client(
    *, timeout_s: float = 15.0, connect_timeout_s: float = 5.0, max_connections: int = 100
) -> httpx.AsyncClient:
    def session() -> aiohttp.ClientSession:
        connector = aiohttp.TCPConnector(
            limit=max_connections, limit_per_host=max_connections, keepalive_timeout=30
        )
        return aiohttp.ClientSession(connector=connector, auto_decompress=False)

    return httpx.AsyncClient(
        transport=AiohttpTransport(client=session),
        timeout=httpx.Timeout(timeout_s, connect=connect_timeout_s),
        follow_redirects=False,
        headers={"user-agent": "leadgate"},
    )


def classify_error(exc: httpx.HTTPError) -> ErrorClass:
    """timeout, connect, tls or protocol. The aiohttp transport maps every connection
    error to ``httpx.ConnectTimeout``, so the original exception (the cause) decides."""
    cause = exc.__cause__
    if isinstance(cause, ssl.SSLError | aiohttp.ClientSSLError):
        return "tls"
    if isinstance(cause, aiohttp.ClientConnectorError):
        return "connect"
    if isinstance(cause, TimeoutError | aiohttp.ServerTimeoutError):
        return "timeout"
    if isinstance(cause, aiohttp.ClientError):
        return "protocol"
    if isinstance(exc, httpx.TimeoutException):
        return "timeout"
    if isinstance(exc, httpx.ConnectError):
        return "connect"
    return "protocol"
