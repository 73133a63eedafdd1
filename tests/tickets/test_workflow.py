"""The moves of tickets.workflow: what each one changes, records and notifies."""

from __future__ import annotations

import pytest
from django.utils import translation

from categories.models import ServiceMembership
from tests.factories import CategoryFactory, UserFactory, agent_of
from tests.tickets.lifecycle import Cast, make_cast, ticket_in
from tickets import permissions, services, workflow
from tickets.exceptions import TextRequired, TransitionRefused
from tickets.models import Ticket, TicketEvent

S = Ticket.Status
Kind = TicketEvent.Kind


@pytest.fixture
def cast(db, notified) -> Cast:
    return make_cast()


def last_event(ticket: Ticket) -> TicketEvent:
    return ticket.events.order_by("-created_at", "-pk").first()


def test_take_assigns_the_agent_and_notifies_one_event(cast, notified):
    """Taking a ticket puts it in progress with the agent assigned; one assignment event,
    handed to notifications."""
    ticket = ticket_in(S.OPEN, cast)
    before_update = ticket.updated_at
    ticket = workflow.take(ticket=ticket, actor=cast.agent)
    assert ticket.status == S.IN_PROGRESS
    assert ticket.assignee == cast.agent
    event = last_event(ticket)
    assert (event.kind, event.action, event.actor) == (Kind.ASSIGNED, "take", cast.agent)
    assert (event.before, event.after) == ("", "Alice Agent")
    assert notified == [event]
    assert ticket.updated_at >= before_update
    ticket.refresh_from_db()
    assert ticket.updated_at == event.created_at


def test_taking_a_ticket_someone_took_names_who_took_it(cast):
    """The second agent is told, with a 409, who already took the ticket."""
    ticket = ticket_in(S.OPEN, cast)
    workflow.take(ticket=ticket, actor=cast.assigned)
    with pytest.raises(TransitionRefused) as refused:
        workflow.take(ticket=ticket, actor=cast.agent)
    assert refused.value.status_code == 409
    assert "Bob Assigned" in refused.value.message
    with translation.override("en"), pytest.raises(TransitionRefused) as refused:
        workflow.take(ticket=ticket, actor=cast.agent)
    assert refused.value.message == "This ticket was already taken by Bob Assigned."
    with translation.override("fr"), pytest.raises(TransitionRefused) as refused:
        workflow.take(ticket=ticket, actor=cast.agent)
    assert refused.value.message == "Ce ticket a déjà été pris en charge par Bob Assigned."


def test_agent_assigns_to_an_agent_of_the_service_or_themselves(cast):
    """A plain agent assigns to themselves or a fellow agent; not to the head, nor outside the
    service."""
    ticket = ticket_in(S.OPEN, cast)
    workflow.assign(ticket=ticket, actor=cast.agent, agent=cast.agent)
    ticket = workflow.assign(ticket=ticket, actor=cast.agent, agent=cast.assigned)
    assert ticket.assignee == cast.assigned
    event = last_event(ticket)
    assert (event.kind, event.action) == (Kind.ASSIGNED, "assign")
    assert (event.before, event.after) == ("Alice Agent", "Bob Assigned")
    for outsider in (cast.head, cast.other_agent, cast.requester):
        with pytest.raises(TransitionRefused) as refused:
            workflow.assign(ticket=ticket, actor=cast.agent, agent=outsider)
        assert refused.value.status_code == 403


def test_head_assigns_to_any_member_of_the_service(cast):
    """The service head may assign to any member, heads included, but not outside."""
    second_head = agent_of(cast.service, role=ServiceMembership.Role.HEAD)
    ticket = ticket_in(S.IN_PROGRESS, cast)
    ticket = workflow.assign(ticket=ticket, actor=cast.head, agent=second_head)
    assert ticket.assignee == second_head
    ticket = workflow.assign(ticket=ticket, actor=cast.head, agent=cast.agent)
    assert ticket.assignee == cast.agent
    with pytest.raises(TransitionRefused):
        workflow.assign(ticket=ticket, actor=cast.head, agent=cast.other_agent)
    with pytest.raises(TransitionRefused) as refused:
        workflow.assign(ticket=ticket, actor=cast.head, agent=cast.agent)
    assert refused.value.status_code == 409  # already theirs


