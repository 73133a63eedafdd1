"""Watchers: an agent follows a ticket of their service without owning it, gets its emails, and
finds it in the "Tickets I follow" tab of the queues."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from notifications import recipients
from tests.tickets.lifecycle import Cast, make_cast, ticket_in
from tickets import events, permissions, services, workflow
from tickets.exceptions import TransitionRefused
from tickets.models import Ticket, TicketEvent, Watcher
from tickets.moves import Move
from tickets.selectors import queues

pytestmark = pytest.mark.django_db
S = Ticket.Status


@pytest.fixture
def cast(fast_passwords) -> Cast:
    return make_cast()


def test_an_agent_follows_a_ticket_of_their_service(cast, notified):
    ticket = ticket_in(S.IN_PROGRESS, cast)
    workflow.watch(ticket=ticket, actor=cast.agent)
    assert Watcher.objects.filter(ticket=ticket, agent=cast.agent).exists()
    fresh = Ticket.objects.get(pk=ticket.pk)
    assert permissions.is_watching(fresh, cast.agent)
    assert not permissions.can_watch(fresh, cast.agent)
    assert permissions.can_unwatch(fresh, cast.agent)
    event = fresh.events.get(action=Move.WATCH)
    # Which agents follow a ticket is the service's business.
    assert event.visibility == TicketEvent.Visibility.INTERNAL
    with translation.override("en"):
        assert events.describe(event) == "Alice Agent follows the ticket"
    # The ticket stays assigned as it was.
    assert fresh.assignee == cast.assigned

    with pytest.raises(TransitionRefused) as refused:
        workflow.watch(ticket=fresh, actor=cast.agent)
    assert refused.value.status_code == 409

    workflow.unwatch(ticket=fresh, actor=cast.agent)
    assert not Watcher.objects.filter(ticket=ticket).exists()
    with pytest.raises(TransitionRefused) as refused:
        workflow.unwatch(ticket=Ticket.objects.get(pk=ticket.pk), actor=cast.agent)
    assert refused.value.status_code == 403


@pytest.mark.parametrize("person", ["requester", "other_requester", "other_agent"])
def test_only_the_services_agents_follow_its_tickets(cast, notified, person):
    ticket = ticket_in(S.OPEN, cast)
    with pytest.raises(TransitionRefused) as refused:
        workflow.watch(ticket=ticket, actor=cast.person(person))
    assert refused.value.status_code == 403
    assert not Watcher.objects.exists()


def test_a_closed_ticket_may_be_followed_too(cast, notified):
    """Following is about news: a closed ticket may be reopened."""
    ticket = ticket_in(S.CLOSED, cast)
    workflow.watch(ticket=ticket, actor=cast.head)
    assert Watcher.objects.filter(ticket=ticket, agent=cast.head).exists()


def test_a_watcher_hears_what_the_assigned_agent_hears(cast, notified):
    ticket = ticket_in(S.IN_PROGRESS, cast)
    workflow.watch(ticket=ticket, actor=cast.agent)

    def heard(action: str, actor, visibility=TicketEvent.Visibility.PUBLIC) -> dict[str, str]:
        event = TicketEvent.objects.create(
            ticket=ticket, kind="comment", action=action, actor=actor, visibility=visibility
        )
        return {d.email: d.kind for d in recipients.recipients_for(event)}

    assert heard("comment", cast.requester) == {
        cast.assigned.email: "requester_comment",
        cast.agent.email: "followed_ticket_message",
    }
    assert heard("internal_note", cast.assigned, TicketEvent.Visibility.INTERNAL) == {
        cast.agent.email: "followed_ticket_message"
    }
    assert heard("request_closure", cast.assigned)[cast.agent.email] == "followed_ticket_update"
    # Not about their own words.
    assert cast.agent.email not in heard("comment", cast.agent)


def test_a_watcher_who_left_the_service_hears_nothing_more(cast, notified):
    ticket = ticket_in(S.IN_PROGRESS, cast)
    workflow.watch(ticket=ticket, actor=cast.agent)
    cast.agent.service_memberships.all().delete()
    event = TicketEvent.objects.create(
        ticket=ticket, kind="comment", action="internal_note", actor=cast.assigned,
        visibility=TicketEvent.Visibility.INTERNAL,
    )  # fmt: skip
    assert cast.agent.email not in {d.email for d in recipients.recipients_for(event)}


def test_the_tickets_i_follow_tab(client, cast, notified):
    followed = ticket_in(S.IN_PROGRESS, cast)
    other = ticket_in(S.IN_PROGRESS, cast)
    closed = ticket_in(S.CLOSED, cast)
    for ticket in (followed, closed):
        workflow.watch(ticket=ticket, actor=cast.agent)
    assert queues.queue_counts(cast.agent)["followed"] == 1
    assert queues.queue_counts(cast.assigned)["followed"] == 0

    client.force_login(cast.agent)
    page = client.get(reverse("desk:queue"), {"tab": "followed"})
    assert page.status_code == 200
    body = page.content.decode()
    assert f"{reverse('desk:detail', args=[followed.pk])}" in body
    assert f"{reverse('desk:detail', args=[other.pk])}" not in body
    assert f"{reverse('desk:detail', args=[closed.pk])}" not in body
    assert "Tickets que je suis" in body


def test_following_from_the_desk_page(client, cast, notified):
    ticket = ticket_in(S.IN_PROGRESS, cast)
    client.force_login(cast.agent)
    page = client.get(reverse("desk:detail", args=[ticket.pk])).content.decode()
    assert reverse("desk:watch", args=[ticket.pk]) in page
    response = client.post(reverse("desk:watch", args=[ticket.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("desk:detail", args=[ticket.pk])
    page = client.get(response["Location"]).content.decode()
    assert reverse("desk:unwatch", args=[ticket.pk]) in page
    assert "Alice Agent" in page
    # A second click (another tab) is a clear conflict, not an error.
    assert client.post(reverse("desk:watch", args=[ticket.pk])).status_code == 409
    assert client.post(reverse("desk:unwatch", args=[ticket.pk])).status_code == 302
    assert client.get(reverse("desk:watch", args=[ticket.pk])).status_code == 405


def test_the_requester_never_sees_who_follows(client, cast, notified):
    ticket = ticket_in(S.IN_PROGRESS, cast)
    workflow.watch(ticket=ticket, actor=cast.agent)
    services.comment_add(ticket=ticket, author=cast.assigned, text="On it")
    client.force_login(cast.requester)
    page = client.get(ticket.get_absolute_url()).content.decode()
    assert "Alice Agent" not in page
    assert client.post(reverse("desk:watch", args=[ticket.pk])).status_code == 403
