"""Reads for the ticket pages, each with a fixed number of SQL queries.

Visibility is decided by `tickets.permissions` alone: `tickets_visible_to` is the list version of
`permissions.can_view`, so a list never shows a ticket its page would refuse.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, prefetch_related_objects
from django.http import Http404
from django.utils.translation import gettext as _

from categories import selectors as category_selectors
from tickets import events, permissions
from tickets.models import Attachment, Invitation, Ticket, TicketEvent
from tickets.moves import Move


def tickets_visible_to(user: Any) -> QuerySet[Ticket]:
    """The tickets the person may see: their own, those they are invited to, those currently in
    a service they work in (an agent loses sight of a ticket transferred out, and sees one
    transferred in), or all for a superuser."""
    if user is None or not user.is_authenticated or not user.is_active:
        return Ticket.objects.none()
    if user.is_superuser:
        return Ticket.objects.all()
    service_ids = permissions.agent_service_ids(user)
    invited = Invitation.objects.filter(ticket_id=OuterRef("pk"), user_id=user.pk)
    condition = Q(requester=user) | Q(Exists(invited))
    if service_ids:
        condition |= Q(service_id__in=service_ids) & confidentiality_filter(user)
    return Ticket.objects.filter(condition)


def confidentiality_filter(user: Any) -> Q:
    """The condition that leaves out the tickets of confidential categories this person is not
    named for (`categories.selectors.confidential_hidden_from`): every list of a service's
    tickets shown to its agents (queues, dashboards, search, similar tickets, exports) applies
    it, through `tickets_visible_to` or `queues.desk_tickets`. A subquery on the category
    alone, so the list's query stays one query with no join; superusers are not filtered."""
    if user is not None and user.is_authenticated and user.is_superuser:
        return Q()
    hidden = category_selectors.confidential_hidden_from(user).values("pk")
    return ~Q(category_id__in=hidden)


def ticket_for_page(pk: int, user: Any) -> Ticket:
    """The ticket with everything its page shows: requester, assignee, category, service, and
    the events and files this person may see (prefetched: `timeline` costs no query).

    Four queries whatever the number of events: memberships, ticket, events, attachments.
    Raises Http404 when the ticket does not exist or the person may not see it.
    """
    try:
        ticket = (
            tickets_visible_to(user)
            .select_related(
                "requester", "assignee", "category", "category__parent", "service", "filed_by"
            )
            .get(pk=pk)
        )
    except (Ticket.DoesNotExist, ValueError, TypeError) as error:
        raise Http404(_("No ticket found.")) from error
    internal = permissions.can_view_internal(ticket, user)
    event_qs = TicketEvent.objects.select_related("actor", "attachment").order_by(
        "created_at", "pk"
    )
    attachment_qs = Attachment.objects.select_related("uploaded_by").order_by("created_at", "pk")
    if not internal:
        event_qs = event_qs.filter(visibility=TicketEvent.Visibility.PUBLIC)
        attachment_qs = attachment_qs.filter(visibility=TicketEvent.Visibility.PUBLIC)

    prefetch_related_objects(
        [ticket],
        Prefetch("events", queryset=event_qs),
        Prefetch("attachments", queryset=attachment_qs),
    )
    return ticket


def timeline(ticket: Ticket, user: Any) -> list[TicketEvent]:
    """The ticket's events in order; internal ones only for those who may see them. Uses the
    events `ticket_for_page` prefetched when there are any."""
    internal = permissions.can_view_internal(ticket, user)
    prefetched = getattr(ticket, "_prefetched_objects_cache", {}).get("events")
    if prefetched is not None:
        events = list(prefetched)
    else:
        events = list(
            ticket.events.select_related("actor", "attachment").order_by("created_at", "pk")
        )
    if internal:
        return events
    return [event for event in events if event.visibility == TicketEvent.Visibility.PUBLIC]


@dataclass(frozen=True)
class ThreadEntry:
    """One line of a ticket's conversation.

    `style`: "message" (someone wrote to the other side), "note" (agents only: an internal note,
    a transfer note, an internal file) or "line" (a status change, an assignment, a file: told in
    one compact line between the messages). `role`: "requester", "agent", "invitee" (someone
    invited to the ticket) or "system" (the helpdesk acting by itself), so the page can say who
    speaks without a query per entry.
    """

    event: TicketEvent
    summary: str
    style: str
    role: str


def _role(event: TicketEvent, ticket: Ticket, invited: set[str]) -> str:
    if not event.actor_id:
        return "system"
    if event.actor_id == ticket.requester_id:
        return "requester"
    return "invitee" if str(event.actor_id) in invited else "agent"


def thread(ticket: Ticket, user: Any, *, public_only: bool = False) -> list[ThreadEntry]:
    """The ticket's timeline as a conversation, oldest first, from the events `ticket_for_page`
    prefetched (no query). `public_only`: the requester's page, which never shows an internal
    event, even to a requester who is also an agent of the service."""
    entries = []
    shown = timeline(ticket, user)
    # Everyone ever invited, from the (public) invitation events: their words are not the
    # service's, even after they left.
    invited = {event.before for event in shown if event.action == Move.INVITE}
    for event in shown:
        if public_only and event.visibility != TicketEvent.Visibility.PUBLIC:
            continue
        if event.is_internal:
            style = "note"
        elif event.text:
            style = "message"
        else:
            style = "line"
        entries.append(
            ThreadEntry(
                event=event,
                summary=events.describe(event),
                style=style,
                role=_role(event, ticket, invited),
            )
        )
    return entries


def attachment_for_download(ticket_pk: int, attachment_pk: int, user: Any) -> Attachment:
    """A file the person may download: on a ticket they see, internal files for agents only.
    Raises Http404 otherwise (never 403: it would confirm the file exists)."""
    try:
        attachment = Attachment.objects.select_related("ticket", "ticket__category").get(
            pk=attachment_pk, ticket_id=ticket_pk
        )
    except (Attachment.DoesNotExist, ValueError, TypeError) as error:
        raise Http404(_("No file found.")) from error
    ticket = attachment.ticket
    if not permissions.can_view(ticket, user):
        raise Http404(_("No file found."))
    if attachment.visibility != TicketEvent.Visibility.PUBLIC and not (
        permissions.can_view_internal(ticket, user)
    ):
        raise Http404(_("No file found."))
    return attachment


def related_tickets(ticket: Ticket, user: Any = None) -> list[Ticket]:
    """The tickets linked to this one (`TicketLink`, either side), by number; one query. Only
    agents' pages show them: the other ticket may be another person's. With `user`, only those
    the person may see (a confidential category's ticket stays with its named agents).

    No query for a ticket whose prefetched timeline (an agent's: links are internal events) never
    recorded a link: most tickets have none, and the page's query count stays as it was."""
    prefetched = getattr(ticket, "_prefetched_objects_cache", {}).get("events")
    if prefetched is not None and not any(e.action == Move.LINK for e in prefetched):
        return []
    tickets = Ticket.objects.all() if user is None else tickets_visible_to(user)
    return list(
        tickets.filter(Q(links_to__from_ticket=ticket) | Q(links_from__to_ticket=ticket)).order_by(
            "pk"
        )
    )