def test_release_puts_the_ticket_back_in_the_queue(cast):
    """Released: open again, nobody assigned."""
    ticket = workflow.release(ticket=ticket_in(S.IN_PROGRESS, cast), actor=cast.assigned)
    assert (ticket.status, ticket.assignee) == (S.OPEN, None)
    event = last_event(ticket)
    assert (event.action, event.before, event.after) == ("release", "Bob Assigned", "")


def test_request_info_needs_a_question_and_counts_as_first_response(cast):
    """A question is required; asking it is the service's first response."""
    ticket = ticket_in(S.IN_PROGRESS, cast)
    assert ticket.first_response_at is None
    for empty in ("", "   "):
        with pytest.raises(TextRequired) as refused:
            workflow.request_info(ticket=ticket, actor=cast.assigned, question=empty)
        assert isinstance(refused.value, ValueError)
        assert refused.value.status_code == 400
    ticket = workflow.request_info(ticket=ticket, actor=cast.assigned, question=" Which room? ")
    assert ticket.status == S.INFO_REQUESTED
    event = last_event(ticket)
    assert (event.kind, event.action, event.text) == (
        Kind.STATUS_CHANGED,
        "request_info",
        "Which room?",
    )
    assert (event.before, event.after) == (S.IN_PROGRESS, S.INFO_REQUESTED)
    assert event.visibility == TicketEvent.Visibility.PUBLIC
    ticket.refresh_from_db()
    assert ticket.first_response_at == event.created_at


def test_requesters_answer_sends_the_ticket_back_to_the_agent(cast, notified):
    """The requester's comment on a ticket waiting for information puts it back in progress:
    the comment, then a receive_info status change, both notified."""
    ticket = ticket_in(S.INFO_REQUESTED, cast)
    notified.clear()
    comment = services.comment_add(ticket=ticket, author=cast.requester, text="Room B12")
    ticket.refresh_from_db()
    assert ticket.status == S.IN_PROGRESS
    assert ticket.assignee == cast.assigned
    change = last_event(ticket)
    assert (change.action, change.actor, change.before) == (
        "receive_info",
        cast.requester,
        S.INFO_REQUESTED,
    )
    assert notified == [comment, change]


def test_an_agents_comment_does_not_answer_the_question(cast):
    """Only the requester's message ends the wait for information."""
    ticket = ticket_in(S.INFO_REQUESTED, cast)
    services.comment_add(ticket=ticket, author=cast.assigned, text="Also: which floor?")
    services.comment_add(ticket=ticket, author=cast.requester, text="Note", internal=False)
    ticket.refresh_from_db()
    assert ticket.status == S.IN_PROGRESS


def test_request_closure_needs_a_resolution(cast):
    """The resolution is required and kept on the ticket; the request time is recorded."""
    ticket = ticket_in(S.IN_PROGRESS, cast)
    with pytest.raises(TextRequired):
        workflow.request_closure(ticket=ticket, actor=cast.assigned, resolution="")
    ticket = workflow.request_closure(ticket=ticket, actor=cast.assigned, resolution="New cable")
    assert ticket.status == S.CLOSURE_PENDING
    assert ticket.resolution == "New cable"
    assert ticket.closure_requested_at is not None
    assert last_event(ticket).text == "New cable"


