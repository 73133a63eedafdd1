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

import contextlib
import logging
from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed

import notifications
from accounts import pending
from categories.models import Category
from tickets import events, permissions, queue_cache
from tickets.exceptions import TextRequired, TransitionRefused
from tickets.models import Invitation, PermanentInvitee, Ticket, TicketEvent, Watcher
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
    left_service_id = ticket.service_id
    ticket.transfer(category)
    ticket.save()
    # The service it leaves counts one ticket fewer (saving renewed the new service's counts).
    queue_cache.changed(left_service_id)
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


# --- Known incidents -------------------------------------------------------------------------
# The incidents app keeps the incidents and their links; these record on each ticket what it
# did, with the same checks, lock, timeline and emails as any other move.


def _incident_event(
    move: Move, *, ticket: Ticket | int, actor: Any, incident: str, text: str = ""
) -> Ticket:
    ticket = _lock(ticket)
    _check(move, ticket, actor)
    if MOVES[move].needs_text:
        text = required_text(move, text)
    event = events.incident_event(
        ticket=ticket, actor=actor, action=move, incident=incident, text=text
    )
    return _done(event, ticket)


@transaction.atomic
def link_incident(*, ticket: Ticket | int, actor: Any, incident: str) -> Ticket:
    """The ticket is one of the reports of a known incident (`incident`: its reference and
    title, as the timeline tells it): an agent linked it, or its requester filed it from the
    incident's banner. The requester hears the incident's updates on the ticket."""
    return _incident_event(Move.LINK_INCIDENT, ticket=ticket, actor=actor, incident=incident)


@transaction.atomic
def post_incident_update(*, ticket: Ticket | int, actor: Any, incident: str, text: str) -> Ticket:
    """An incident's public update reaches the timeline of a ticket linked to it, and its
    requester by email."""
    return _incident_event(
        Move.INCIDENT_UPDATE, ticket=ticket, actor=actor, incident=incident, text=text
    )


@transaction.atomic
def announce_incident_resolved(
    *, ticket: Ticket | int, actor: Any, incident: str, text: str
) -> Ticket:
    """The incident is resolved: its resolution reaches the ticket's timeline and requester.
    Closing the ticket is a separate move (`request_closure`), which may be refused."""
    return _incident_event(
        Move.INCIDENT_RESOLVED, ticket=ticket, actor=actor, incident=incident, text=text
    )


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


# --- Postponing, merging, linking, correcting -------------------------------------------------


@transaction.atomic
def postpone(*, ticket: Ticket, actor: Any, until: date, reason: str) -> Ticket:
    """The assigned agent sets the ticket aside until a day after today, with a reason: it leaves
    the working queues for "Postponed", the requester is told the date, and the helpdesk resumes
    it on that day (`resume_due`). A postponed ticket may be given another date."""
    ticket = _lock(ticket)
    _check(Move.POSTPONE, ticket, actor)
    reason = required_text(Move.POSTPONE, reason)
    if until <= timezone.localdate():
        raise TransitionRefused(_("Please choose a day after today."), TextRequired.BAD_REQUEST)
    before = ticket.status
    ticket.postpone(until)
    ticket.save()
    event = events.status_changed(
        ticket=ticket, actor=actor, action=Move.POSTPONE, before=before, text=reason
    )
    return _done(event, ticket)


@transaction.atomic
def resume(*, ticket: Ticket, actor: Any) -> Ticket:
    """The assigned agent takes a postponed ticket back before its date."""
    ticket = _lock(ticket)
    _check(Move.RESUME, ticket, actor)
    before = ticket.status
    ticket.resume()
    ticket.save()
    event = events.status_changed(ticket=ticket, actor=actor, action=Move.RESUME, before=before)
    return _done(event, ticket)


def can_merge_into(ticket: Ticket, target: Ticket) -> str:
    """Why `ticket` cannot be merged into `target` ("" when it can): another active ticket of
    the same service, itself not merged."""
    if target.pk == ticket.pk:
        return _("A ticket cannot be merged into itself.")
    if target.service_id != ticket.service_id:
        return _("Only a ticket of the same service can receive a merged ticket.")
    if target.status not in Ticket.ACTIVE_STATUSES:
        return _("The ticket %(reference)s is no longer active.") % {"reference": target.reference}
    return ""


