"""Every read of the API costs a fixed number of queries, whatever the number of tickets,
events or files: the token (one query, plus the once-a-minute `last_used_at` update, outside
these counts) and what the page's selector costs."""

from __future__ import annotations

import pytest

from tests.api.conftest import api_client
from tests.factories import CategoryFactory, UserFactory, agent_of
from tickets import services, workflow

pytestmark = pytest.mark.django_db


def _tickets(requester, category, count: int, *, comments: int = 0):
    tickets = []
    for n in range(count):
        ticket = services.ticket_create(
            requester=requester, category=category, subject=f"Problem {n}", description="D"
        )
        for c in range(comments):
            services.comment_add(ticket=ticket, author=requester, text=f"Comment {c}")
        tickets.append(ticket)
    return tickets


def _warm(client, url: str) -> None:
    """The first call records the token's use; the counted one does not."""
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("count", [1, 30])
def test_my_tickets(count, django_assert_num_queries):
    category = CategoryFactory()
    requester = UserFactory()
    _tickets(requester, category, count)
    client = api_client(requester)
    _warm(client, "/api/v1/tickets/")
    # The token, one page of rows (category and service joined); the cursor needs no count.
    with django_assert_num_queries(2):
        response = client.get("/api/v1/tickets/")
    assert len(response.json()["results"]) == min(count, 25)


@pytest.mark.parametrize("comments", [0, 20])
def test_one_ticket(comments, django_assert_num_queries):
    category = CategoryFactory()
    requester = UserFactory()
    (ticket,) = _tickets(requester, category, 1, comments=comments)
    client = api_client(requester)
    url = f"/api/v1/tickets/{ticket.pk}/"
    _warm(client, url)
    # The token, memberships, the ticket, its events, its files.
    with django_assert_num_queries(5):
        response = client.get(url)
    assert len(response.json()["timeline"]) == comments + 1


@pytest.mark.parametrize("count", [1, 30])
def test_a_desk_queue(count, django_assert_num_queries):
    category = CategoryFactory()
    agent = agent_of(category.service)
    _tickets(UserFactory(), category, count)
    client = api_client(agent)
    url = "/api/v1/desk/queues/todo/?priority=2"
    _warm(client, url)
    # The token, memberships, the filters' services, categories and agents, one page of rows.
    with django_assert_num_queries(4):
        response = client.get(url)
    assert len(response.json()["results"]) == min(count, 25)


@pytest.mark.parametrize("notes", [0, 20])
def test_the_agents_view_of_a_ticket(notes, django_assert_num_queries):
    category = CategoryFactory()
    agent = agent_of(category.service)
    (ticket,) = _tickets(UserFactory(), category, 1)
    workflow.take(ticket=ticket, actor=agent)
    for n in range(notes):
        services.comment_add(ticket=ticket, author=agent, text=f"Note {n}", internal=True)
    client = api_client(agent)
    url = f"/api/v1/desk/tickets/{ticket.pk}/"
    _warm(client, url)
    # The token and its person, the person's services, the ticket, its timeline, its files,
    # and its watchers (may this agent follow it, or stop following it?).
    with django_assert_num_queries(6):
        response = client.get(url)
    assert len(response.json()["timeline"]) == notes + 2


def test_categories(django_assert_num_queries):
    for _n in range(5):
        CategoryFactory()
    client = api_client(UserFactory())
    _warm(client, "/api/v1/categories/")
    # The token, the tree and the person's services (audiences), the level's categories.
    with django_assert_num_queries(4):
        response = client.get("/api/v1/categories/")
    assert len(response.json()) == 5