def test_refused_closure_goes_back_to_the_same_agent_with_the_reason_public(cast):
    """A refusal needs a reason; the ticket returns in progress to the same agent and the reason
    is in the public timeline."""
    ticket = ticket_in(S.CLOSURE_PENDING, cast)
    with pytest.raises(TextRequired) as refused:
        workflow.refuse_closure(ticket=ticket, actor=cast.requester, reason=" ")
    with translation.override("fr"), pytest.raises(TextRequired) as refused:
        workflow.refuse_closure(ticket=ticket, actor=cast.requester, reason="")
    assert "pourquoi" in refused.value.message
    ticket = workflow.refuse_closure(
        ticket=ticket, actor=cast.requester, reason="Still no Wi-Fi in B12"
    )
    assert (ticket.status, ticket.assignee) == (S.IN_PROGRESS, cast.assigned)
    assert ticket.closure_requested_at is None
    event = last_event(ticket)
    assert (event.action, event.text, event.visibility) == (
        "refuse_closure",
        "Still no Wi-Fi in B12",
        TicketEvent.Visibility.PUBLIC,
    )


def test_approved_closure_closes_the_ticket(cast):
    """Approving closes the ticket and records when."""
    ticket = workflow.approve_closure(
        ticket=ticket_in(S.CLOSURE_PENDING, cast), actor=cast.requester
    )
    assert ticket.status == S.CLOSED
    assert ticket.closed_at is not None
    assert last_event(ticket).action == "approve_closure"


def test_requester_marks_the_ticket_solved(cast):
    """The requester may close the ticket themselves while the service works on it."""
    ticket = workflow.mark_solved(ticket=ticket_in(S.IN_PROGRESS, cast), actor=cast.requester)
    assert ticket.status == S.CLOSED
    assert last_event(ticket).action == "mark_solved"


def test_reopen_needs_a_reason_and_the_ticket_is_taken_again(cast):
    """A reopened ticket is back in the queue with nobody assigned; taking it again puts it in
    progress."""
    ticket = ticket_in(S.CLOSED, cast)
    with pytest.raises(TextRequired):
        workflow.reopen(ticket=ticket, actor=cast.requester, reason="")
    ticket = workflow.reopen(ticket=ticket, actor=cast.requester, reason="Broken again")
    assert (ticket.status, ticket.assignee, ticket.closed_at) == (S.REOPENED, None, None)
    assert last_event(ticket).text == "Broken again"
    ticket = workflow.take(ticket=ticket, actor=cast.assigned)
    assert ticket.status == S.IN_PROGRESS


def test_cancel_only_while_nobody_took_it(cast):
    """The requester cancels an open ticket; once taken, cancelling is refused with 409."""
    ticket = workflow.cancel(ticket=ticket_in(S.OPEN, cast), actor=cast.requester, reason="Solved")
    assert ticket.status == S.CANCELLED
    assert last_event(ticket).text == "Solved"
    with pytest.raises(TransitionRefused) as refused:
        workflow.cancel(ticket=ticket_in(S.IN_PROGRESS, cast), actor=cast.requester)
    assert refused.value.status_code == 409


def test_reject_needs_a_reason_the_requester_sees(cast):
    """A rejection is explained to the requester in the public timeline."""
    ticket = ticket_in(S.OPEN, cast)
    with pytest.raises(TextRequired):
        workflow.reject(ticket=ticket, actor=cast.agent, reason="")
    ticket = workflow.reject(ticket=ticket, actor=cast.agent, reason="Ask the library")
    assert ticket.status == S.REJECTED
    assert ticket.resolution == "Ask the library"
    event = last_event(ticket)
    assert (event.text, event.visibility) == ("Ask the library", TicketEvent.Visibility.PUBLIC)
    assert ticket.first_response_at == event.created_at


def test_transfer_to_another_service(cast):
    """The ticket is new in the other service: open, nobody assigned, its service taken from the
    category; the event (with its note) is internal; the old service loses sight of it."""
    ticket = ticket_in(S.IN_PROGRESS, cast)
    ticket = workflow.transfer(
        ticket=ticket, actor=cast.assigned, category=cast.other_category, note=" Their job "
    )
    assert ticket.status == S.OPEN
    assert ticket.assignee is None
    assert ticket.category == cast.other_category
    assert ticket.service == cast.other_service
    event = last_event(ticket)
    assert event.kind == Kind.TRANSFERRED
    assert event.visibility == TicketEvent.Visibility.INTERNAL
    assert event.text == "Their job"
    assert event.before == f"Réseau ({cast.service.name})"
    assert event.after == f"Scolarité ({cast.other_service.name})"
    assert not permissions.can_view(ticket, cast.assigned)
    assert permissions.can_take(ticket, cast.other_agent)