@transaction.atomic
def merge(*, ticket: Ticket, actor: Any, into: Ticket) -> Ticket:
    """An agent merges a duplicate into another active ticket of the service: its messages and
    files move there, its invitees and watchers follow the other ticket, its requester is invited
    there and told; the duplicate ends merged, its pages leading to the other ticket."""
    from tickets.models import Invitation, Watcher

    # Both rows locked, the lower id first, so two opposite merges cannot deadlock.
    first, second = sorted((ticket.pk, into.pk))
    locked = {t.pk: t for t in Ticket.objects.select_for_update().filter(pk__in={first, second})}
    ticket = locked[ticket.pk]
    into = locked.get(into.pk)
    _check(Move.MERGE, ticket, actor)
    if into is None or not permissions.can_view_internal(into, actor):
        raise TransitionRefused(
            _("There is no such ticket in your services."), TextRequired.BAD_REQUEST
        )
    problem = can_merge_into(ticket, into)
    if problem:
        # About the ticket chosen, not this one: the form comes back with the message (400).
        raise TransitionRefused(problem, TextRequired.BAD_REQUEST)
    events.move_thread(duplicate=ticket, into=into)
    followers = set(into.invitations.values_list("user_id", flat=True)) | {into.requester_id}
    for invitation in ticket.invitations.exclude(user_id__in=followers):
        Invitation.objects.create(
            ticket=into, user_id=invitation.user_id, invited_by=invitation.invited_by
        )
    watching = set(into.watchers.values_list("agent_id", flat=True))
    for watcher in ticket.watchers.exclude(agent_id__in=watching):
        Watcher.objects.create(ticket=into, agent_id=watcher.agent_id)
    # They follow the other ticket now; the duplicate's pages lead there.
    ticket.invitations.all().delete()
    ticket.watchers.all().delete()
    before = ticket.status
    ticket.merge(into)
    ticket.save()
    into_event = events.merged_in(ticket=into, actor=actor, duplicate=ticket)
    event = events.status_changed(ticket=ticket, actor=actor, action=Move.MERGE, before=before)
    if ticket.requester_id not in followers:
        _invite_merged_requester(ticket=into, actor=actor, requester=ticket.requester)
    notifications.notify(into_event)
    return _done(event, ticket)


def _invite_merged_requester(*, ticket: Ticket, actor: Any, requester: Any) -> None:
    """The duplicate's requester follows the ticket theirs was merged into, as an invitee (the
    merge's own email tells them; someone who already sees it is left as they are)."""
    with contextlib.suppress(TransitionRefused):
        invite(ticket, actor, requester, notify=False)


def _ordered(ticket: Ticket, other: Ticket) -> tuple[Ticket, Ticket]:
    return (ticket, other) if ticket.pk < other.pk else (other, ticket)


@transaction.atomic
def link(*, ticket: Ticket, actor: Any, other: Ticket) -> Ticket:
    """An agent links two related tickets they both see as an agent; the link shows on both and
    each timeline records it for the agents."""
    from tickets.models import TicketLink

    ticket = _lock(ticket)
    _check(Move.LINK, ticket, actor)
    if other.pk == ticket.pk or not permissions.can_view_internal(other, actor):
        raise TransitionRefused(
            _("There is no such ticket in your services."), TextRequired.BAD_REQUEST
        )
    low, high = _ordered(ticket, other)
    _link, created = TicketLink.objects.get_or_create(
        from_ticket=low, to_ticket=high, defaults={"created_by": actor}
    )
    if not created:
        raise TransitionRefused(
            _("The ticket is already linked to %(reference)s.") % {"reference": other.reference},
            TransitionRefused.CONFLICT,
        )
    event = events.linked(ticket=ticket, actor=actor, action=Move.LINK, other=other)
    events.linked(ticket=other, actor=actor, action=Move.LINK, other=ticket)
    return _done(event, ticket)


@transaction.atomic
def unlink(*, ticket: Ticket, actor: Any, other: Ticket) -> Ticket:
    """An agent removes the link between two tickets; both timelines record it."""
    from tickets.models import TicketLink

    ticket = _lock(ticket)
    _check(Move.UNLINK, ticket, actor)
    low, high = _ordered(ticket, other)
    deleted, _rows = TicketLink.objects.filter(from_ticket=low, to_ticket=high).delete()
    if not deleted:
        raise TransitionRefused(
            _("The ticket is not linked to %(reference)s.") % {"reference": other.reference},
            TransitionRefused.CONFLICT,
        )
    event = events.linked(ticket=ticket, actor=actor, action=Move.UNLINK, other=other)
    events.linked(ticket=other, actor=actor, action=Move.UNLINK, other=ticket)
    return _done(event, ticket)


