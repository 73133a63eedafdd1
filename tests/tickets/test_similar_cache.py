"""A ticket's similar tickets are ranked once per version of the ticket and person, then read
again by id (tickets/selectors/search.py): fresh statuses, today's visibility, no ranking."""

from __future__ import annotations

import pytest

from tests.factories import CategoryFactory, TicketFactory, UserFactory, agent_of
from tickets import workflow
from tickets.selectors import search

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene():
    category = CategoryFactory(name="Wi-Fi")
    agent = agent_of(category.handling_service, user=UserFactory())
    ticket = TicketFactory(category=category, subject="Wifi eduroam coupé bibliothèque")
    other = TicketFactory(category=category, subject="Eduroam coupé au bâtiment B")
    return {"category": category, "agent": agent, "ticket": ticket, "other": other}


def test_the_second_reading_fetches_by_id_with_the_status_of_now(scene, django_assert_num_queries):
    agent, ticket, other = scene["agent"], scene["ticket"], scene["other"]
    assert search.similar_tickets(ticket, agent) == [other]
    workflow.take(ticket=other, actor=agent)
    with django_assert_num_queries(1):
        again = search.similar_tickets(ticket, agent)
    assert again == [other]
    assert again[0].status == "in_progress"


def test_a_ticket_filed_since_shows_once_the_ticket_changes(scene):
    agent, ticket = scene["agent"], scene["ticket"]
    search.similar_tickets(ticket, agent)
    newer = TicketFactory(category=scene["category"], subject="Eduroam coupé bibliothèque")
    assert newer not in search.similar_tickets(ticket, agent)
    workflow.take(ticket=ticket, actor=agent)  # a new version of the ticket: ranked again
    ticket.refresh_from_db()
    assert newer in search.similar_tickets(ticket, agent)


def test_a_ticket_no_longer_visible_is_left_out(scene):
    agent, ticket, other = scene["agent"], scene["ticket"], scene["other"]
    assert search.similar_tickets(ticket, agent) == [other]
    elsewhere = CategoryFactory(name="Scolarité")
    workflow.transfer(ticket=other, actor=agent, category=elsewhere)
    assert search.similar_tickets(ticket, agent) == []


def test_each_person_has_their_own_ranking(scene):
    ticket = scene["ticket"]
    stranger = agent_of(CategoryFactory().handling_service, user=UserFactory())
    assert search.similar_tickets(ticket, scene["agent"]) == [scene["other"]]
    assert search.similar_tickets(ticket, stranger) == []
