"""What every browser test does the same way: log in through the form, and ask axe."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.factories import DEFAULT_PASSWORD

# WCAG 2.1, levels A and AA: what French public bodies must meet (RGAA).
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def check_accessibility(page: Page, where: str) -> None:
    """axe finds no WCAG 2.1 A/AA violation on the page as it is now."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
    assert results.violations_count == 0, f"{where}:\n{results.generate_report()}"


def log_in(page: Page, base_url: str, email: str, next_path: str) -> None:
    """Local login (the form under the SSO button), then back to `next_path`."""
    page.goto(f"{base_url}/accounts/login/?next={next_path}")
    page.fill("input[name='login']", email)
    page.fill("input[name='password']", DEFAULT_PASSWORD)
    page.locator("main form button[type='submit']").last.click()
    expect(page).to_have_url(re.compile(re.escape(next_path) + "$"))