def test_transfer_within_the_service_without_note(cast):
    """A sub-category of the same service works too; the note is optional."""
    sub = CategoryFactory(parent=cast.category, name="Wi-Fi")
    ticket = workflow.transfer(ticket=ticket_in(S.OPEN, cast), actor=cast.agent, category=sub)
    assert (ticket.category, ticket.service) == (sub, cast.service)
    assert last_event(ticket).text == ""


def test_transfer_refuses_inactive_or_same_category(cast):
    """Tickets go only to an active category other than their own."""
    ticket = ticket_in(S.OPEN, cast)
    inactive = CategoryFactory(is_active=False)
    for category in (inactive, cast.category):
        with pytest.raises(TransitionRefused) as refused:
            workflow.transfer(ticket=ticket, actor=cast.agent, category=category)
        assert refused.value.status_code == 409


def test_change_priority_records_before_and_after(cast, notified):
    """The priority change is an event with both values; the same priority records nothing."""
    ticket = ticket_in(S.OPEN, cast)
    notified.clear()
    ticket = workflow.change_priority(
        ticket=ticket, actor=cast.agent, priority=Ticket.Priority.HIGH
    )
    assert ticket.priority == Ticket.Priority.HIGH
    event = last_event(ticket)
    assert (event.kind, event.before, event.after) == (Kind.PRIORITY_CHANGED, "2", "3")
    count = ticket.events.count()
    workflow.change_priority(ticket=ticket, actor=cast.agent, priority=Ticket.Priority.HIGH)
    assert ticket.events.count() == count
    assert notified == [event]
    with pytest.raises(ValueError):
        workflow.change_priority(ticket=ticket, actor=cast.agent, priority=9)


def test_superuser_makes_agent_moves_on_any_ticket(cast):
    """A superuser who is in no service may still handle any ticket."""
    ticket = ticket_in(S.OPEN, cast)
    ticket = workflow.take(ticket=ticket, actor=cast.superuser)
    ticket = workflow.request_closure(ticket=ticket, actor=cast.superuser, resolution="Done")
    assert ticket.status == S.CLOSURE_PENDING
    with pytest.raises(TransitionRefused) as refused:
        workflow.approve_closure(ticket=ticket, actor=cast.superuser)
    assert refused.value.status_code == 403


def test_every_move_writes_exactly_one_event_and_notifies_it(cast, notified):
    """One move, one event, one notification."""
    ticket = ticket_in(S.OPEN, cast)
    moves = [
        lambda t: workflow.take(ticket=t, actor=cast.assigned),
        lambda t: workflow.request_info(ticket=t, actor=cast.assigned, question="Q"),
        lambda t: workflow.request_closure(ticket=t, actor=cast.assigned, resolution="R"),
        lambda t: workflow.refuse_closure(ticket=t, actor=cast.requester, reason="No"),
        lambda t: workflow.release(ticket=t, actor=cast.assigned),
        lambda t: workflow.transfer(ticket=t, actor=cast.agent, category=cast.other_category),
        lambda t: workflow.change_priority(ticket=t, actor=cast.other_agent, priority=4),
        lambda t: workflow.mark_solved(ticket=t, actor=cast.requester),
        lambda t: workflow.reopen(ticket=t, actor=cast.requester, reason="Again"),
        lambda t: workflow.reject(ticket=t, actor=cast.other_agent, reason="No"),
    ]
    for move in moves:
        notified.clear()
        count = ticket.events.count()
        ticket = move(ticket)
        assert ticket.events.count() == count + 1
        assert notified == [last_event(ticket)]


