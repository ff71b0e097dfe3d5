from __future__ import annotations

from typing import Any

from litestar import Litestar, post
from litestar.params import JSONBody
from litestar.testing import TestClient

from gateway.core.problems import exception_handlers


@post("/echo")
async def echo(data: JSONBody[dict[str, Any]]) -> dict[str, Any]:
    return data


def _client() -> TestClient[Litestar]:
    return TestClient(Litestar([echo], exception_handlers=exception_handlers))


def test_invalid_utf8_inside_a_json_string_is_a_400_problem() -> None:
    with _client() as client:
        response = client.post(
            "/echo", content=b'{"name": "\xff"}', headers={"content-type": "application/json"}
        )

    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["type"] == "urn:leadgate:problem:invalid-utf8"


def test_malformed_json_is_a_400_problem_without_internals() -> None:
    with _client() as client:
        response = client.post(
            "/echo", content=b'{"name": ', headers={"content-type": "application/json"}
        )

    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "Traceback" not in response.text
