"""How a ticket reached the helpdesk (web, email, phone, counter, API): agents see it on the
ticket's page, the queue export has it, and the statistics count tickets by it."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from tests.factories import CategoryFactory, ServiceFactory, TicketFactory, agent_of
from tickets import exports
from tickets.models import Ticket
from tickets.selectors.stats import figures, periods

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
PERIOD = periods.Period(date(2026, 3, 2), date(2026, 3, 8))
QUERY = "period=custom&start=2026-03-02&end=2026-03-08"


@pytest.fixture
def desk(db):
    """A service with tickets from three origins in the period, and one before it."""
    service = ServiceFactory(name="Informatique")
    category = CategoryFactory(service=service)
    agent = agent_of(service)

    def ticket(origin: str, day: int) -> Ticket:
        made = TicketFactory(category=category, origin=origin)
        Ticket.objects.filter(pk=made.pk).update(
            created_at=datetime(2026, 3, day, 10, tzinfo=PARIS)
        )
        return made

    tickets = [
        ticket(Ticket.Origin.EMAIL, 2),
        ticket(Ticket.Origin.EMAIL, 3),
        ticket(Ticket.Origin.EMAIL, 4),
        ticket(Ticket.Origin.WEB, 4),
        ticket(Ticket.Origin.PHONE, 5),
        ticket(Ticket.Origin.COUNTER, 1),  # before the period
    ]
    return service, agent, tickets


def speaks_english(person) -> None:
    person.preferred_language = "en"
    person.save()


def test_the_statistics_count_tickets_by_origin(desk):
    """Largest first; shares of the tickets created in the period; the timeline is unchanged."""
    service, _agent, _tickets = desk
    data = figures.service_stats(service, PERIOD)
    assert [(row.origin, row.count, row.share) for row in data.origins] == [
        ("email", 3, 60.0),
        ("web", 1, 20.0),
        ("phone", 1, 20.0),
    ]
    assert data.created == 5
    assert [row.created for row in data.timeline] == [1, 1, 2, 1, 0, 0, 0]


def test_no_origin_rows_without_tickets():
    service = ServiceFactory()
    assert figures.service_stats(service, PERIOD).origins == []


def test_the_statistics_page_shows_the_table_in_french_and_english(client, desk):
    service, agent, _tickets = desk
    client.force_login(agent)
    url = reverse("desk:stats") + f"?service={service.pk}&{QUERY}"
    french = client.get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert 'data-testid="origins"' in french
    assert "Courriel" in french and "60,0 %" in french
    assert "table=origins" in french
    speaks_english(agent)
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "How tickets reached the helpdesk" in english and "60.0 %" in english


def read_csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.reader(io.StringIO(body[1:]), delimiter=";"))


def test_the_origins_table_exports(client, desk):
    service, agent, _tickets = desk
    speaks_english(agent)
    client.force_login(agent)
    url = reverse("desk:stats_export") + f"?service={service.pk}&{QUERY}&table=origins"
    rows = read_csv(client.get(url, HTTP_ACCEPT_LANGUAGE="en"))
    assert rows == [
        ["Origin", "Tickets", "Share (%)"],
        ["Email", "3", "60.0"],
        ["Web", "1", "20.0"],
        ["Phone", "1", "20.0"],
    ]
    assert "origins" in exports.STATS_TABLES


def test_the_queue_export_ends_with_the_origin(client, desk):
    """Last column, so that the columns spreadsheets already read keep their place."""
    _service, agent, tickets = desk
    client.force_login(agent)
    response = client.get(reverse("desk:queue_export") + "?tab=all", HTTP_ACCEPT_LANGUAGE="fr")
    header, *rows = read_csv(response)
    assert header[-1] == "Origine"
    by_reference = {row[0]: row[-1] for row in rows}
    assert by_reference[f"#{tickets[0].pk}"] == "Courriel"
    assert by_reference[f"#{tickets[5].pk}"] == "Guichet"


def test_the_agent_ticket_page_shows_the_origin(client, desk):
    _service, agent, tickets = desk
    speaks_english(agent)
    client.force_login(agent)
    page = client.get(
        reverse("desk:detail", args=[tickets[4].pk]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert '<dd data-testid="origin">Phone</dd>' in page
