"""Postponing and merging, walked in Chromium in French and in English.

An agent postpones a ticket until next week from the ACTIONS menu: it leaves "Mes tickets en
cours" for "Reportés", its requester reads the date on their page, and on that date the helpdesk
(the beat task's work, run here for that day) puts it back in progress. Another agent merges a
duplicate into the first report of the same problem: the duplicate's page leads to the other
ticket, where its requester finds their message. axe checks every page visited.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import formats, timezone, translation
from playwright.sync_api import expect

from tests.browser.helpers import check_accessibility, log_in
from tests.factories import CategoryFactory, ServiceFactory, UserFactory, agent_of
from tickets import services, workflow
from tickets.models import Ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

Status = Ticket.Status
LOCALES = {"fr": "fr-FR", "en": "en-GB"}


def said(language: str, text: object) -> str:
    """The interface's words in the language of the walk."""
    with translation.override(language):
        return str(translation.gettext(text) if isinstance(text, str) else text)


@pytest.fixture
def service_desk(db):
    service = ServiceFactory(name="Direction du numérique", slug="dnum")
    category = CategoryFactory(name="Salles", slug="salles", service=service)
    return {"service": service, "category": category}


def person(language: str, name: str, **extra):
    return UserFactory(full_name=name, preferred_language=language, **extra)


@pytest.mark.parametrize("language", ["fr", "en"])
def test_an_agent_postpones_a_ticket_and_it_comes_back_on_its_date(
    new_context, live_server, service_desk, artifacts_dir: Path, language: str
):
    base = live_server.url
    agent = agent_of(service_desk["service"], user=person(language, "Alice Martin"))
    requester = person(language, "Camille Durand")
    ticket = services.ticket_create(
        requester=requester,
        category=service_desk["category"],
        subject="Vidéoprojecteur de l'amphi B",
        description="La lampe est grillée.",
    )
    workflow.take(ticket=ticket, actor=agent)
    until = timezone.localdate() + timedelta(days=7)

    context = new_context(locale=LOCALES[language])
    page = context.new_page()
    try:
        log_in(page, base, agent.email, f"/desk/tickets/{ticket.pk}/")
        page.locator("#move-menu-button").click()
        page.get_by_role("link", name=said(language, "Postpone"), exact=True).click()
        page.get_by_label(said(language, "Back in progress on")).fill(until.isoformat())
        page.get_by_label(said(language, "Reason (sent to the requester)")).fill(
            "Lampe commandée, livraison la semaine prochaine."
        )
        check_accessibility(page, f"postpone form ({language})")
        page.get_by_role("button", name=said(language, "Postpone"), exact=True).click()
        expect(page.get_by_test_id("status")).to_have_text(said(language, Status.POSTPONED.label))
        with translation.override(language):
            shown = formats.date_format(until, "DATE_FORMAT")
        expect(page.get_by_test_id("postponed-until")).to_have_text(shown)
        check_accessibility(page, f"postponed ticket ({language})")
        page.screenshot(path=str(artifacts_dir / f"postponed-{language}.png"), full_page=True)

        # Out of "My tickets in progress", in "Postponed".
        page.goto(f"{base}/desk/queue/?tab=mine")
        expect(page.get_by_role("row").filter(has_text="amphi B")).to_have_count(0)
        page.goto(f"{base}/desk/queue/?tab=postponed")
        expect(page.get_by_role("row").filter(has_text="amphi B")).to_have_count(1)
        check_accessibility(page, f"postponed tab ({language})")

        # The requester reads the date on their page.
        other = new_context(locale=LOCALES[language])
        try:
            requester_page = other.new_page()
            log_in(requester_page, base, requester.email, f"/tickets/{ticket.pk}/")
            expect(requester_page.get_by_test_id("postponed-until")).to_have_text(shown)
            check_accessibility(requester_page, f"requester's postponed ticket ({language})")
        finally:
            other.close()

        # On its date the helpdesk puts it back in progress.
        assert workflow.resume_due(today=until) == 1
        page.goto(f"{base}/desk/queue/?tab=mine")
        expect(page.get_by_role("row").filter(has_text="amphi B")).to_have_count(1)
        page.get_by_role("link", name=re.compile("amphi B")).first.click()
        expect(page.get_by_test_id("status")).to_have_text(said(language, Status.IN_PROGRESS.label))
        sentence = said(language, "The postponement is over: the ticket is back in progress")
        expect(page.get_by_text(sentence)).to_be_visible()
        check_accessibility(page, f"ticket back in progress ({language})")
    finally:
        context.close()


@pytest.mark.parametrize("language", ["fr", "en"])
def test_an_agent_merges_two_tickets(
    new_context, live_server, service_desk, artifacts_dir: Path, language: str
):
    base = live_server.url
    agent = agent_of(service_desk["service"], user=person(language, "Bruno Petit"))
    first = person(language, "Dominique Leroy")
    second = person(language, "Emma Roux")
    original = services.ticket_create(
        requester=first,
        category=service_desk["category"],
        subject="Pas de son en salle C12",
        description="Les enceintes ne marchent pas.",
    )
    duplicate = services.ticket_create(
        requester=second,
        category=service_desk["category"],
        subject="Salle C12 : enceintes muettes",
        description="Aucun son pendant mon cours de 10 h.",
    )

    context = new_context(locale=LOCALES[language])
    page = context.new_page()
    try:
        log_in(page, base, agent.email, f"/desk/tickets/{duplicate.pk}/")
        page.locator("#move-menu-button").click()
        page.get_by_role("link", name=said(language, "Merge into another ticket")).click()
        field = page.get_by_label(said(language, "Number of the ticket to merge into"))
        field.fill(str(duplicate.pk))
        page.get_by_role("button", name=said(language, "Merge into another ticket")).click()
        expect(
            page.locator("[data-feedback], .invalid-feedback, .alert-danger").first
        ).to_contain_text(said(language, "A ticket cannot be merged into itself."))
        check_accessibility(page, f"merge refused ({language})")
        page.get_by_label(said(language, "Number of the ticket to merge into")).fill(
            str(original.pk)
        )
        page.get_by_role("button", name=said(language, "Merge into another ticket")).click()
        expect(page).to_have_url(re.compile(rf"/desk/tickets/{original.pk}/$"))
        expect(page.get_by_text("Aucun son pendant mon cours de 10 h.").first).to_be_visible()
        check_accessibility(page, f"ticket that received the duplicate ({language})")
        page.screenshot(path=str(artifacts_dir / f"merged-{language}.png"), full_page=True)
    finally:
        context.close()

    # The duplicate's requester, sent to the other ticket, follows it.
    context = new_context(locale=LOCALES[language])
    page = context.new_page()
    try:
        log_in(page, base, second.email, "/tickets/mine/")
        page.goto(f"{base}/tickets/{duplicate.pk}/")
        expect(page).to_have_url(re.compile(rf"/tickets/{original.pk}/$"))
        expect(page.get_by_text("Aucun son pendant mon cours de 10 h.").first).to_be_visible()
        check_accessibility(page, f"requester of the duplicate ({language})")
    finally:
        context.close()