@transaction.atomic
def edit_subject(*, ticket: Ticket, actor: Any, subject: str) -> Ticket:
    """An agent corrects the subject; the timeline keeps the old one. Unchanged: nothing."""
    ticket = _lock(ticket)
    _check(Move.EDIT_SUBJECT, ticket, actor)
    subject = " ".join(required_text(Move.EDIT_SUBJECT, subject).split())
    subject = subject[: Ticket._meta.get_field("subject").max_length]
    if subject == ticket.subject:
        return ticket
    before = ticket.subject
    ticket.subject = subject
    ticket.save(update_fields=["subject"])
    event = events.corrected(
        ticket=ticket, actor=actor, action=Move.EDIT_SUBJECT, before=before, after=subject
    )
    return _done(event, ticket)


@transaction.atomic
def change_category(*, ticket: Ticket, actor: Any, category: Category) -> Ticket:
    """An agent corrects the category within the ticket's service: status and assignee stay
    (sending it to another service is `transfer`). Unchanged: nothing."""
    ticket = _lock(ticket)
    _check(Move.CHANGE_CATEGORY, ticket, actor)
    category = Category.objects.get(pk=category.pk)
    if not category.is_active or category.handling_service_id != ticket.service_id:
        raise TransitionRefused(
            _("The category “%(category)s” is not one of this service's.")
            % {"category": category.name},
            TextRequired.BAD_REQUEST,
        )
    if category.pk == ticket.category_id:
        return ticket
    before = ticket.category.name
    ticket.category = category
    ticket.save(update_fields=["category"])
    event = events.corrected(
        ticket=ticket, actor=actor, action=Move.CHANGE_CATEGORY, before=before, after=category.name
    )
    return _done(event, ticket)


# --- People around a ticket ------------------------------------------------------------------


def _person(person_email_or_user: Any) -> Any:
    """The account of a person named by account or by email address: an address the helpdesk
    does not know yet gets a pending account (`accounts.pending.pending_account`), theirs at
    their first sign-in."""
    if isinstance(person_email_or_user, str):
        return pending.pending_account(person_email_or_user)
    return person_email_or_user


@transaction.atomic
def invite(
    ticket: Ticket | int, actor: Any, person_email_or_user: Any, *, notify: bool = True
) -> Invitation:
    """The requester or an agent of the service invites someone to follow an active ticket (a
    colleague, a tutor, an agent of another service asked for advice); `actor` None is the
    helpdesk adding a permanent invitee. They see its public part (internal notes too for an
    agent), may comment and add files, get its emails, and may leave. Refused (409) for someone
    who already sees it as requester, agent of the service or invitee."""
    ticket = _lock(ticket)
    if actor is not None:
        _check(Move.INVITE, ticket, actor)
    person = _person(person_email_or_user)
    if not person.is_active:
        raise TransitionRefused(
            _("%(name)s can no longer be invited.") % {"name": person.display_name},
            TransitionRefused.CONFLICT,
        )
    if (
        ticket.requester_id == person.pk
        or person.is_superuser
        or permissions.is_agent_of(person, ticket.service_id)
    ):
        raise TransitionRefused(
            _("%(name)s already follows this ticket.") % {"name": person.display_name},
            TransitionRefused.CONFLICT,
        )
    invitation, created = Invitation.objects.get_or_create(
        ticket=ticket, user=person, defaults={"invited_by": actor}
    )
    if not created:
        raise TransitionRefused(
            _("%(name)s is already invited to this ticket.") % {"name": person.display_name},
            TransitionRefused.CONFLICT,
        )
    permissions.forget_people(ticket)
    event = events.people_changed(ticket=ticket, actor=actor, action=Move.INVITE, person=person)
    if notify:
        notifications.notify(event)
    return invitation


