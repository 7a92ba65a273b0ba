"""What the workbench's browser tests do again and again."""

from __future__ import annotations

from playwright.async_api import Page, expect


async def open_slot(page: Page, slot_id: str) -> None:
    await page.locator(f"#slot-list [data-slot={slot_id}]").click()
    await expect(page.locator(f"#slot-list [data-slot={slot_id}]")).to_have_class("slot active")
