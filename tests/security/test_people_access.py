"""The access matrix's rows for the people around a ticket: an invitee, an agent of another service
invited for advice, an agent of the service following the ticket.

An invitee reaches the ticket's public part and nothing internal: not on its page, not in its
files, not through the desk (its pages, search, exports). The invited agent reads the internal
notes on the desk's page of the ticket, but the ticket stays out of their queues, search and
exports. (The main matrix, tests/security/test_access_matrix.py, has these URLs for its roles.)
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import UserFactory, agent_of
from tests.security.conftest import World
from tickets import services, workflow

pytestmark = pytest.mark.django_db
NOTE = "NOTE-INTERNE-7731"


@pytest.fixture
def people(world: World) -> dict[str, object]:
    ticket = world.ticket
    services.comment_add(ticket=ticket, author=world.user("agent"), text=NOTE, internal=True)
    invitee = UserFactory(full_name="Ines Invitee")
    adviser = agent_of(world.user("foreign_agent").service_memberships.get().service)
    watcher = agent_of(ticket.service)
    workflow.invite(ticket, world.user("owner"), invitee)
    workflow.invite(ticket, world.user("agent"), adviser)
    workflow.watch(ticket=ticket, actor=watcher)
    return {"invitee": invitee, "invited_agent": adviser, "watcher": watcher}


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def content(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def codes(client: Client, world: World) -> dict[str, int]:
    pk = world.ticket.pk
    get = {
        "tickets:detail": reverse("tickets:detail", args=[pk]),
        "tickets:attachment": reverse("tickets:attachment", args=[pk, world.attachment.pk]),
        "internal attachment": reverse(
            "tickets:attachment", args=[pk, world.internal_attachment.pk]
        ),
        "tickets:invite": reverse("tickets:invite", args=[pk]),
        "desk:detail": reverse("desk:detail", args=[pk]),
        "desk:move": reverse("desk:move", args=[pk, "internal_note"]),
        "desk:queue": reverse("desk:queue"),
        "desk:queue_export": reverse("desk:queue_export") + "?tab=all",
        "desk:stats_export": reverse("desk:stats_export")
        + f"?service={world.ticket.service_id}&table=timeline",
        "desk:file_for": reverse("desk:file_for"),
    }
    return {name: client.get(url).status_code for name, url in get.items()}


def test_what_an_invitee_reaches(world, people):
    client = signed_in(people["invitee"])
    assert codes(client, world) == {
        "tickets:detail": 200,
        "tickets:attachment": 200,
        "internal attachment": 404,
        "tickets:invite": 403,
        "desk:detail": 404,
        "desk:move": 404,
        "desk:queue": 403,
        "desk:queue_export": 404,
        "desk:stats_export": 404,
        "desk:file_for": 404,
    }
    page = client.get(reverse("tickets:detail", args=[world.ticket.pk])).content.decode()
    assert NOTE not in page
    assert world.internal_attachment.original_name not in page
    # Search is the desk's: the invitee is not let in.
    assert client.get(reverse("desk:queue"), {"tab": "all", "q": "NOTE"}).status_code == 403


def test_what_an_agent_invited_for_advice_reaches(world, people):
    client = signed_in(people["invited_agent"])
    observed = codes(client, world)
    assert observed["tickets:detail"] == 302  # to the desk's page of the ticket
    assert observed["desk:detail"] == 200
    assert observed["internal attachment"] == 200
    assert observed["tickets:invite"] == 403
    page = client.get(reverse("desk:detail", args=[world.ticket.pk])).content.decode()
    assert NOTE in page
    # Out of their queues, their search and their exports.
    for params in ({"tab": "all"}, {"tab": "all", "q": "Wi-Fi"}, {"tab": "all", "q": NOTE}):
        queue = client.get(reverse("desk:queue"), params).content.decode()
        assert reverse("desk:detail", args=[world.ticket.pk]) not in queue
    export = client.get(reverse("desk:queue_export"), {"tab": "all"})
    assert export.status_code == 200
    assert world.ticket.subject not in content(export)


def test_what_a_watcher_reaches(world, people):
    client = signed_in(people["watcher"])
    observed = codes(client, world)
    assert observed["desk:detail"] == 200
    assert observed["internal attachment"] == 200
    queue = client.get(reverse("desk:queue"), {"tab": "followed"}).content.decode()
    assert reverse("desk:detail", args=[world.ticket.pk]) in queue


def test_the_owner_sees_the_invitees_but_not_the_watchers(world, people):
    page = signed_in(world.user("owner")).get(reverse("tickets:detail", args=[world.ticket.pk]))
    body = page.content.decode()
    assert "Ines Invitee" in body
    assert people["watcher"].display_name not in body
    assert NOTE not in body


def test_after_leaving_the_invitee_reaches_nothing(world, people):
    client = signed_in(people["invitee"])
    response = client.post(reverse("tickets:leave", args=[world.ticket.pk]))
    assert response.status_code == 302
    assert client.get(reverse("tickets:detail", args=[world.ticket.pk])).status_code == 404
    url = reverse("tickets:attachment", args=[world.ticket.pk, world.attachment.pk])
    assert client.get(url).status_code == 404


def test_through_the_api_an_invitee_reads_the_public_part_only(world, people):
    from tests.api.conftest import api_client

    invitee = api_client(people["invitee"])
    response = invitee.get(f"/api/v1/tickets/{world.ticket.pk}/")
    assert response.status_code == 200
    assert NOTE not in response.content.decode()
    assert world.internal_attachment.original_name not in response.content.decode()
    assert invitee.get(f"/api/v1/desk/tickets/{world.ticket.pk}/").status_code in {403, 404}
    adviser = api_client(people["invited_agent"])
    response = adviser.get(f"/api/v1/desk/tickets/{world.ticket.pk}/")
    assert response.status_code == 200
    assert NOTE in response.content.decode()
