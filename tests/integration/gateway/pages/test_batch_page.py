from __future__ import annotations

import csv
import io

from playwright.async_api import Browser, expect

from tests.support.browser import SCREENSHOTS, open_page

from .conftest import PagesWorld
from .data import BATCH_ROWS


async def test_batch_page_shows_counts_and_each_failed_records_field_errors(
    world: PagesWorld, browser: Browser
) -> None:
    outcome = await world.ingest(world.acme, BATCH_ROWS)
    await world.deliver(world.acme, outcome.delivery_ids)
    cookies = await world.session_cookie(world.acme, "viewer")

    async with open_page(browser, world.url, cookies=cookies) as (page, watch):
        response = await page.goto(f"/batches/{outcome.batch.id}")
        assert response is not None
        assert response.status == 200

        live = page.locator("#batch-live")
        await expect(live.locator("#batch-status")).to_have_text("done")
        await expect(live.locator('[data-count="total"]')).to_have_text("3")
        await expect(live.locator('[data-count="ok"]')).to_have_text("2")
        await expect(live.locator('[data-count="failed"]')).to_have_text("1")
        await expect(live.locator('[data-count="delivered"]')).to_have_text("2")
        failed = page.locator("#record-2")
        await expect(failed.locator(".field-errors li")).to_have_text(
            [
                "email: email address is not valid (name@domain.tld) invalid_email",
                "phone: phone candidate 1: phone number has 2 digits, not 10 invalid_phone",
                "contact: a valid email address or phone number is required contact_required",
            ]
        )
        await failed.locator("summary").click()
        await expect(failed.locator(".raw")).to_contain_text("not-an-email")
        await expect(page.locator("table.data tbody tr")).to_have_count(2)
        await page.screenshot(path=SCREENSHOTS / "batch.png", full_page=True)
        assert watch.errors == []


async def test_export_button_downloads_the_batchs_failed_records(
    world: PagesWorld, browser: Browser
) -> None:
    outcome = await world.ingest(world.acme, BATCH_ROWS)
    cookies = await world.session_cookie(world.acme, "viewer")

    async with open_page(browser, world.url, cookies=cookies) as (page, _):
        await page.goto(f"/batches/{outcome.batch.id}")
        async with page.expect_download() as started:
            await page.get_by_role("link", name="Export failed records (CSV)").click()
        download = await started.value
        path = await download.path()
        rows = list(csv.reader(io.StringIO(path.read_text())))

    assert download.suggested_filename == f"failed-records-{outcome.batch.id}.csv"
    assert len(rows) == 2
    assert "invalid_email" in ",".join(rows[1])
    assert "Nora" in rows[1]


async def test_another_tenants_batch_is_not_found(world: PagesWorld, browser: Browser) -> None:
    outcome = await world.ingest(world.acme, BATCH_ROWS)
    cookies = await world.session_cookie(world.beta, "admin")

    async with open_page(browser, world.url, cookies=cookies) as (page, _):
        response = await page.goto(f"/batches/{outcome.batch.id}")
        assert response is not None
        assert response.status == 404
        await expect(page.get_by_role("heading", level=1)).to_have_text("Not found")
        assert "Nora" not in await page.content()


async def test_batch_page_without_a_session_sends_the_browser_to_sign_in(
    world: PagesWorld, browser: Browser
) -> None:
    outcome = await world.ingest(world.acme, BATCH_ROWS)

    async with open_page(browser, world.url) as (page, _):
        await page.goto(f"/batches/{outcome.batch.id}")
        assert page.url.startswith(f"{world.url}/login?next=")
