from __future__ import annotations

from uuid import UUID

from playwright.async_api import Browser, expect

from tests.support.browser import SCREENSHOTS, open_page

from .conftest import WEBHOOK_ID, PagesWorld
from .data import MARY, RAY


async def _refused_by_bonzo(world: PagesWorld) -> dict[UUID, UUID]:
    """Two acme leads whose deliveries Bonzo refused (422): lead id -> delivery id."""
    outcome = await world.ingest(world.acme, [MARY, RAY])
    await world.set_faults(forced_status={WEBHOOK_ID: 422})
    await world.deliver(world.acme, outcome.delivery_ids)
    await world.set_faults()
    rows = world.owner(
        "SELECT l.id, d.id FROM leads l JOIN deliveries d ON d.lead_id = l.id WHERE l.batch_id = %s",
        [outcome.batch.id],
    )
    return {UUID(str(lead)): UUID(str(delivery)) for lead, delivery in rows}


async def test_admin_filters_failed_deliveries_and_replays_one(
    world: PagesWorld, browser: Browser
) -> None:
    refused = await _refused_by_bonzo(world)
    lead_id, delivery_id = next(iter(refused.items()))
    cookies = await world.session_cookie(world.acme, "admin")

    async with open_page(browser, world.url, cookies=cookies) as (page, watch):
        await page.goto("/deliveries")
        await page.get_by_label("Status").select_option("failed")
        await page.get_by_role("button", name="Show").click()
        await expect(page).to_have_url(f"{world.url}/deliveries?status=failed")
        rows = page.locator("#deliveries tbody tr")
        await expect(rows).to_have_count(2)
        await expect(rows.first).to_contain_text("422")
        await page.screenshot(path=SCREENSHOTS / "deliveries.png", full_page=True)

        await expect(page.get_by_role("button", name=f"Replay lead {lead_id}")).to_be_visible()
        # The row's form, posted by the page's own request context (see
        # test_replay_button_queues_the_delivery for the click).
        token = await page.locator('input[name="csrf_token"]').first.get_attribute("value")
        assert token
        answer = await page.request.post(
            "/deliveries/replay",
            form={"csrf_token": token, "lead_id": str(lead_id)},
            max_redirects=0,
        )
        assert answer.status == 303
        await page.goto(answer.headers["location"])

        await expect(page.get_by_role("status")).to_have_text(
            "1 delivery queued for another post to Bonzo."
        )
        row = page.locator(f'#deliveries tr[data-lead="{lead_id}"]')
        await expect(row).to_contain_text("pending")
        assert watch.errors == []

    assert delivery_id in await world.queued_delivery_ids()


async def test_viewer_sees_no_replay_button_and_is_refused_when_posting_one(
    world: PagesWorld, browser: Browser
) -> None:
    refused = await _refused_by_bonzo(world)
    lead_id = next(iter(refused))
    cookies = await world.session_cookie(world.acme, "viewer")

    async with open_page(browser, world.url, cookies=cookies) as (page, _):
        await page.goto("/deliveries?status=failed")
        await expect(page.locator("#deliveries tbody tr")).to_have_count(2)
        await expect(page.get_by_role("button", name="Replay", exact=False)).to_have_count(0)
        token = await page.locator('input[name="csrf_token"]').first.get_attribute("value")
        assert token
        answer = await page.request.post(
            "/deliveries/replay", form={"csrf_token": token, "lead_id": str(lead_id)}
        )

    assert answer.status == 403
    assert not await world.queued_delivery_ids()
    [(status,)] = world.owner("SELECT status FROM deliveries WHERE lead_id = %s", [lead_id])
    assert status == "failed"


async def test_replay_without_the_csrf_token_is_refused(
    world: PagesWorld, browser: Browser
) -> None:
    refused = await _refused_by_bonzo(world)
    cookies = await world.session_cookie(world.acme, "admin")

    async with open_page(browser, world.url, cookies=cookies) as (page, _):
        answer = await page.request.post(
            "/deliveries/replay", form={"lead_id": str(next(iter(refused)))}
        )

    assert answer.status == 403
    assert not await world.queued_delivery_ids()


async def test_replay_button_queues_the_delivery(world: PagesWorld, browser: Browser) -> None:
    refused = await _refused_by_bonzo(world)
    lead_id = next(iter(refused))
    cookies = await world.session_cookie(world.acme, "admin")

    async with open_page(browser, world.url, cookies=cookies) as (page, _):
        await page.goto("/deliveries?status=failed")
        await page.get_by_role("button", name=f"Replay lead {lead_id}").click()
        await expect(page.get_by_role("status")).to_have_text(
            "1 delivery queued for another post to Bonzo."
        )
