from __future__ import annotations

from uuid import UUID

from playwright.async_api import Browser, expect

from tests.support.browser import SCREENSHOTS, open_page

from .conftest import PagesWorld
from .data import MARY, prospect_created


async def _delivered_mary(world: PagesWorld) -> UUID:
    outcome = await world.ingest(world.acme, [MARY])
    await world.deliver(world.acme, outcome.delivery_ids)
    [(lead_id,)] = world.owner("SELECT id FROM leads WHERE batch_id = %s", [outcome.batch.id])
    return UUID(str(lead_id))


async def test_lead_page_shows_raw_next_to_normalized_attempts_and_journey(
    world: PagesWorld, browser: Browser
) -> None:
    lead_id = await _delivered_mary(world)
    await world.post_event(world.acme, prospect_created(str(lead_id)))
    cookies = await world.session_cookie(world.acme, "viewer")

    async with open_page(browser, world.url, cookies=cookies) as (page, watch):
        response = await page.goto(f"/leads/{lead_id}")
        assert response is not None
        assert response.status == 200

        await expect(page.get_by_role("heading", level=1)).to_have_text("Mary Major")
        raw = page.locator("#raw")
        await expect(raw).to_contain_text("(555) 234-0101")
        await expect(raw).to_contain_text("ma")
        normalized = page.locator("#normalized")
        await expect(normalized.locator('[data-field="phone"]')).to_have_text("5552340101")
        await expect(normalized.locator('[data-field="state"]')).to_have_text("MA")
        attempts = page.locator("#attempts tbody tr")
        await expect(attempts).to_have_count(1)
        await expect(attempts.first.locator('[data-col="status"]')).to_have_text("200")
        await expect(attempts.first).to_contain_text("delivered")
        await expect(page.locator("#journey .timeline li").first).to_contain_text(
            "Linked to Bonzo prospect"
        )
        await expect(page.locator("#journey")).to_contain_text("Bonzo prospect 701")
        await page.screenshot(path=SCREENSHOTS / "lead.png", full_page=True)
        assert watch.errors == []


async def test_lead_page_stacks_raw_and_normalized_on_a_phone(
    world: PagesWorld, browser: Browser
) -> None:
    lead_id = await _delivered_mary(world)
    cookies = await world.session_cookie(world.acme, "viewer")

    async with open_page(browser, world.url, cookies=cookies, width=390, height=844) as (page, _):
        await page.goto(f"/leads/{lead_id}")
        raw = await page.locator("#raw").bounding_box()
        normalized = await page.locator("#normalized").bounding_box()
        assert raw is not None
        assert normalized is not None
        assert normalized["y"] >= raw["y"] + raw["height"]
        width = await page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390
        await page.screenshot(path=SCREENSHOTS / "lead-phone.png", full_page=True)


async def test_another_tenants_lead_is_not_found(world: PagesWorld, browser: Browser) -> None:
    lead_id = await _delivered_mary(world)
    cookies = await world.session_cookie(world.beta, "admin")

    async with open_page(browser, world.url, cookies=cookies) as (page, _):
        response = await page.goto(f"/leads/{lead_id}")
        assert response is not None
        assert response.status == 404
        assert "Mary" not in await page.content()
