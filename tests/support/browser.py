"""Headless Chromium for page tests: Debian's ``chromium`` driven by Playwright's bundled
driver (no browser download, ever).

A machine without ``/usr/bin/chromium`` gets it from apt when the tests run as root;
otherwise the harness fails loudly rather than skipping the page tests.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from playwright.async_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    Response,
    async_playwright,
)

__all__ = [
    "CHROMIUM",
    "CHROMIUM_ARGS",
    "SCREENSHOTS",
    "PageWatch",
    "chromium",
    "ensure_chromium",
    "open_page",
]

CHROMIUM: Final = Path("/usr/bin/chromium")
CHROMIUM_ARGS: Final = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
SCREENSHOTS: Final = (
    Path(__file__).resolve().parents[2] / "docs" / "screenshots"
    if os.environ.get("LEADGATE_REFRESH_SCREENSHOTS") == "1"
    else Path(tempfile.mkdtemp(prefix="leadgate-screenshots-"))
)
"""Where page tests save their screenshots: the committed ones shown in the docs with
``LEADGATE_REFRESH_SCREENSHOTS=1``, else a scratch directory, so a test run leaves the
checkout as it found it."""


def ensure_chromium() -> Path:
    """The Chromium binary, installed with apt first when missing and running as root.
    Raises ``RuntimeError`` when it cannot be had."""
    if CHROMIUM.exists():
        return CHROMIUM
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        raise RuntimeError(
            f"{CHROMIUM} is missing: install Debian's chromium package "
            "(apt-get install chromium) to run the page tests"
        )
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update"], check=True, env=env)
    subprocess.run(["apt-get", "install", "-y", "chromium"], check=True, env=env)
    if not CHROMIUM.exists():
        raise RuntimeError(f"apt-get installed chromium, but {CHROMIUM} is still missing")
    return CHROMIUM


@asynccontextmanager
async def chromium() -> AsyncIterator[Browser]:
    """A headless Chromium for the duration of the block."""
    executable = ensure_chromium()
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(executable), headless=True, args=list(CHROMIUM_ARGS)
        )
        try:
            yield browser
        finally:
            await browser.close()


@dataclass
class PageWatch:
    """What went wrong while a page loaded: console errors (a Content-Security-Policy
    violation, from an inline script or a foreign asset, shows up here) and subresources
    answered with an error status. The browser's own ``/favicon.ico`` probe is not ours."""

    errors: list[str] = field(default_factory=list)

    def on_console(self, message: ConsoleMessage) -> None:
        # A failed subresource is reported by on_response, with its URL.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.errors.append(message.text)

    def on_response(self, response: Response) -> None:
        request = response.request
        if (
            response.status >= 400
            and request.resource_type != "document"
            and not response.url.endswith("/favicon.ico")
        ):
            self.errors.append(f"{response.status} {request.method} {response.url}")


@asynccontextmanager
async def open_page(
    browser: Browser,
    base_url: str,
    *,
    cookies: dict[str, str] | None = None,
    width: int = 1280,
    height: int = 900,
) -> AsyncIterator[tuple[Page, PageWatch]]:
    """A page in a fresh browser context (its own cookie jar) carrying ``cookies`` for
    ``base_url``; yields the page and what it logs."""
    context: BrowserContext = await browser.new_context(
        base_url=base_url, viewport={"width": width, "height": height}
    )
    try:
        if cookies:
            await context.add_cookies(
                [{"name": name, "value": value, "url": base_url} for name, value in cookies.items()]
            )
        page = await context.new_page()
        watch = PageWatch()
        page.on("console", watch.on_console)
        page.on("response", watch.on_response)
        yield page, watch
    finally:
        await context.close()