def test_first_response_is_the_first_public_agent_message(cast):
    """Taking the ticket and internal notes are not a response; the first public comment of an
    agent is. The requester's own messages never count."""
    ticket = ticket_in(S.OPEN, cast)
    services.comment_add(ticket=ticket, author=cast.requester, text="Any news?")
    ticket = workflow.take(ticket=ticket, actor=cast.assigned)
    services.comment_add(ticket=ticket, author=cast.assigned, text="Looking", internal=True)
    ticket.refresh_from_db()
    assert ticket.first_response_at is None
    event = services.comment_add(ticket=ticket, author=cast.assigned, text="On my way")
    ticket.refresh_from_db()
    assert ticket.first_response_at == event.created_at
    services.comment_add(ticket=ticket, author=cast.assigned, text="Done soon")
    ticket.refresh_from_db()
    assert ticket.first_response_at == event.created_at


def test_a_stale_ticket_object_cannot_bypass_the_lock(cast):
    """Moves read the ticket's row again under lock: an outdated copy does not let an agent take
    a ticket someone else took meanwhile."""
    stale = ticket_in(S.OPEN, cast)
    fresh = Ticket.objects.get(pk=stale.pk)
    workflow.take(ticket=fresh, actor=cast.assigned)
    assert stale.status == S.OPEN
    with pytest.raises(TransitionRefused) as refused:
        workflow.take(ticket=stale, actor=cast.agent)
    assert refused.value.status_code == 409


def test_workflow_is_the_only_code_changing_a_status():
    """No module but tickets/workflow.py calls a Ticket transition (status is protected)."""
    import pathlib
    import re

    root = pathlib.Path(__file__).resolve().parents[2]
    transitions = (
        "take|assign|release|request_info|receive_info|request_closure|approve_closure|"
        "refuse_closure|expire_closure|mark_solved|reopen|cancel|reject|transfer"
    )
    pattern = re.compile(rf"\bticket\.({transitions})\(")
    offenders = []
    for path in root.glob("*/**/*.py"):
        parts = path.relative_to(root).parts
        # Hidden folders (virtualenvs such as .venv-3.12, .git) hold no project code.
        if any(part.startswith(".") for part in parts) or {"tests", "migrations"} & set(parts):
            continue
        if path.name == "workflow.py" and path.parent.name == "tickets":
            continue
        if pattern.search(path.read_text(encoding="utf-8")):
            offenders.append(str(path.relative_to(root)))
    assert offenders == []


def test_the_status_field_cannot_be_set_directly(db):
    """The status is protected: it changes only through transitions."""
    ticket = Ticket(requester=UserFactory())
    with pytest.raises(AttributeError):
        ticket.status = S.CLOSED


def test_a_whole_life_with_the_real_outbox(db, fast_passwords, django_capture_on_commit_callbacks):
    """With the notifications app really writing the outbox, every move goes through and people
    get emails (what each email says is tested in tests/notifications)."""
    from datetime import timedelta

    from django.core import mail

    cast = make_cast()
    with django_capture_on_commit_callbacks(execute=True):
        ticket = services.ticket_create(
            requester=cast.requester, category=cast.category, subject="Wi-Fi", description="B12"
        )
        workflow.take(ticket=ticket, actor=cast.assigned)
        workflow.request_info(ticket=ticket, actor=cast.assigned, question="Which room?")
        services.comment_add(ticket=ticket, author=cast.requester, text="B12")
        services.comment_add(ticket=ticket, author=cast.agent, text="Router", internal=True)
        workflow.transfer(ticket=ticket, actor=cast.assigned, category=cast.other_category)
        workflow.take(ticket=ticket, actor=cast.other_agent)
        workflow.request_closure(ticket=ticket, actor=cast.other_agent, resolution="Reset")
        workflow.refuse_closure(ticket=ticket, actor=cast.requester, reason="Still down")
        ticket = workflow.request_closure(ticket=ticket, actor=cast.other_agent, resolution="New")
        later = ticket.closure_requested_at + timedelta(days=30)
        assert workflow.expire_overdue_closures(now=later) == 1
    ticket.refresh_from_db()
    assert ticket.status == S.CLOSED
    assert any(cast.requester.email in message.to for message in mail.outbox)
    assert all(f"#{ticket.pk}" in message.subject for message in mail.outbox)
