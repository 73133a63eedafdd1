"""Where people read "when", the pages say how long ago ("il y a 3 heures", "3 hours ago") in the
page's language, with the exact date in the title, in visually hidden text and in data-exact
(shown on keyboard focus): the conversation, the requester's ticket page and list, the desk home.
Long lists keep their times out of the Tab order; dates that are the point stay exact."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import formats, timezone, translation

from tests.factories import CategoryFactory, UserFactory, agent_of, head_of
from tickets import services, workflow
from tickets.models import Ticket, TicketEvent

pytestmark = pytest.mark.django_db

THREE_HOURS_AGO = {"fr": "il y a 3\xa0heures", "en": "3\xa0hours ago"}
RELATIVE_TIME = re.compile(
    r'<time class="hd-relative-time" datetime="(?P<datetime>[^"]+)" title="(?P<title>[^"]+)" '
    r'data-exact="(?P<exact>[^"]+)"(?P<tabindex> tabindex="0")?>(?P<text>[^<]*)'
    r'<span class="visually-hidden"> \((?P<hidden>[^)]+)\)</span></time>'
)


@pytest.fixture(autouse=True)
def _quiet_notifications(monkeypatch) -> None:
    """The outbox is the notifications app's business; these tests look at pages."""
    import notifications

    monkeypatch.setattr(notifications, "notify", lambda event: None)


@pytest.fixture
def desk(settings):
    """A ticket filed, taken, answered and noted three hours ago, its agent, head and requester."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    category = CategoryFactory(name="Wi-Fi")
    service = category.handling_service
    agent = agent_of(service, user=UserFactory(full_name="Alice Agent"))
    head = head_of(service, user=UserFactory(full_name="Hélène Head"))
    requester = UserFactory(full_name="Rita Requester")
    ticket = services.ticket_create(
        requester=requester, category=category, subject="Plus de réseau", description="Depuis 9 h."
    )
    workflow.take(ticket=ticket, actor=agent)
    services.comment_add(ticket=ticket, author=agent, text="Nous regardons.")
    services.comment_add(ticket=ticket, author=agent, text="Borne 12 en panne.", internal=True)
    at = timezone.now() - timedelta(hours=3, minutes=10)
    Ticket.objects.filter(pk=ticket.pk).update(created_at=at, updated_at=at)
    TicketEvent.objects.filter(ticket=ticket).update(created_at=at)
    return {
        "agent": agent,
        "head": head,
        "requester": requester,
        "ticket": Ticket.objects.get(pk=ticket.pk),
        "at": at,
    }


def page(client, user, url: str, language: str) -> str:
    client.force_login(user)
    client.cookies["django_language"] = language
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def between(html: str, start: str, end: str) -> str:
    """The part of the page from `start` to the next `end`."""
    begin = html.index(start)
    return html[begin : html.index(end, begin)]


def relative_times(html: str) -> list[dict[str, str | None]]:
    return [match.groupdict() for match in RELATIVE_TIME.finditer(html)]


def exact(moment, language: str) -> str:
    with translation.override(language):
        return formats.date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")


def assert_three_hours_ago(times, desk, language: str, *, focusable: bool) -> None:
    """Each time says "3 hours ago" in the language, with the exact date for the mouse, the
    keyboard and screen readers, in or out of the Tab order as asked."""
    assert times
    date = exact(desk["at"], language)
    for time in times:
        assert time["text"] == THREE_HOURS_AGO[language]
        assert time["title"] == time["exact"] == time["hidden"] == date
        assert time["datetime"] == timezone.localtime(desk["at"]).isoformat()
        assert bool(time["tabindex"]) is focusable


@pytest.mark.parametrize("language", ["fr", "en"])
def test_each_message_and_status_line_of_the_conversation_says_how_long_ago(client, desk, language):
    """The requester's conversation: the description, the status line and the reply each carry
    a relative time the keyboard reaches; the internal note is not there at all."""
    html = page(client, desk["requester"], desk["ticket"].get_absolute_url(), language)
    thread = between(html, '<ol class="thread', "</ol>")
    times = relative_times(thread)
    assert len(times) == thread.count('class="thread-when"') == 3
    assert_three_hours_ago(times, desk, language, focusable=True)
    assert "Borne 12" not in html


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_agents_conversation_says_how_long_ago_too(client, desk, language):
    """The agent's ticket page shares the conversation: its note has a relative time as well."""
    url = reverse("desk:detail", kwargs={"pk": desk["ticket"].pk})
    thread = between(page(client, desk["agent"], url, language), '<ol class="thread', "</ol>")
    times = relative_times(thread)
    assert len(times) == thread.count('class="thread-when"') == 4
    assert "Borne 12" in thread
    assert_three_hours_ago(times, desk, language, focusable=True)


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_ticket_page_says_when_it_was_filed_and_last_active(client, desk, language):
    html = page(client, desk["requester"], desk["ticket"].get_absolute_url(), language)
    details = between(html, '<dl class="ticket-details">', "</dl>")
    assert_three_hours_ago(relative_times(details), desk, language, focusable=True)
    assert len(relative_times(details)) == 2


