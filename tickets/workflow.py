"""The ticket lifecycle: the only code that changes a ticket's status.

Each move is one function, keyword-only, run in one transaction: lock the ticket's row, check who
may act and whether the status allows it (`tickets.permissions`, which reads the declaration in
`tickets.moves`, and django-fsm's `can_proceed`), apply the pure transition, save, record one
timeline event (`tickets.events`), and hand the event to `notifications.notify`, which writes the
outbox and sends the emails after commit.

A refused move raises `TransitionRefused`: 403 when the person may not make this move on this
ticket at all, 409 when the ticket's status does not allow it now (or someone acted first; the row
lock makes the second of two simultaneous moves see the first one's result).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed

import notifications
from categories.models import Category
from tickets import events, permissions
from tickets.exceptions import TextRequired, TransitionRefused
from tickets.models import Ticket, TicketEvent
from tickets.moves import MOVES, Move

logger = logging.getLogger(__name__)

Status = Ticket.Status


def _lock(ticket: Ticket | int) -> Ticket:
    pk = ticket if isinstance(ticket, int) else ticket.pk
    return Ticket.objects.select_for_update().get(pk=pk)


def refusal(
    move: Move, ticket: Ticket, actor: Any, conflict: str | None = None
) -> TransitionRefused:
    """The refusal of a move `permissions` did not allow: 403 when the person may not make it on
    this ticket at all, 409 (with `conflict` as the message, if given) when its status does not
    allow it now."""
    if not permissions.may_act(move, ticket, actor):
        return TransitionRefused(
            _("You are not allowed to do this on this ticket."), TransitionRefused.FORBIDDEN
        )
    if move == Move.TAKE and ticket.assignee_id is not None:
        return TransitionRefused(
            _("This ticket was already taken by %(name)s.")
            % {"name": ticket.assignee.display_name},
            TransitionRefused.CONFLICT,
        )
    if move == Move.REOPEN and ticket.status == Status.CLOSED:
        return TransitionRefused(
            _("This ticket was closed more than %(days)s days ago and can no longer be reopened.")
            % {"days": ticket.service.reopen_window_days},
            TransitionRefused.CONFLICT,
        )
    if conflict is None:
        conflict = _("This is not possible: the ticket's status is now “%(status)s”.")
    return TransitionRefused(
        conflict % {"status": ticket.get_status_display()}, TransitionRefused.CONFLICT
    )


def _check(move: Move, ticket: Ticket, actor: Any) -> None:
    """Refuses the move unless the person may make it now and django-fsm agrees."""
    transition = MOVES[move].transition
    allowed = permissions.can(move, ticket, actor)
    if not allowed or (transition and not can_proceed(getattr(ticket, transition))):
        raise refusal(move, ticket, actor)


def required_text(move: Move, text: str) -> str:
    """The move's text, stripped; `TextRequired` with the move's own message when it is empty."""
    text = (text or "").strip()
    if not text:
        raise TextRequired(str(MOVES[move].text_required))
    return text


def _done(event: TicketEvent, ticket: Ticket) -> Ticket:
    notifications.notify(event)
    return ticket


# --- Agents ----------------------------------------------------------------------------------


@transaction.atomic
def take(*, ticket: Ticket, actor: Any) -> Ticket:
    """An agent of the service takes a new or reopened ticket; of two agents acting at once,
    exactly one wins and the other is told who took it."""
    ticket = _lock(ticket)
    _check(Move.TAKE, ticket, actor)
    before = ticket.assignee
    ticket.take(actor)
    ticket.save()
    event = events.assigned(ticket=ticket, actor=actor, action=Move.TAKE, before=before)
    return _done(event, ticket)


@transaction.atomic
def assign(*, ticket: Ticket, actor: Any, agent: Any) -> Ticket:
    """An agent assigns the ticket to an agent of the service (themselves included); the head
    may assign it to any member of the service."""
    ticket = _lock(ticket)
    _check(Move.ASSIGN, ticket, actor)
    if not permissions.can_assign_to(ticket, actor, agent):
        raise TransitionRefused(
            _("%(name)s cannot be assigned this ticket.") % {"name": agent.display_name},
            TransitionRefused.FORBIDDEN,
        )
    if ticket.assignee_id == agent.pk and ticket.status == Status.IN_PROGRESS:
        raise TransitionRefused(
            _("This ticket is already assigned to %(name)s.") % {"name": agent.display_name},
            TransitionRefused.CONFLICT,
        )
    before = ticket.assignee
    ticket.assign(agent)
    ticket.save()
    event = events.assigned(ticket=ticket, actor=actor, action=Move.ASSIGN, before=before)
    return _done(event, ticket)


@transaction.atomic
def auto_assign(*, ticket: Ticket, agent: Any) -> Ticket:
    """The helpdesk assigns a new ticket as its category asks (tickets.assignment chooses whom).

    The actor is None: the timeline says the assignment was automatic, and the chosen agent is
    told by email like any other assignee.
    """
    ticket = _lock(ticket)
    if not permissions.can_be_auto_assigned(ticket, agent):
        raise TransitionRefused(
            _("%(name)s cannot be assigned this ticket.") % {"name": agent.display_name},
            TransitionRefused.CONFLICT,
        )
    before = ticket.assignee
    ticket.assign(agent)
    ticket.save()
    event = events.assigned(ticket=ticket, actor=None, action=Move.ASSIGN, before=before)
    return _done(event, ticket)


@transaction.atomic
def release(*, ticket: Ticket, actor: Any) -> Ticket:
    """The assigned agent (or the head) puts the ticket back in the service's queue."""
    ticket = _lock(ticket)
    _check(Move.RELEASE, ticket, actor)
    before = ticket.assignee
    ticket.release()
    ticket.save()
    event = events.assigned(ticket=ticket, actor=actor, action=Move.RELEASE, before=before)
    return _done(event, ticket)


