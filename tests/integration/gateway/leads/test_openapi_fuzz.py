"""Schemathesis against the gateway's own OpenAPI document: generated valid and invalid
requests to the ingest, read, replay and event hook endpoints, with a key that has the
ingest, read and admin scopes so authenticated paths run, must never get a 5xx and must be answered as
documented."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

from tenant_auth.apikeys.service import create_api_key
from tenant_auth.registry.registry import open_registry
from tenant_auth.registry.service import get_tenant

from .world import WEBHOOK_ID, World

SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")
OUR_PATHS = r"^/(api/(leads|failed-records|deliveries)|bonzo/events|ingest)"
RUN_LIMIT_S = 540


async def pinned_values(world: World, key: str) -> str:
    """Schemathesis config pinning the values no schema can describe: a real tenant slug
    and its event hook code, a real lead id, and a real cursor of each list (a made-up one
    is rightly a 400). Everything else is generated."""
    headers = {"authorization": f"Bearer {key}"}
    cursors = {}
    for path in ("/api/leads", "/api/failed-records", "/api/deliveries"):
        page = (await world.client.get(path, params={"limit": 1}, headers=headers)).json()
        assert page["next_cursor"], path
        cursors[path] = page["next_cursor"]
    [(lead_id,)] = world.owner("SELECT lead_id FROM deliveries WHERE status = 'failed' LIMIT 1")
    lines = [
        "[parameters]",
        f'"path.tenant_slug" = {json.dumps(world.acme.slug)}',
        f'"header.x-bonzo-code" = {json.dumps(world.acme.bonzo_code)}',
        f'"path.lead_id" = "{lead_id}"',
    ]
    # A schema-valid body can still be rightly refused: without the source's key columns
    # (422), as text that is not JSON lines or has no header row (400), or as a multipart
    # file whose part names no known type or file extension (415). One schema for every
    # source cannot say which columns a source needs, nor what a text body holds.
    lines += [
        "",
        "[[operations]]",
        'include-path = "/ingest/{source}"',
        'checks.positive_data_acceptance.expected-statuses = ["2xx", "400", "401", "403", "404", "415", "422"]',
    ]
    for path, cursor in cursors.items():
        lines += [
            "",
            "[[operations]]",
            f'include-path = "{path}"',
            f'parameters = {{ "query.cursor" = "{cursor}" }}',
        ]
    return "\n".join(lines) + "\n"


async def test_generated_requests_never_get_a_server_error_and_match_the_schema(
    world: World, tmp_path: Path
) -> None:
    outcome = await world.ingest(
        world.acme,
        [f"LS-{n},Ann{n},Lee,ann{n}@example.com,555-234-01{n:02d},MA" for n in range(5)]
        + ["LS-8,,Nobody,,,TX", "LS-9,,Nobody,,,TX"],
    )
    await world.set_faults(forced_status={WEBHOOK_ID: 422})
    await world.deliver(world.acme, outcome.delivery_ids[:2])
    async with open_registry(world.settings.auth) as registry:
        tenant = await get_tenant(registry, world.acme.slug)
        issued = await create_api_key(
            registry, tenant, name="fuzz", scopes=["read", "admin", "ingest"], actor="test"
        )
    config = tmp_path / "schemathesis.toml"
    config.write_text(await pinned_values(world, issued.key.reveal()))

    process = await asyncio.create_subprocess_exec(
        str(SCHEMATHESIS),
        "--config-file",
        str(config),
        "--no-color",
        "run",
        f"{world.url}/schema/openapi.json",
        "--include-path-regex",
        OUR_PATHS,
        "--header",
        f"Authorization: Bearer {issued.key.reveal()}",
        "--checks",
        "all",
        "--max-examples",
        "25",
        "--seed",
        "20260309",
        "--workers",
        "1",
        "--phases",
        "examples,coverage,fuzzing",
        "--report",
        "junit",
        "--report-dir",
        str(tmp_path),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        cwd=tmp_path,
    )
    async with asyncio.timeout(RUN_LIMIT_S):
        output, _ = await process.communicate()

    assert process.returncode == 0, output.decode(errors="replace")[-20000:]
    # The run's summary (operations, phases, generated cases) for the CI log.
    print(output.decode(errors="replace")[-1500:])
