"""Moves on several tickets at once (tickets/bulk.py) and the queue's form that sends them: each
ticket through its own workflow move, a refusal per ticket, nothing outside the agent's
services touched."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import CategoryFactory, TicketFactory, UserFactory, agent_of, head_of
from tickets import bulk, workflow
from tickets.models import Ticket, TicketEvent
from tickets.moves import Move

pytestmark = pytest.mark.django_db

Status = Ticket.Status


@pytest.fixture(autouse=True)
def _quiet(monkeypatch, settings) -> None:
    import notifications

    monkeypatch.setattr(notifications, "notify", lambda event: None)
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def desk():
    category = CategoryFactory(name="Messagerie")
    service = category.handling_service
    return {
        "category": category,
        "agent": agent_of(service, user=UserFactory(full_name="Alice Agent")),
        "colleague": agent_of(service, user=UserFactory(full_name="Bob Agent")),
        "head": head_of(service),
        "elsewhere": TicketFactory(subject="Autre service"),
    }


def _tickets(desk, count: int) -> list[Ticket]:
    return TicketFactory.create_batch(count, category=desk["category"])


def _fresh(ticket: Ticket) -> Ticket:
    return Ticket.objects.get(pk=ticket.pk)


def test_take_in_bulk_takes_each_ticket_through_its_move(desk):
    """Each ticket is taken as from its page: assigned, in progress, one timeline event each."""
    tickets = _tickets(desk, 3)
    results = bulk.apply_bulk(desk["agent"], Move.TAKE, [t.pk for t in tickets])
    assert [(r.ticket_id, r.done) for r in results] == [(t.pk, True) for t in tickets]
    for ticket in tickets:
        ticket = _fresh(ticket)
        assert (ticket.status, ticket.assignee) == (Status.IN_PROGRESS, desk["agent"])
        assert TicketEvent.objects.filter(ticket=ticket, action=Move.TAKE).count() == 1


def test_a_refusal_stops_only_its_own_ticket(desk):
    """A ticket a colleague took first is refused with the workflow's reason; the others are
    taken."""
    first, taken, last = _tickets(desk, 3)
    workflow.take(ticket=taken, actor=desk["colleague"])
    results = bulk.apply_bulk(desk["agent"], Move.TAKE, [first.pk, taken.pk, last.pk])
    assert [r.done for r in results] == [True, False, True]
    assert "Bob Agent" in results[1].message
    assert results[1].reference == f"#{taken.pk}"
    assert _fresh(taken).assignee == desk["colleague"]


def test_a_ticket_of_another_service_is_refused_and_unchanged(desk):
    """An id typed by hand for another service's ticket is refused without moving it or
    telling what it is."""
    mine = _tickets(desk, 1)[0]
    elsewhere = desk["elsewhere"]
    results = bulk.apply_bulk(desk["agent"], Move.TAKE, [elsewhere.pk, mine.pk, 999_999])
    assert [r.done for r in results] == [False, True, False]
    assert "Autre service" not in results[0].message
    elsewhere = _fresh(elsewhere)
    assert (elsewhere.status, elsewhere.assignee) == (Status.OPEN, None)
    assert not TicketEvent.objects.filter(ticket=elsewhere).exists()


def test_assign_in_bulk(desk):
    tickets = _tickets(desk, 2)
    results = bulk.apply_bulk(
        desk["agent"], Move.ASSIGN, [t.pk for t in tickets], agent=desk["colleague"]
    )
    assert all(r.done for r in results)
    assert {_fresh(t).assignee for t in tickets} == {desk["colleague"]}


def test_assign_to_someone_outside_the_service_is_refused_per_ticket(desk):
    stranger = UserFactory()
    ticket = _tickets(desk, 1)[0]
    [result] = bulk.apply_bulk(desk["agent"], Move.ASSIGN, [ticket.pk], agent=stranger)
    assert not result.done
    assert _fresh(ticket).assignee is None


def test_change_the_priority_in_bulk(desk):
    tickets = _tickets(desk, 2)
    results = bulk.apply_bulk(
        desk["agent"], Move.CHANGE_PRIORITY, [t.pk for t in tickets], priority=Ticket.Priority.HIGH
    )
    assert all(r.done for r in results)
    assert {_fresh(t).priority for t in tickets} == {Ticket.Priority.HIGH}


def test_transfer_in_bulk(desk):
    target = CategoryFactory(name="Réseau")
    tickets = _tickets(desk, 2)
    results = bulk.apply_bulk(
        desk["agent"], Move.TRANSFER, [t.pk for t in tickets], category=target
    )
    assert all(r.done for r in results)
    assert {_fresh(t).category for t in tickets} == {target}
    assert {_fresh(t).service for t in tickets} == {target.handling_service}


def test_release_in_bulk_refuses_tickets_of_a_colleague(desk):
    """A plain agent releases their own tickets; a colleague's stays with the colleague."""
    mine, theirs = _tickets(desk, 2)
    workflow.take(ticket=mine, actor=desk["agent"])
    workflow.take(ticket=theirs, actor=desk["colleague"])
    results = bulk.apply_bulk(desk["agent"], Move.RELEASE, [mine.pk, theirs.pk])
    assert [r.done for r in results] == [True, False]
    assert _fresh(mine).assignee is None
    assert _fresh(theirs).assignee == desk["colleague"]


