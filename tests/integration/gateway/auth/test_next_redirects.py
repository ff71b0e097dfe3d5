"""Where a sign-in may send the browser: local paths only."""

from __future__ import annotations

import pytest

from gateway.auth.redirects import MAX_NEXT_LENGTH, safe_next


@pytest.mark.parametrize(
    "local", ["/", "/dashboards/sla", "/leads?state=CA&page=2", "/a/%2F%2Fb", "/#section"]
)
def test_local_paths_are_kept(local: str) -> None:
    assert safe_next(local) == local


@pytest.mark.parametrize(
    "foreign",
    [
        None,
        "",
        "https://evil.example/",
        "http:/evil.example",
        "//evil.example",
        "///evil.example",
        "/\\evil.example",
        "\\\\evil.example",
        "/\t/evil.example",
        "/\n/evil.example",
        "/ /evil.example",
        "javascript:alert(1)",
        "evil.example/path",
        "/" + "a" * MAX_NEXT_LENGTH,
    ],
)
def test_anything_else_falls_back_to_home(foreign: str | None) -> None:
    assert safe_next(foreign) == "/"
