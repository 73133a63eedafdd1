"""The timeline of a ticket: the only code that writes `TicketEvent` rows.

Every write that changes a ticket (a move in `tickets.workflow`, a comment or a file in
`tickets.services`) records exactly one event here, in the caller's transaction. Recording an event
also keeps two ticket fields current:

- `updated_at` ("last activity") is set to the event's time, for every event;
- `first_response_at` is set at the service's first *public message* to the requester: a public
  comment by an agent, a question (request_info), a proposed resolution (request_closure) or a
  rejection (the moves marked `first_response` in `tickets.moves`). Taking, assigning or
  transferring a ticket is not an answer the requester can read, and an internal note is not seen
  by them, so neither counts.

`before` / `after` hold raw values so that the page renders them in the reader's language: status
values for status changes, the display names of the previous and new assignee for assignments
(names as they were at the time), category names for transfers, priority numbers for priority
changes. `describe(event)` renders the one-line summary: the move's timeline sentence.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from tickets import queue_cache
from tickets.models import Attachment, Ticket, TicketEvent
from tickets.moves import FIRST_RESPONSES, MOVES, Move

if TYPE_CHECKING:
    from categories.models import Category

Kind = TicketEvent.Kind
Visibility = TicketEvent.Visibility


def _name(user: Model | None) -> str:
    return user.display_name[:200] if user is not None else ""


def _record(
    *,
    ticket: Ticket,
    action: Move,
    actor: Model | None,
    text: str = "",
    before: str = "",
    after: str = "",
    visibility: str = Visibility.PUBLIC,
    attachment: Attachment | None = None,
) -> TicketEvent:
    from tickets import permissions

    now = timezone.now()
    event = TicketEvent.objects.create(
        ticket=ticket,
        kind=MOVES[action].kind,
        action=action,
        actor=actor,
        text=text,
        before=before[:200],
        after=after[:200],
        visibility=visibility,
        attachment=attachment,
        created_at=now,
    )
    changes: dict[str, Any] = {"updated_at": now}
    if (
        ticket.first_response_at is None
        and action in FIRST_RESPONSES
        and visibility == Visibility.PUBLIC
        and actor is not None
        and actor.pk != ticket.requester_id
        and permissions.can_view_internal(ticket, actor)
    ):
        changes["first_response_at"] = now
    # A queryset update: the status field is protected and this must not touch it.
    Ticket.objects.filter(pk=ticket.pk).update(**changes)
    queue_cache.changed(ticket.service_id)
    for field, value in changes.items():
        setattr(ticket, field, value)
    return event


def created(*, ticket: Ticket, actor: Model) -> TicketEvent:
    """The ticket was filed; its text is the ticket's description, not repeated here."""
    return _record(ticket=ticket, action=Move.CREATED, actor=actor, after=ticket.status)


def comment(*, ticket: Ticket, actor: Model, text: str, internal: bool = False) -> TicketEvent:
    """A message: public (requester and agents see it) or an internal note (agents only)."""
    return _record(
        ticket=ticket,
        action=Move.INTERNAL_NOTE if internal else Move.COMMENT,
        actor=actor,
        text=text,
        visibility=Visibility.INTERNAL if internal else Visibility.PUBLIC,
    )


def attachment_added(*, ticket: Ticket, actor: Model | None, attachment: Attachment) -> TicketEvent:
    """A file was added; the event is as visible as the file."""
    return _record(
        ticket=ticket,
        action=Move.ATTACHMENT,
        actor=actor,
        after=attachment.original_name,
        visibility=attachment.visibility,
        attachment=attachment,
    )


def status_changed(
    *,
    ticket: Ticket,
    actor: Model | None,
    action: Move,
    before: str,
    text: str = "",
    visibility: str = Visibility.PUBLIC,
) -> TicketEvent:
    """The ticket moved from `before` to its current status; `text` is the question, reason or
    resolution that came with the move. `actor` is None when the helpdesk acted by itself."""
    return _record(
        ticket=ticket,
        action=action,
        actor=actor,
        text=text,
        before=before,
        after=ticket.status,
        visibility=visibility,
    )


def assigned(
    *, ticket: Ticket, actor: Model | None, action: Move, before: Model | None, text: str = ""
) -> TicketEvent:
    """The assignee changed (take, assign, release); before/after are the people's names."""
    return _record(
        ticket=ticket,
        action=action,
        actor=actor,
        text=text,
        before=_name(before),
        after=_name(ticket.assignee),
    )


def transferred(
    *, ticket: Ticket, actor: Model, before: Category, before_service: str, note: str = ""
) -> TicketEvent:
    """The ticket went to another category (and maybe service).

    Internal: the note is written for the receiving agents, and the requester already sees the
    new category and service on the ticket.
    """
    return _record(
        ticket=ticket,
        action=Move.TRANSFER,
        actor=actor,
        text=note,
        before=f"{before.name} ({before_service})",
        after=f"{ticket.category.name} ({ticket.service.name})",
        visibility=Visibility.INTERNAL,
    )


