"""A queue page's rows are written by Jinja2 (tickets/queue_rows.py): escaped like the rest of
the page, in the page's language, with dates in local time."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from tests.factories import CategoryFactory, TicketFactory, UserFactory, agent_of
from tickets import queue_rows
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent_and_ticket():
    category = CategoryFactory(name="Wi-Fi & <réseau>")
    agent = agent_of(category.handling_service, user=UserFactory(full_name="Zoé <Agent>"))
    ticket = TicketFactory(
        category=category,
        subject='<script>alert("x")</script> & co',
        requester=UserFactory(full_name="Léa O'Brien"),
    )
    return agent, ticket


def test_every_value_is_escaped(client, agent_and_ticket):
    agent, ticket = agent_and_ticket
    client.force_login(agent)
    page = client.get(reverse("desk:queue"), {"tab": "todo"}).content.decode()
    assert '<script>alert("x")' not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co" in page
    assert "Wi-Fi &amp; &lt;réseau&gt;" in page
    assert "Léa O&#x27;Brien" in page
    assert f'href="/desk/tickets/{ticket.pk}/"' in page


@pytest.mark.parametrize(
    ("language", "take", "select", "until"),
    [
        ("fr", "Prendre", "Sélectionner", "jusqu’au"),
        ("en", "Take", "Select", "until"),
    ],
)
def test_rows_speak_the_page_language(agent_and_ticket, language, take, select, until):
    _agent, ticket = agent_and_ticket
    ticket.unread = True
    ticket.requester_answered = False
    ticket.takeable = True
    ticket.postponed_until = datetime.date(2026, 12, 24)
    with translation.override(language):
        html = queue_rows.render_rows([ticket])
    assert f">{take}<" in html
    assert f'aria-label="{select} {ticket.reference}"' in html
    assert until in html


def test_dates_are_local_time(agent_and_ticket, settings):
    _agent, ticket = agent_and_ticket
    moment = datetime.datetime(2026, 12, 2, 10, 27, tzinfo=datetime.UTC)
    Ticket.objects.filter(pk=ticket.pk).update(created_at=moment, updated_at=moment)
    ticket.refresh_from_db()
    with timezone.override("Europe/Paris"), translation.override("en"):
        html = queue_rows.render_rows([ticket])
    assert 'datetime="2026-12-02T11:27:00+01:00"' in html
    assert 'title="2 Dec 2026, 11:27"' in html
