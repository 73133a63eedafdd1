"""The demo in the browser: the head of a service signs in with a printed account and finds
months of tickets in the queue and in the statistics."""

from __future__ import annotations

import re
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from tests.browser.helpers import check_accessibility, log_in
from tests.factories import DEFAULT_PASSWORD


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_demo_head_sees_months_of_tickets(page, live_server, artifacts_dir, monkeypatch):
    """Screenshots of the queue (every ticket of the service) and of five months of statistics
    (test-artifacts/screenshots/demo-queue.png, demo-stats.png); axe finds no WCAG 2.1 A/AA
    violation on either page."""
    from playwright.sync_api import expect

    # The login helper types the test suite's password: the demo prints and sets it.
    monkeypatch.setenv("DEMO_PASSWORD", DEFAULT_PASSWORD)
    out = StringIO()
    call_command("load_demo_data", force=True, stdout=out)
    assert f"chef@demo.univ.example           {DEFAULT_PASSWORD}" in out.getvalue()
    page.set_viewport_size({"width": 1366, "height": 900})

    log_in(page, live_server.url, "chef@demo.univ.example", "/desk/queue/")
    page.goto(f"{live_server.url}/desk/queue/?tab=all")
    rows = page.locator("main table tbody tr")
    expect(rows.first).to_be_visible()
    assert rows.count() >= 20
    page.screenshot(path=str(artifacts_dir / "demo-queue.png"), full_page=True)
    check_accessibility(page, "demo queue")

    today = timezone.localdate()
    start = today - timedelta(days=160)
    page.goto(f"{live_server.url}/desk/stats/?period=custom&start={start}&end={today}")
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("Direction du numérique"))
    expect(page.get_by_role("img", name=re.compile("Tickets par catégorie"))).to_be_visible()
    page.screenshot(path=str(artifacts_dir / "demo-stats.png"), full_page=True)
    check_accessibility(page, "demo statistics")
