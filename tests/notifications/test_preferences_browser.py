"""The email preferences on the profile page, in Chromium, in French and in English, with axe."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from notifications.models import NotificationPreference
from tests.browser.helpers import check_accessibility, log_in
from tests.factories import ServiceFactory, UserFactory, agent_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_agent_chooses_the_daily_digest(page: Page, live_server, artifacts_dir: Path):
    """An agent opens their profile, picks the daily summary of new tickets, switches off the
    emails about reopened tickets, and saves."""
    agent = agent_of(
        ServiceFactory(name="Scolarité"),
        user=UserFactory(full_name="Alice Martin", preferred_language="fr"),
    )
    log_in(page, live_server.url, agent.email, "/profile/")
    section = page.locator("#notifications")
    expect(section.get_by_role("heading", name="Notifications par courriel")).to_be_visible()
    check_accessibility(page, "profile (fr, agent)")

    section.get_by_label("Un récapitulatif quotidien des nouveaux tickets").check()
    section.get_by_label("Tickets rouverts dans mes services").uncheck()
    section.get_by_role("button", name="Enregistrer mes préférences de courriel").click()
    expect(page.get_by_role("status")).to_contain_text(
        "Vos préférences de courriel ont été enregistrées."
    )
    expect(section.get_by_label("Un récapitulatif quotidien des nouveaux tickets")).to_be_checked()
    expect(section.get_by_label("Tickets rouverts dans mes services")).not_to_be_checked()
    check_accessibility(page, "profile after saving (fr, agent)")
    page.screenshot(path=artifacts_dir / "notifications-preferences-agent-fr.png", full_page=True)

    saved = NotificationPreference.objects.get(user=agent)
    assert saved.new_ticket_delivery == "digest"
    assert saved.reopened is False
    assert saved.requester_activity is True


def test_requester_sees_only_their_choices_in_english(browser, live_server, artifacts_dir: Path):
    """An English-speaking requester is offered the emails about their own tickets only."""
    requester = UserFactory(full_name="Sam Taylor", preferred_language="en")
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    try:
        log_in(page, live_server.url, requester.email, "/profile/")
        section = page.locator("#notifications")
        expect(section.get_by_role("heading", name="Email notifications")).to_be_visible()
        expect(section.get_by_label("Replies from the service")).to_be_checked()
        expect(section.get_by_text("New tickets in my services")).to_have_count(0)
        check_accessibility(page, "profile (en, requester)")
        page.screenshot(
            path=artifacts_dir / "notifications-preferences-requester-en.png", full_page=True
        )
    finally:
        context.close()
