"""The tickets' part of a person's data (see accounts.personal_data): the tickets they filed, with
their timelines and the files' metadata, what they wrote or did on other people's tickets, and the
tickets assigned to them.

Anonymizing keeps all of it, attributed to the pseudonym; only the assignment events, which record
the agent's name as a label, have that name replaced.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Prefetch

from accounts import personal_data
from tickets.models import Attachment, Invitation, PermanentInvitee, Ticket, TicketEvent, Watcher
from tickets.moves import Move

if TYPE_CHECKING:
    from accounts.models import User


def register() -> None:
    personal_data.register("tickets_filed", tickets_filed, preview=_filed_count)
    personal_data.register("events_on_other_tickets", events_on_other_tickets)
    personal_data.register("attachments_on_other_tickets", attachments_on_other_tickets)
    personal_data.register(
        "tickets_assigned", tickets_assigned, rename_in_assignments, preview=_assigned_count
    )
    personal_data.register("tickets_followed", tickets_followed, rename_in_people_events)


def tickets_filed(user: User) -> list[dict[str, Any]]:
    """Each ticket the person filed, with its whole timeline and its files; three queries."""
    events = Prefetch(
        "events", queryset=TicketEvent.objects.select_related("actor", "attachment").order_by()
    )
    attachments = Prefetch(
        "attachments", queryset=Attachment.objects.select_related("uploaded_by").order_by()
    )
    filed = (
        Ticket.objects.filter(requester=user)
        .select_related("category", "service", "assignee")
        .prefetch_related(events, attachments)
        .order_by("created_at", "pk")
    )
    return [_ticket(ticket) for ticket in filed]


def events_on_other_tickets(user: User) -> list[dict[str, Any]]:
    elsewhere = (
        TicketEvent.objects.filter(actor=user)
        .exclude(ticket__requester=user)
        .select_related("ticket", "attachment")
        .order_by("created_at", "pk")
    )
    return [{"ticket": _ticket_reference(event.ticket), **_event(event)} for event in elsewhere]


def attachments_on_other_tickets(user: User) -> list[dict[str, Any]]:
    uploads_elsewhere = (
        Attachment.objects.filter(uploaded_by=user)
        .exclude(ticket__requester=user)
        .order_by("created_at", "pk")
    )
    return [
        {"ticket_id": attachment.ticket_id, **_attachment(attachment)}
        for attachment in uploads_elsewhere
    ]


def tickets_assigned(user: User) -> list[int]:
    return list(Ticket.objects.filter(assignee=user).order_by("pk").values_list("pk", flat=True))


def rename_in_assignments(forgotten: personal_data.Forgotten) -> None:
    """Assignment events record the agent's name as it was; the pseudonym replaces it."""
    assigned = TicketEvent.objects.filter(kind=TicketEvent.Kind.ASSIGNED)
    assigned.filter(before__in=forgotten.old_names).update(before=forgotten.name)
    assigned.filter(after__in=forgotten.old_names).update(after=forgotten.name)


def tickets_followed(user: User) -> dict[str, list[int]]:
    """The tickets the person is invited to, those they follow as an agent, those an agent filed
    for them, and the services or categories whose new tickets they are invited to."""
    return {
        "invited_to": list(
            Invitation.objects.filter(user=user)
            .order_by("ticket_id")
            .values_list("ticket_id", flat=True)
        ),
        "watching": list(
            Watcher.objects.filter(agent=user)
            .order_by("ticket_id")
            .values_list("ticket_id", flat=True)
        ),
        "filed_for_others": list(
            Ticket.objects.filter(filed_by=user).order_by("pk").values_list("pk", flat=True)
        ),
        "permanently_invited_to": [
            str(row.service or row.category)
            for row in PermanentInvitee.objects.filter(user=user)
            .select_related("service", "category")
            .order_by("pk")
        ],
    }


def rename_in_people_events(forgotten: personal_data.Forgotten) -> None:
    """Invitations, departures and following record the person's name; the pseudonym replaces
    it."""
    people = TicketEvent.objects.filter(
        action__in=[Move.INVITE, Move.LEAVE, Move.WATCH, Move.UNWATCH],
        after__in=forgotten.old_names,
    )
    people.update(after=forgotten.name)


def active_assigned_tickets(user: User) -> int:
    """Tickets still being handled by the person: an administrator reassigns them first."""
    return Ticket.objects.filter(assignee=user, status__in=Ticket.ACTIVE_STATUSES).count()


def _filed_count(user: User) -> dict[str, int]:
    return {"tickets": Ticket.objects.filter(requester=user).count()}


def _assigned_count(user: User) -> dict[str, int]:
    return {"assigned": active_assigned_tickets(user)}


def _ticket_reference(ticket: Ticket) -> dict[str, Any]:
    return {"id": ticket.pk, "subject": ticket.subject}


def _ticket(ticket: Ticket) -> dict[str, Any]:
    return {
        "id": ticket.pk,
        "subject": ticket.subject,
        "description": ticket.description,
        "category": ticket.category.name,
        "service": ticket.service.name,
        "status": ticket.status,
        "priority": ticket.priority,
        "assignee": ticket.assignee.display_name if ticket.assignee else None,
        "created_at": ticket.created_at,
        "updated_at": ticket.updated_at,
        "first_response_at": ticket.first_response_at,
        "closure_requested_at": ticket.closure_requested_at,
        "closed_at": ticket.closed_at,
        "resolution": ticket.resolution,
        "events": [
            _event(event)
            for event in sorted(ticket.events.all(), key=lambda e: (e.created_at, e.pk))
        ],
        "attachments": [
            _attachment(attachment)
            for attachment in sorted(ticket.attachments.all(), key=lambda a: (a.created_at, a.pk))
        ],
    }


def _event(event: TicketEvent) -> dict[str, Any]:
    return {
        "id": event.pk,
        "created_at": event.created_at,
        "kind": event.kind,
        "action": event.action,
        "actor": event.actor.display_name if event.actor else None,
        "visibility": event.visibility,
        "before": event.before,
        "after": event.after,
        "text": event.text,
        "attachment_id": event.attachment_id,
    }


def _attachment(attachment: Attachment) -> dict[str, Any]:
    """A file's metadata; the file itself is downloaded from the ticket's page if asked for."""
    return {
        "id": attachment.pk,
        "name": attachment.original_name,
        "content_type": attachment.content_type,
        "size": attachment.size,
        "visibility": attachment.visibility,
        "created_at": attachment.created_at,
        "uploaded_by_id": attachment.uploaded_by_id,
    }
