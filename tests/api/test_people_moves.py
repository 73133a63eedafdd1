"""The people around a ticket through the API, with the refusals of the pages: the requester
invites someone by address, the invitee reads and writes then leaves (and no longer sees the
ticket), the requester removes an invitee; an agent of the service follows the ticket and stops.
Refusals are problem documents: 403 a move never theirs, 409 one not possible now."""

from __future__ import annotations

import pytest

from tests.api.conftest import api_client
from tests.factories import CategoryFactory, UserFactory, agent_of
from tickets import services
from tickets.models import Invitation, TicketEvent, Watcher
from tickets.moves import Move

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket():
    category = CategoryFactory()
    return services.ticket_create(
        requester=UserFactory(), category=category, subject="Projector", description="Room B12"
    )


def _post(client, ticket, name, body=None):
    return client.post(
        f"/api/v1/tickets/{ticket.pk}/{name}/", body or {}, content_type="application/json"
    )


def _problem(response, status: int, kind: str) -> None:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["type"] == f"urn:helpdesk:problem:{kind}"


def test_the_requester_invites_a_colleague_who_writes_then_leaves(ticket, on_commit):
    colleague = UserFactory(email="tutor@univ.example")
    owner = api_client(ticket.requester)
    guest = api_client(colleague)
    _problem(guest.get(f"/api/v1/tickets/{ticket.pk}/"), 404, "not-found")

    with on_commit(execute=True):
        response = _post(owner, ticket, "invite", {"email": "TUTOR@univ.example"})
    assert response.status_code == 200, response.content
    assert Invitation.objects.filter(ticket=ticket, user=colleague).exists()
    _problem(_post(owner, ticket, "invite", {"email": colleague.email}), 409, "move-conflict")
    _problem(_post(owner, ticket, "invite", {"email": "not an address"}), 400, "invalid")

    assert guest.get(f"/api/v1/tickets/{ticket.pk}/").status_code == 200
    assert _post(guest, ticket, "comment", {"text": "Same in B14."}).status_code == 200
    # An invitee does not invite, follow or remove people.
    _problem(_post(guest, ticket, "invite", {"email": "x@univ.example"}), 403, "move-forbidden")
    _problem(_post(guest, ticket, "watch"), 403, "move-forbidden")

    response = _post(guest, ticket, "leave")
    assert response.status_code == 204 and response.content == b""
    assert not Invitation.objects.filter(ticket=ticket, user=colleague).exists()
    _problem(guest.get(f"/api/v1/tickets/{ticket.pk}/"), 404, "not-found")
    _problem(_post(guest, ticket, "leave"), 404, "not-found")
    actions = list(ticket.events.values_list("action", flat=True))
    assert actions.count(Move.INVITE) == 1 and actions.count(Move.LEAVE) == 1


def test_an_address_unknown_to_the_helpdesk_gets_a_pending_account(ticket):
    response = _post(api_client(ticket.requester), ticket, "invite", {"email": "new@univ.example"})
    assert response.status_code == 200, response.content
    assert Invitation.objects.get(ticket=ticket).user.email == "new@univ.example"


def test_the_requester_removes_an_invitee(ticket):
    colleague = UserFactory()
    owner = api_client(ticket.requester)
    assert _post(owner, ticket, "invite", {"email": colleague.email}).status_code == 200
    response = _post(owner, ticket, "uninvite", {"person": colleague.pk})
    assert response.status_code == 200, response.content
    assert not Invitation.objects.filter(ticket=ticket).exists()
    _problem(_post(owner, ticket, "uninvite", {"person": colleague.pk}), 409, "move-conflict")
    _problem(_post(owner, ticket, "uninvite", {"person": 2**40}), 400, "invalid")


def test_an_agent_of_the_service_is_not_invited_but_follows(ticket):
    agent = agent_of(ticket.service)
    owner = api_client(ticket.requester)
    # Already sees the ticket: not invited.
    _problem(_post(owner, ticket, "invite", {"email": agent.email}), 409, "move-conflict")
    desk = api_client(agent)
    assert _post(desk, ticket, "watch").status_code == 200
    assert Watcher.objects.filter(ticket=ticket, agent=agent).exists()
    _problem(_post(desk, ticket, "watch"), 409, "move-conflict")
    assert _post(desk, ticket, "unwatch").status_code == 200
    _problem(_post(desk, ticket, "unwatch"), 403, "move-forbidden")
    # The requester never follows as an agent; another service's agent does not see the ticket.
    _problem(_post(owner, ticket, "watch"), 403, "move-forbidden")
    stranger = api_client(agent_of(CategoryFactory().service))
    _problem(_post(stranger, ticket, "watch"), 404, "not-found")
    # Following is the agents' business: the requester's timeline does not show it.
    public = api_client(ticket.requester).get(f"/api/v1/tickets/{ticket.pk}/").json()
    assert Move.WATCH not in [event["action"] for event in public["timeline"]]
    assert TicketEvent.objects.filter(ticket=ticket, action=Move.WATCH).exists()


def test_a_read_token_makes_no_people_move(ticket):
    reader = api_client(ticket.requester, scope="read")
    _problem(_post(reader, ticket, "invite", {"email": "x@univ.example"}), 403, "forbidden")
    assert not Invitation.objects.exists()


def test_a_tickets_moves_name_the_people_moves_each_person_may_make(ticket):
    """The ticket's `moves` list the people endpoints on the rules that refuse them."""
    colleague = UserFactory()
    agent = agent_of(ticket.service)
    owner = api_client(ticket.requester)
    assert _post(owner, ticket, "invite", {"email": colleague.email}).status_code == 200

    def moves(user, path="tickets"):
        return set(api_client(user).get(f"/api/v1/{path}/{ticket.pk}/").json()["moves"])

    assert {"invite", "uninvite"} <= moves(ticket.requester)
    assert not {"leave", "watch", "unwatch"} & moves(ticket.requester)
    assert "leave" in moves(colleague)
    assert not {"invite", "uninvite", "watch", "unwatch"} & moves(colleague)
    assert {"invite", "uninvite", "watch"} <= moves(agent, "desk/tickets")
    assert "unwatch" not in moves(agent, "desk/tickets")
    assert _post(api_client(agent), ticket, "watch").status_code == 200
    followed = moves(agent, "desk/tickets")
    assert "unwatch" in followed and "watch" not in followed