@transaction.atomic
def request_info(*, ticket: Ticket, actor: Any, question: str) -> Ticket:
    """The assigned agent asks the requester a question; the ticket waits for the answer."""
    ticket = _lock(ticket)
    _check(Move.REQUEST_INFO, ticket, actor)
    question = required_text(Move.REQUEST_INFO, question)
    before = ticket.status
    ticket.request_info()
    ticket.save()
    event = events.status_changed(
        ticket=ticket, actor=actor, action=Move.REQUEST_INFO, before=before, text=question
    )
    return _done(event, ticket)


@transaction.atomic
def receive_info(*, ticket: Ticket, actor: Any, answer_event: TicketEvent | None = None) -> Ticket:
    """The requester answered (their comment is `answer_event`): the ticket goes back to the
    agent. Called by `services.comment_add`."""
    ticket = _lock(ticket)
    _check(Move.RECEIVE_INFO, ticket, actor)
    before = ticket.status
    ticket.receive_info()
    ticket.save()
    event = events.status_changed(
        ticket=ticket, actor=actor, action=Move.RECEIVE_INFO, before=before
    )
    return _done(event, ticket)


@transaction.atomic
def request_closure(*, ticket: Ticket, actor: Any, resolution: str) -> Ticket:
    """The assigned agent proposes a resolution; the requester approves or refuses it (or it
    closes by itself after the service's delay)."""
    ticket = _lock(ticket)
    _check(Move.REQUEST_CLOSURE, ticket, actor)
    resolution = required_text(Move.REQUEST_CLOSURE, resolution)
    before = ticket.status
    ticket.request_closure(resolution)
    ticket.save()
    event = events.status_changed(
        ticket=ticket, actor=actor, action=Move.REQUEST_CLOSURE, before=before, text=resolution
    )
    return _done(event, ticket)


@transaction.atomic
def reject(*, ticket: Ticket, actor: Any, reason: str) -> Ticket:
    """An agent of the service rejects the request; the requester reads the reason."""
    ticket = _lock(ticket)
    _check(Move.REJECT, ticket, actor)
    reason = required_text(Move.REJECT, reason)
    before = ticket.status
    ticket.reject(reason)
    ticket.save()
    event = events.status_changed(
        ticket=ticket, actor=actor, action=Move.REJECT, before=before, text=reason
    )
    return _done(event, ticket)


@transaction.atomic
def transfer(*, ticket: Ticket, actor: Any, category: Category, note: str = "") -> Ticket:
    """An agent sends the ticket to another active category, maybe of another service: it is new
    there (open, nobody assigned) and its service is the category's. The note is internal."""
    ticket = _lock(ticket)
    _check(Move.TRANSFER, ticket, actor)
    category = Category.objects.select_related("handling_service").get(pk=category.pk)
    if (
        not category.is_active
        or category.handling_service is None
        or not category.handling_service.is_active
    ):
        raise TransitionRefused(
            _("Tickets cannot be sent to the category “%(category)s”.")
            % {"category": category.name},
            TransitionRefused.CONFLICT,
        )
    if category.pk == ticket.category_id:
        raise TransitionRefused(
            _("The ticket is already in the category “%(category)s”.")
            % {"category": category.name},
            TransitionRefused.CONFLICT,
        )
    before_category = ticket.category
    before_service = ticket.service.name
    ticket.transfer(category)
    ticket.save()
    event = events.transferred(
        ticket=ticket,
        actor=actor,
        before=before_category,
        before_service=before_service,
        note=(note or "").strip(),
    )
    return _done(event, ticket)


@transaction.atomic
def change_priority(*, ticket: Ticket, actor: Any, priority: int) -> Ticket:
    """An agent of the service changes the priority; an unchanged priority records nothing."""
    priority = Ticket.Priority(int(priority))
    ticket = _lock(ticket)
    _check(Move.CHANGE_PRIORITY, ticket, actor)
    if ticket.priority == priority:
        return ticket
    before = ticket.priority
    ticket.priority = priority
    ticket.save()
    event = events.priority_changed(ticket=ticket, actor=actor, before=before)
    return _done(event, ticket)


