"""Relative times on the pages people read "when" on, walked in Chromium, in French and English, on
a 1280 px screen and a 390 px phone.

The conversation, the requester's ticket page and list, an incident's updates and the desk home
say "il y a 3 heures" / "3 hours ago"; the exact date is in the title under the mouse, shown
beside the time when the keyboard focuses it (Escape hides it), and read by screen readers. Long
lists keep their times out of the Tab order. axe is clean on every page visited, and the desk
home (its agents' load table included) never makes a phone's page scroll sideways.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import formats, timezone, translation
from playwright.sync_api import Page, expect

from incidents import services as incident_services
from incidents.models import IncidentUpdate
from tests.browser.helpers import check_accessibility, log_in
from tests.factories import CategoryFactory, ServiceFactory, UserFactory, agent_of, head_of
from tickets import services, workflow
from tickets.models import Ticket, TicketEvent

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = {1280: {"width": 1280, "height": 800}, 390: {"width": 390, "height": 844}}
LANGUAGES = ("fr", "en")
THREE_HOURS_AGO = {"fr": "il y a 3\xa0heures", "en": "3\xa0hours ago"}
# Whether the page scrolls sideways, tables included: the desk home's tables scroll inside their
# own region, never the page.
SCROLLS_SIDEWAYS = "() => document.documentElement.scrollWidth > window.innerWidth"


@pytest.fixture
def desk(db):
    """A head of a service with a long name and its agent, a requester whose ticket was filed three
    hours ago, taken and answered then: every page under test shows a time three hours old."""
    service = ServiceFactory(
        name="Direction du numérique et des systèmes d'information", slug="dnum"
    )
    category = CategoryFactory(name="Messagerie", slug="messagerie", service=service)
    agent = agent_of(service, user=UserFactory(full_name="Alice Martin-Delacroix"))
    head = head_of(service, user=UserFactory(full_name="Hélène Dubois-Lefèvre"))
    requester = UserFactory(full_name="Camille Durand")
    ticket = services.ticket_create(
        requester=requester,
        category=category,
        subject="Boîte mail pleine",
        description="Je ne reçois plus de messages depuis ce matin.",
    )
    workflow.take(ticket=ticket, actor=agent)
    services.comment_add(
        ticket=Ticket.objects.get(pk=ticket.pk), author=agent, text="Nous regardons votre boîte."
    )
    filed = timezone.now() - timedelta(hours=3, minutes=10)
    Ticket.objects.filter(pk=ticket.pk).update(created_at=filed, updated_at=filed)
    TicketEvent.objects.filter(ticket=ticket).update(created_at=filed)
    incident = incident_services.declare(
        actor=agent,
        service=service,
        title="Messagerie indisponible",
        message="Les messages n'arrivent plus.",
        categories=[category],
    )
    incident_services.post_update(incident=incident, actor=agent, text="Retour prévu à midi.")
    IncidentUpdate.objects.filter(incident=incident).update(created_at=filed)
    return {
        "agent": agent,
        "head": head,
        "requester": requester,
        "ticket": ticket,
        "incident": incident,
        "at": filed,
    }


def exact_date(moment, language: str) -> str:
    with translation.override(language):
        return formats.date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")


def choose_language(page: Page, base_url: str, language: str) -> None:
    page.context.add_cookies([{"name": "django_language", "value": language, "url": base_url}])


def tab_to(page: Page, selector: str, limit: int = 80) -> None:
    """Presses Tab until the first element matching `selector` has the focus."""
    page.locator("body").focus()
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement === document.querySelector(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


SHOWN_ON_FOCUS = """(el) => {
    const after = getComputedStyle(el, "::after");
    const box = el.getBoundingClientRect();
    return {content: after.content, display: after.display, visibility: after.visibility,
            color: after.color, background: after.backgroundColor, top: box.bottom};
}"""


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_conversation_says_how_long_ago_with_the_exact_date_at_hand(
    new_context, live_server, desk, artifacts_dir, language
):
    """On the requester's ticket page, the description's time reads "3 hours ago"; the mouse gets
    the exact date in the title, the keyboard reaches the time and sees the exact date beside it,
    and screen readers read it after the relative text."""
    context = new_context(viewport=WIDTHS[1280], locale="fr-FR" if language == "fr" else "en-GB")
    page = context.new_page()
    try:
        path = reverse("tickets:detail", kwargs={"pk": desk["ticket"].pk})
        log_in(page, live_server.url, desk["requester"].email, "/")
        choose_language(page, live_server.url, language)
        page.goto(f"{live_server.url}{path}")
        exact = exact_date(desk["at"], language)
        first = page.locator(".thread time.hd-relative-time").first
        expect(first).to_contain_text(THREE_HOURS_AGO[language])
        expect(first).to_have_attribute("title", exact)
        expect(first.locator(".visually-hidden")).to_have_text(f" ({exact})")

        first.hover()
        assert (
            page.evaluate(
                "() => document.querySelector('.thread time:hover')?.getAttribute('title')"
            )
            == exact
        )

        for width, viewport in WIDTHS.items():
            page.set_viewport_size(viewport)
            tab_to(page, ".thread time.hd-relative-time")
            shown = first.evaluate(SHOWN_ON_FOCUS)
            assert shown["display"] != "none" and shown["visibility"] == "visible", shown
            assert "data-exact" in shown["content"] or exact in shown["content"], shown
            assert first.get_attribute("data-exact") == exact
            assert not page.evaluate(SCROLLS_SIDEWAYS), f"{width}px: the exact date sticks out"
            page.screenshot(path=str(artifacts_dir / f"relative-time-focus-{language}-{width}.png"))
            check_accessibility(page, f"requester ticket page, time focused ({language}, {width})")

            # Escape hides the exact date without moving the focus; it shows again next time.
            page.keyboard.press("Escape")
            assert first.evaluate(SHOWN_ON_FOCUS)["content"] in ("none", "normal")
            assert first.evaluate("(el) => document.activeElement === el")
    finally:
        context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_pages_with_relative_times_pass_axe_in_both_languages(
    new_context, live_server, desk, artifacts_dir, width
):
    """The requester's list, ticket page and an incident's page, the head's desk home and the
    agent's ticket page: relative times in the page's language, axe clean; the desk home never
    scrolls sideways."""
    pages = {
        "requester": [
            ("my-tickets", reverse("tickets:mine")),
            ("ticket", reverse("tickets:detail", kwargs={"pk": desk["ticket"].pk})),
            (
                "incident",
                reverse("incidents:public_detail", kwargs={"incident_pk": desk["incident"].pk}),
            ),
        ],
        "head": [
            ("desk", reverse("desk:home")),
            ("desk-ticket", reverse("desk:detail", kwargs={"pk": desk["ticket"].pk})),
        ],
    }
    problems = []
    for role, visits in pages.items():
        context = new_context(viewport=WIDTHS[width])
        page = context.new_page()
        try:
            log_in(page, live_server.url, desk[role].email, "/")
            for language in LANGUAGES:
                choose_language(page, live_server.url, language)
                for name, path in visits:
                    page.goto(f"{live_server.url}{path}")
                    where = f"{role} {name} ({language}, {width}px)"
                    page.screenshot(
                        path=str(artifacts_dir / f"relative-{role}-{name}-{language}-{width}.png"),
                        full_page=True,
                    )
                    times = page.locator("main time.hd-relative-time")
                    if not times.count():
                        problems.append(f"{where}: no relative time")
                    elif THREE_HOURS_AGO[language] not in times.first.inner_text():
                        problems.append(f"{where}: {times.first.inner_text()!r}")
                    if name == "desk" and page.evaluate(SCROLLS_SIDEWAYS):
                        problems.append(f"{where}: the page scrolls sideways")
                    try:
                        check_accessibility(page, where)
                    except AssertionError as problem:
                        problems.append(str(problem))
        finally:
            context.close()
    assert not problems, "\n\n".join(problems)