def priority_changed(*, ticket: Ticket, actor: Model, before: int) -> TicketEvent:
    """The priority changed; before/after are the priority numbers."""
    return _record(
        ticket=ticket,
        action=Move.CHANGE_PRIORITY,
        actor=actor,
        before=str(before),
        after=str(ticket.priority),
    )


def incident_event(
    *, ticket: Ticket, actor: Model, action: Move, incident: str, text: str = ""
) -> TicketEvent:
    """A known incident reached the ticket (linked, updated, resolved); `after` names it."""
    return _record(ticket=ticket, action=action, actor=actor, text=text, after=incident)


def merged_in(*, ticket: Ticket, actor: Model, duplicate: Ticket) -> TicketEvent:
    """A duplicate was merged into this ticket: `before` names it, the text is its description
    (its messages and files move here as they were, `move_thread`)."""
    return _record(
        ticket=ticket,
        action=Move.MERGED_IN,
        actor=actor,
        text=duplicate.description,
        before=f"{duplicate.reference} {duplicate.subject}",
    )


def move_thread(*, duplicate: Ticket, into: Ticket) -> int:
    """The duplicate's messages and files, with their authors, times and visibility, become the
    other ticket's; returns how many events moved."""
    Attachment.objects.filter(ticket=duplicate).update(ticket=into)
    return TicketEvent.objects.filter(
        ticket=duplicate, kind__in=(Kind.COMMENT, Kind.ATTACHMENT)
    ).update(ticket=into)


def linked(*, ticket: Ticket, actor: Model, action: Move, other: Ticket) -> TicketEvent:
    """A link to another ticket was added or removed; `after` names it. For the agents: the
    other ticket may be another person's. A confidential category's ticket is named by its
    reference alone: this timeline's agents may not be named for it."""
    confidential = other.category.confidential_scope_id is not None
    return _record(
        ticket=ticket,
        action=action,
        actor=actor,
        after=other.reference if confidential else f"{other.reference} {other.subject}",
        visibility=Visibility.INTERNAL,
    )


def corrected(
    *, ticket: Ticket, actor: Model, action: Move, before: str, after: str
) -> TicketEvent:
    """An agent corrected the subject or the category; before/after are the old and new ones."""
    return _record(ticket=ticket, action=action, actor=actor, before=before, after=after)


def people_changed(
    *, ticket: Ticket, actor: Model | None, action: Move, person: Model, visibility: str = ""
) -> TicketEvent:
    """Someone was invited, left or was removed, or follows the ticket (or stopped): `after` is
    their name and, for an invitation, `before` their id (the email goes to them). Invitations
    are public (the requester sees who reads their ticket); an agent following it is the
    service's business."""
    internal = action in (Move.WATCH, Move.UNWATCH)
    return _record(
        ticket=ticket,
        action=action,
        actor=actor,
        before=str(person.pk) if action == Move.INVITE else "",
        after=_name(person),
        visibility=visibility or (Visibility.INTERNAL if internal else Visibility.PUBLIC),
    )


def load_history(events: list[TicketEvent]) -> None:
    """Writes past events as they were, for loaders of a whole history (the demo, the benchmark,
    an import): their tickets' fields already agree with them, so nothing is recomputed."""
    TicketEvent.objects.bulk_create(events)


def past_event(**values: Any) -> TicketEvent:
    """An event as it happened, unsaved, for `load_history`."""
    return TicketEvent(**values)


def load_history_rows(
    rows: list[dict[str, Any]], write: Callable[[type[TicketEvent], list[dict[str, Any]]], None]
) -> None:
    """Past events given as field values, written by a loader's own bulk writer (PostgreSQL's
    COPY for an import): the rows `load_history` would write, without an instance for each."""
    write(TicketEvent, rows)


# --- Reading ----------------------------------------------------------------------------------


def _status_label(value: str) -> str:
    try:
        return str(Ticket.Status(value).label)
    except ValueError:
        return value


def _priority_label(value: str) -> str:
    try:
        return str(Ticket.Priority(int(value)).label)
    except ValueError:
        return value


def describe(event: TicketEvent) -> str:
    """A one-line summary of the event in the active language ("Marie took the ticket"), from
    the move's timeline sentence in `tickets.moves`."""
    actor = _name(event.actor) if event.actor_id else ""
    before, after = event.before, event.after
    if event.kind == Kind.PRIORITY_CHANGED:
        before, after = _priority_label(before), _priority_label(after)
    values = {
        "actor": actor,
        "before": before,
        "after": after,
        "before_status": _status_label(event.before),
        "after_status": _status_label(event.after),
    }
    try:
        rule = MOVES[Move(event.action)]
    except ValueError:
        rule = None
    if rule is not None:
        sentence = (
            rule.timeline_automatic if not actor and rule.timeline_automatic else rule.timeline
        )
        return str(sentence) % values
    if event.kind == Kind.STATUS_CHANGED:
        return _("Status changed from %(before_status)s to %(after_status)s") % values
    return str(event.get_kind_display())