# --- Requesters ------------------------------------------------------------------------------


@transaction.atomic
def approve_closure(*, ticket: Ticket, actor: Any) -> Ticket:
    """The requester agrees the problem is solved: the ticket is closed."""
    ticket = _lock(ticket)
    _check(Move.APPROVE_CLOSURE, ticket, actor)
    before = ticket.status
    ticket.approve_closure()
    ticket.save()
    event = events.status_changed(
        ticket=ticket, actor=actor, action=Move.APPROVE_CLOSURE, before=before
    )
    return _done(event, ticket)


@transaction.atomic
def refuse_closure(*, ticket: Ticket, actor: Any, reason: str) -> Ticket:
    """The requester says the problem is not solved: the ticket goes back to the same agent, and
    the reason is in the public timeline for them to read."""
    ticket = _lock(ticket)
    _check(Move.REFUSE_CLOSURE, ticket, actor)
    reason = required_text(Move.REFUSE_CLOSURE, reason)
    before = ticket.status
    ticket.refuse_closure()
    ticket.save()
    event = events.status_changed(
        ticket=ticket, actor=actor, action=Move.REFUSE_CLOSURE, before=before, text=reason
    )
    return _done(event, ticket)


@transaction.atomic
def mark_solved(*, ticket: Ticket, actor: Any) -> Ticket:
    """The requester says the problem is solved before the service closes it."""
    ticket = _lock(ticket)
    _check(Move.MARK_SOLVED, ticket, actor)
    before = ticket.status
    ticket.mark_solved()
    ticket.save()
    event = events.status_changed(
        ticket=ticket, actor=actor, action=Move.MARK_SOLVED, before=before
    )
    return _done(event, ticket)


@transaction.atomic
def reopen(*, ticket: Ticket, actor: Any, reason: str) -> Ticket:
    """A closed ticket comes back to the service's queue: the requester may reopen it within the
    service's reopen window, an agent at any time; the reason is required."""
    ticket = _lock(ticket)
    _check(Move.REOPEN, ticket, actor)
    reason = required_text(Move.REOPEN, reason)
    before = ticket.status
    ticket.reopen()
    ticket.save()
    event = events.status_changed(
        ticket=ticket, actor=actor, action=Move.REOPEN, before=before, text=reason
    )
    return _done(event, ticket)


@transaction.atomic
def cancel(*, ticket: Ticket, actor: Any, reason: str = "") -> Ticket:
    """The requester withdraws a ticket nobody has taken yet."""
    ticket = _lock(ticket)
    _check(Move.CANCEL, ticket, actor)
    before = ticket.status
    ticket.cancel()
    ticket.save()
    event = events.status_changed(
        ticket=ticket, actor=actor, action=Move.CANCEL, before=before, text=(reason or "").strip()
    )
    return _done(event, ticket)


# --- The helpdesk itself ---------------------------------------------------------------------


def closure_deadline(ticket: Ticket) -> datetime | None:
    """When a ticket awaiting approval closes by itself (None if it is not awaiting approval)."""
    if ticket.status != Status.CLOSURE_PENDING or ticket.closure_requested_at is None:
        return None
    return ticket.closure_requested_at + timedelta(days=ticket.service.closure_approval_days)


@transaction.atomic
def expire_closure(*, ticket: Ticket, now: datetime | None = None) -> Ticket:
    """The requester did not answer the closure request within the service's delay: the helpdesk
    closes the ticket (actor None); the timeline says it was closed automatically."""
    now = now or timezone.now()
    ticket = _lock(ticket)
    deadline = closure_deadline(ticket)
    if not can_proceed(ticket.expire_closure) or deadline is None or deadline > now:
        raise TransitionRefused(
            _("This ticket is not awaiting an overdue closure approval."),
            TransitionRefused.CONFLICT,
        )
    before = ticket.status
    ticket.expire_closure()
    ticket.closed_at = now
    ticket.save()
    event = events.status_changed(
        ticket=ticket, actor=None, action=Move.EXPIRE_CLOSURE, before=before
    )
    return _done(event, ticket)


def expire_overdue_closures(now: datetime | None = None) -> int:
    """Closes every ticket whose closure request is overdue, each in its own transaction (one
    failure does not stop the others); returns how many were closed."""
    now = now or timezone.now()
    candidates = (
        Ticket.objects.filter(
            status=Status.CLOSURE_PENDING,
            closure_requested_at__isnull=False,
            closure_requested_at__lte=now,
        )
        .select_related("service")
        .order_by("closure_requested_at", "pk")
    )
    closed = 0
    for ticket in list(candidates):
        deadline = closure_deadline(ticket)
        if deadline is None or deadline > now:
            continue
        try:
            expire_closure(ticket=ticket, now=now)
        except TransitionRefused:
            # The requester answered between the query and the lock.
            continue
        except Exception:
            logger.exception("Could not close ticket %s automatically", ticket.pk)
            continue
        closed += 1
    return closed