@pytest.mark.parametrize("language", ["fr", "en"])
def test_my_tickets_says_how_long_ago_out_of_the_tab_order(client, desk, language):
    """Every row has a time: the keyboard is not made to stop on each of them."""
    html = page(client, desk["requester"], reverse("tickets:mine"), language)
    times = relative_times(between(html, "<tbody>", "</tbody>"))
    assert len(times) == 1
    assert_three_hours_ago(times, desk, language, focusable=False)


@pytest.mark.parametrize("language", ["fr", "en"])
def test_desk_home_lists_say_how_long_ago(client, desk, language):
    """The agent's tickets in progress and the oldest open tickets: relative, out of Tab order."""
    html = page(client, desk["agent"], reverse("desk:home"), language)
    waiting = relative_times(between(html, 'aria-labelledby="waiting-heading"', "</section>"))
    oldest = relative_times(between(html, 'aria-labelledby="oldest-heading"', "</section>"))
    assert len(waiting) == len(oldest) == 1
    assert_three_hours_ago(waiting + oldest, desk, language, focusable=False)


def test_desk_home_tables_scroll_in_their_own_labelled_region(client, desk):
    """On a phone the oldest tickets and the agents' load scroll inside a region the keyboard
    reaches and screen readers name after its heading, never the whole page."""
    html = page(client, desk["head"], reverse("desk:home"), "fr")
    for heading in ("oldest-heading", "load-heading"):
        section = between(html, f'<h2 id="{heading}"', "</section>")
        assert (
            '<div class="table-responsive table-scroll" tabindex="0" role="region" '
            f'aria-labelledby="{heading}">\n    <table' in section
        )


def test_dates_that_are_the_point_stay_exact(client, desk):
    """The day a postponed ticket is handled again is a date, not "in 9 days"."""
    until = timezone.localdate() + timedelta(days=9)
    workflow.postpone(ticket=desk["ticket"], actor=desk["agent"], until=until, reason="Congés")
    html = page(client, desk["requester"], desk["ticket"].get_absolute_url(), "en")
    with translation.override("en"):
        shown = formats.date_format(until, "DATE_FORMAT")
    assert f'data-testid="postponed-until">{shown}</dd>' in html


@pytest.mark.parametrize("language", ["fr", "en"])
def test_an_incidents_updates_say_how_long_ago(client, desk, language):
    """The incident's page lists its updates like a conversation: each says how long ago."""
    from incidents import services as incident_services
    from incidents.models import IncidentUpdate

    incident = incident_services.declare(
        actor=desk["agent"],
        service=desk["ticket"].service,
        title="Wi-Fi coupé",
        message="Plus de réseau au bâtiment A.",
        categories=[desk["ticket"].category],
    )
    incident_services.post_update(incident=incident, actor=desk["agent"], text="Borne changée.")
    IncidentUpdate.objects.filter(incident=incident).update(created_at=desk["at"])
    url = reverse("incidents:public_detail", kwargs={"incident_pk": incident.pk})
    html = page(client, desk["requester"], url, language)
    updates = relative_times(between(html, '<ol class="list-unstyled incident-updates', "</ol>"))
    assert updates
    assert_three_hours_ago(updates, desk, language, focusable=True)