def test_only_the_declared_moves_and_a_limited_batch():
    with pytest.raises(ValueError):
        bulk.apply_bulk(UserFactory(), Move.REJECT, [1])
    with pytest.raises(bulk.BatchTooLarge):
        bulk.apply_bulk(UserFactory(), Move.TAKE, list(range(1, bulk.BULK_LIMIT + 2)))


# --- The queue's form ------------------------------------------------------------------------


def _post(client, data):
    return client.post(reverse("desk:queue_bulk"), data)


def test_the_queue_lists_what_became_of_each_ticket(client, desk):
    """After a batch, the queue it came from lists each ticket: done, or refused and why."""
    first, taken = _tickets(desk, 2)
    workflow.take(ticket=taken, actor=desk["colleague"])
    client.force_login(desk["agent"])
    response = _post(
        client,
        {
            "bulk-move": "take",
            "bulk-tickets": [first.pk, taken.pk, desk["elsewhere"].pk],
            "query": "tab=todo&q=x&page=3&evil=1",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("desk:queue") + "?tab=todo&q=x"
    page = client.get(reverse("desk:queue") + "?tab=mine")
    results = page.context["bulk_results"]
    assert [(r["ticket_id"], r["done"]) for r in results] == [
        (first.pk, True),
        (taken.pk, False),
        (desk["elsewhere"].pk, False),
    ]
    html = page.content.decode()
    assert "Autre service" not in html
    assert "Bob Agent" in html
    # Shown once.
    assert client.get(reverse("desk:queue")).context["bulk_results"] is None


def test_take_from_the_list(client, desk):
    """A row's own button takes that ticket alone, whatever else is ticked."""
    wanted, other = _tickets(desk, 2)
    client.force_login(desk["agent"])
    _post(client, {"take_one": wanted.pk, "bulk-tickets": [other.pk], "bulk-move": "release"})
    assert _fresh(wanted).assignee == desk["agent"]
    assert _fresh(other).assignee is None


def test_a_move_that_needs_a_value_says_so(client, desk):
    ticket = _tickets(desk, 1)[0]
    client.force_login(desk["agent"])
    response = _post(
        client,
        {"bulk-move": "assign", "bulk-tickets": [ticket.pk]},
    )
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert "Choisissez une valeur pour cette action." in page.content.decode()
    assert _fresh(ticket).assignee is None


def test_an_empty_or_forged_selection_changes_nothing(client, desk):
    ticket = _tickets(desk, 1)[0]
    client.force_login(desk["agent"])
    for data in (
        {"bulk-move": "take"},
        {"bulk-move": "take", "bulk-tickets": ["abc"]},
        {"bulk-move": "reject", "bulk-tickets": [ticket.pk]},
        {"bulk-move": "take", "bulk-tickets": [str(n) for n in range(1, bulk.BULK_LIMIT + 2)]},
    ):
        assert _post(client, data).status_code == 302
    assert _fresh(ticket).assignee is None


def test_requesters_cannot_post_a_batch(client, desk):
    ticket = _tickets(desk, 1)[0]
    client.force_login(UserFactory())
    response = _post(client, {"bulk-move": "take", "bulk-tickets": [ticket.pk]})
    assert response.status_code == 403
    assert _fresh(ticket).assignee is None
