from __future__ import annotations

import re
from uuid import UUID

from playwright.async_api import Browser, expect

from tests.support.browser import SCREENSHOTS, open_page

from .conftest import LEADSOURCE_HEADER, PagesWorld
from .data import BATCH_ROWS

FILE = (LEADSOURCE_HEADER + "".join(row + "\n" for row in BATCH_ROWS)).encode()
FOCUS_ORDER = [
    "A Skip to content",
    "A Upload",
    "A Deliveries",
    "BUTTON Sign out",
    "SELECT source",
    "INPUT file",
    "BUTTON Upload",
]
_DESCRIBE_FOCUS = """() => {
  const el = document.activeElement;
  return el.tagName + " " + (["SELECT", "INPUT"].includes(el.tagName) ? el.id : el.textContent.trim());
}"""


async def test_uploaded_file_is_stored_and_its_batch_page_follows_processing(
    world: PagesWorld, browser: Browser
) -> None:
    cookies = await world.session_cookie(world.acme, "manager")

    async with open_page(browser, world.url, cookies=cookies) as (page, watch):
        await page.goto("/upload")
        await page.get_by_label("Vendor layout").select_option("leadsource")
        await page.get_by_label("File", exact=True).set_input_files(
            {"name": "fictional-leads.csv", "mimeType": "text/csv", "buffer": FILE}
        )
        await page.screenshot(path=SCREENSHOTS / "upload.png", full_page=True)
        # The form's fields, posted by the page's own request context (see
        # test_upload_form_submitted_by_its_button_leads_to_the_batch for the click).
        token = await page.locator('input[name="csrf_token"]').first.get_attribute("value")
        assert token
        answer = await page.request.post(
            "/upload",
            multipart={
                "csrf_token": token,
                "source": "leadsource",
                "file": {"name": "fictional-leads.csv", "mimeType": "text/csv", "buffer": FILE},
            },
            max_redirects=0,
        )
        assert answer.status == 303
        location = answer.headers["location"]
        assert re.fullmatch(r"/batches/[0-9a-f-]{36}", location)
        await page.goto(location)
        batch_id = UUID(location.rsplit("/", 1)[1])
        await expect(page.locator("#batch-status")).to_have_text("received")
        await expect(page.locator("#progress-note")).to_contain_text("waiting to be processed")
        [(channel, filename)] = world.owner(
            "SELECT channel, filename FROM ingest_batches WHERE id = %s", [batch_id]
        )
        assert (channel, filename) == ("upload", "fictional-leads.csv")

        # The worker's part, done here; the page's script notices without a reload.
        await world.process(world.acme, batch_id)
        await expect(page.locator("#batch-status")).to_have_text("done", timeout=15_000)
        await expect(page.locator("#record-2")).to_contain_text("invalid_email")
        await expect(page.locator("#progress-announcer")).to_have_text("Batch status: done")
        assert watch.errors == []


async def test_upload_form_is_usable_from_the_keyboard_in_reading_order(
    world: PagesWorld, browser: Browser
) -> None:
    cookies = await world.session_cookie(world.acme, "manager")

    async with open_page(browser, world.url, cookies=cookies) as (page, _):
        await page.goto("/upload")
        reached = []
        for _ in FOCUS_ORDER:
            await page.keyboard.press("Tab")
            reached.append(await page.evaluate(_DESCRIBE_FOCUS))
        assert reached == FOCUS_ORDER

        await page.keyboard.press("Shift+Tab")
        await page.keyboard.press("Shift+Tab")
        await page.keyboard.press("ArrowDown")  # choose a layout without a mouse
        assert await page.locator("#source").input_value() != ""


async def test_upload_without_a_file_shows_the_form_again_with_the_reason(
    world: PagesWorld, browser: Browser
) -> None:
    cookies = await world.session_cookie(world.acme, "manager")

    async with open_page(browser, world.url, cookies=cookies) as (page, _):
        await page.goto("/upload")
        token = await page.locator('input[name="csrf_token"]').first.get_attribute("value")
        assert token
        answer = await page.request.post(
            "/upload", multipart={"csrf_token": token, "source": "leadsource"}
        )
        assert answer.status == 422
        assert "Choose a file to upload." in await answer.text()

    assert world.owner("SELECT count(*) FROM ingest_batches") == [(0,)]


async def test_viewer_cannot_upload(world: PagesWorld, browser: Browser) -> None:
    cookies = await world.session_cookie(world.acme, "viewer")

    async with open_page(browser, world.url, cookies=cookies) as (page, _):
        response = await page.goto("/upload")
        assert response is not None
        assert response.status == 403
        await expect(page.get_by_role("link", name="Upload")).to_have_count(0)


async def test_upload_form_submitted_by_its_button_leads_to_the_batch(
    world: PagesWorld, browser: Browser
) -> None:
    cookies = await world.session_cookie(world.acme, "manager")

    async with open_page(browser, world.url, cookies=cookies) as (page, _):
        await page.goto("/upload")
        await page.get_by_label("Vendor layout").select_option("leadsource")
        await page.get_by_label("File", exact=True).set_input_files(
            {"name": "fictional-leads.csv", "mimeType": "text/csv", "buffer": FILE}
        )
        await page.get_by_role("button", name="Upload", exact=True).click()
        await expect(page.locator("#batch-status")).to_have_text("received")
