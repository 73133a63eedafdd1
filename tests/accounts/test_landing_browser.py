"""An agent signing in on a phone lands on the desk, with every header link a tap away."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import check_accessibility
from tests.factories import DEFAULT_PASSWORD, ServiceFactory, UserFactory, agent_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def assert_header_fits(page: Page) -> None:
    """No header link sticks out of the screen, and the page does not scroll sideways."""
    overflowing = page.evaluate(
        """() => [...document.querySelectorAll('header a, header button, header select')]
            .filter((el) => { const box = el.getBoundingClientRect();
                              return box.left < 0 || box.right > window.innerWidth; })
            .map((el) => el.textContent.trim())"""
    )
    assert overflowing == []
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("language", ["fr", "en"])
def test_an_agent_signs_in_on_a_phone_and_lands_on_the_desk(
    new_context, live_server, artifacts_dir, language
):
    """Through the login form, an administrator who is also an agent reaches the Guichet; on a
    requester page the header still offers the desk, the queues, the statistics and the admin."""
    agent = agent_of(
        ServiceFactory(name="Scolarité"),
        user=UserFactory(email="agent@univ.example", is_staff=True, preferred_language=language),
    )
    context = new_context(locale="fr-FR" if language == "fr" else "en-GB", viewport=PHONE)
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("input[name='login']", agent.email)
        page.fill("input[name='password']", DEFAULT_PASSWORD)
        page.locator("main form button[type='submit']").last.click()
        expect(page).to_have_url(f"{live_server.url}/desk/")
        assert_header_fits(page)

        page.goto(f"{live_server.url}/tickets/")
        header = page.get_by_role(
            "navigation", name="Menu principal" if language == "fr" else "Main menu"
        )
        # On a phone the links fold under the header's "Menu" button.
        page.get_by_role("button", name="Menu").click()
        labels = ["Guichet", "Files d'attente", "Statistiques"]
        if language == "en":
            labels = ["Desk", "Queues", "Statistics"]
        for label in [*labels, "Administration"]:
            expect(header.get_by_role("link", name=label, exact=True)).to_be_visible()
        assert_header_fits(page)
        page.screenshot(path=str(artifacts_dir / f"agent-header-phone-{language}.png"))
        check_accessibility(page, f"my tickets, agent on a phone ({language})")
    finally:
        context.close()