def invite_permanent_invitees(ticket: Ticket) -> list[Invitation]:
    """The permanent invitees of the ticket's category and service are invited to a new ticket
    (by the helpdesk itself), skipping its requester and the service's agents."""
    people = {
        row.user
        for row in PermanentInvitee.objects.filter(
            Q(category_id=ticket.category_id) | Q(service_id=ticket.service_id),
            user__is_active=True,
        ).select_related("user")
    }
    invitations = []
    for person in sorted(people, key=lambda user: user.pk):
        if person.pk == ticket.requester_id or permissions.is_agent_of(person, ticket.service_id):
            continue
        try:
            invitations.append(invite(ticket, None, person))
        except TransitionRefused:
            continue
    return invitations


@transaction.atomic
def leave(*, ticket: Ticket | int, actor: Any) -> Ticket:
    """An invited person stops following the ticket: the invitation goes, the timeline says so."""
    ticket = _lock(ticket)
    _check(Move.LEAVE, ticket, actor)
    Invitation.objects.filter(ticket=ticket, user=actor).delete()
    permissions.forget_people(ticket)
    event = events.people_changed(ticket=ticket, actor=actor, action=Move.LEAVE, person=actor)
    return _done(event, ticket)


@transaction.atomic
def uninvite(*, ticket: Ticket | int, actor: Any, person: Any) -> Ticket:
    """The requester or an agent of the service removes an invited person (invited by mistake,
    or no longer concerned): they no longer see the ticket; the timeline says so."""
    ticket = _lock(ticket)
    _check(Move.UNINVITE, ticket, actor)
    removed, _count = Invitation.objects.filter(ticket=ticket, user=person).delete()
    if not removed:
        raise TransitionRefused(
            _("%(name)s is not invited to this ticket.") % {"name": person.display_name},
            TransitionRefused.CONFLICT,
        )
    permissions.forget_people(ticket)
    event = events.people_changed(ticket=ticket, actor=actor, action=Move.UNINVITE, person=person)
    return _done(event, ticket)


@transaction.atomic
def watch(*, ticket: Ticket | int, actor: Any) -> Ticket:
    """An agent of the service follows the ticket without owning it: its emails, and the
    "tickets I follow" tab."""
    ticket = _lock(ticket)
    if permissions.is_watching(ticket, actor):
        raise TransitionRefused(_("You already follow this ticket."), TransitionRefused.CONFLICT)
    _check(Move.WATCH, ticket, actor)
    Watcher.objects.get_or_create(ticket=ticket, agent=actor)
    permissions.forget_people(ticket)
    event = events.people_changed(ticket=ticket, actor=actor, action=Move.WATCH, person=actor)
    return _done(event, ticket)


@transaction.atomic
def unwatch(*, ticket: Ticket | int, actor: Any) -> Ticket:
    """The agent stops following the ticket."""
    ticket = _lock(ticket)
    _check(Move.UNWATCH, ticket, actor)
    Watcher.objects.filter(ticket=ticket, agent=actor).delete()
    permissions.forget_people(ticket)
    event = events.people_changed(ticket=ticket, actor=actor, action=Move.UNWATCH, person=actor)
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


@transaction.atomic
def resume_on_date(*, ticket: Ticket, today: date | None = None) -> Ticket:
    """The postponed ticket's day has come: the helpdesk (actor None) puts it back in progress
    and its assigned agent (the service's agents if nobody) is told."""
    today = today or timezone.localdate()
    ticket = _lock(ticket)
    if (
        not can_proceed(ticket.resume)
        or ticket.postponed_until is None
        or ticket.postponed_until > today
    ):
        raise TransitionRefused(
            _("This ticket is not postponed until today."), TransitionRefused.CONFLICT
        )
    before = ticket.status
    ticket.resume()
    ticket.save()
    event = events.status_changed(ticket=ticket, actor=None, action=Move.RESUME, before=before)
    return _done(event, ticket)


def resume_due(today: date | None = None) -> int:
    """Resumes every ticket postponed until today or before, each in its own transaction (one
    failure does not stop the others); returns how many were resumed."""
    today = today or timezone.localdate()
    due = Ticket.objects.filter(status=Status.POSTPONED, postponed_until__lte=today).order_by(
        "postponed_until", "pk"
    )
    resumed = 0
    for pk in list(due.values_list("pk", flat=True)):
        try:
            resume_on_date(ticket=pk, today=today)
        except TransitionRefused:
            # An agent resumed it or gave it another date between the query and the lock.
            continue
        except Exception:
            logger.exception("Could not resume postponed ticket %s", pk)
            continue
        resumed += 1
    return resumed
