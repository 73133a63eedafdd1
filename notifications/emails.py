"""Turns an outbox row into an email: three templates, the recipient's language, thread headers.

Every email about a ticket carries its own stable Message-ID and points (In-Reply-To, References)
to one root id per ticket, so mail clients show a ticket's emails as one conversation.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

if TYPE_CHECKING:
    from accounts.models import User
    from notifications.models import Notification
    from tickets.models import Ticket, TicketEvent


def mail_domain() -> str:
    """The right-hand side of our Message-IDs: the public host of the helpdesk."""
    return urlsplit(settings.SITE_URL).hostname or "helpdesk.localhost"


def message_id_for(notification: Notification) -> str:
    """A Message-ID that is the same every time this row is (re)sent."""
    if notification.event_id:
        local = f"notification-{notification.pk}.ticket-{notification.event.ticket_id}"
    else:
        local = f"notification-{notification.pk}.{notification.kind}"
    return f"<{local}@{mail_domain()}>"


def thread_id_for(ticket_id: int) -> str:
    """The conversation every email about this ticket belongs to."""
    return f"<ticket-{ticket_id}@{mail_domain()}>"


DIGEST_KIND = "new_tickets_digest"


def is_automatic_answer(notification: Notification) -> bool:
    """An answer to an incoming email (`services.queue_automatic_answer`): no event, no digest."""
    return notification.event_id is None and notification.kind != DIGEST_KIND


def absolute_url(path: str) -> str:
    """A link that works from a mail client: the public address of the helpdesk plus the path."""
    return settings.SITE_URL + path


def ticket_url(ticket: Ticket) -> str:
    return absolute_url(reverse("tickets:detail", kwargs={"pk": ticket.pk}))


def closure_url(ticket: Ticket) -> str:
    return absolute_url(reverse("tickets:closure", kwargs={"pk": ticket.pk}))


def preferences_url() -> str:
    return absolute_url(reverse("accounts:profile")) + "#notifications"


def build_message(notification: Notification) -> EmailMultiAlternatives:
    """The email for one outbox row, rendered in the row's language."""
    name = notification.kind
    with translation.override(notification.language):
        context = _context(notification)
        subject = render_to_string(f"emails/{name}.subject.txt", context)
        text = render_to_string(f"emails/{name}.txt", context)
        html = render_to_string(f"emails/{name}.html", context)
    # A subject is one line whatever a template or a ticket's subject contains.
    subject = " ".join(subject.split())
    text = _tidy(text)
    headers = {
        "Message-ID": notification.message_id or message_id_for(notification),
        # Out-of-office replies and auto-responders should not answer the helpdesk.
        "Auto-Submitted": "auto-generated",
        "X-Auto-Response-Suppress": "All",
    }
    if notification.event_id:
        root = thread_id_for(notification.event.ticket_id)
        headers["In-Reply-To"] = root
        headers["References"] = root
    elif is_automatic_answer(notification):
        # RFC 3834: an answer to a message says so, and threads under the message it answers.
        headers["Auto-Submitted"] = "auto-replied"
        if answered := notification.payload.get("in_reply_to"):
            headers["In-Reply-To"] = answered
            headers["References"] = answered
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[notification.email],
        headers=headers,
    )
    message.attach_alternative(html, "text/html")
    return message


def _tidy(text: str) -> str:
    """Template tags leave blank lines behind: at most one blank line in a row, none at the ends."""
    lines = [line.rstrip() for line in text.strip().splitlines()]
    tidy: list[str] = []
    for line in lines:
        if line or (tidy and tidy[-1]):
            tidy.append(line)
    # "-- " (with its space) is the standard signature separator; keep it.
    return "\n".join("-- " if line == "--" else line for line in tidy) + "\n"


def _context(notification: Notification) -> dict:
    recipient = notification.recipient
    context: dict = {
        "notification": notification,
        "recipient": recipient,
        "recipient_name": recipient.display_name if recipient else "",
        "site_name": settings.SITE_NAME,
        "site_url": settings.SITE_URL,
        "language": notification.language,
        "preferences_url": preferences_url() if recipient else "",
    }
    event = notification.event
    if event is None and is_automatic_answer(notification):
        context.update(notification.payload.get("context") or {})
        return context
    if event is None:
        context.update(_digest_context(notification))
        return context
    ticket = event.ticket
    actor = event.actor
    context.update(
        {
            "event": event,
            "ticket": ticket,
            "reference": ticket.reference,
            "subject": ticket.subject,
            "service": ticket.service.name,
            "category": ticket.category.name,
            "requester": ticket.requester.display_name,
            "actor": actor.display_name if actor else gettext("The helpdesk"),
            "text": event.text,
            "file_name": event.attachment.original_name if event.attachment_id else "",
            "closure_days": ticket.service.closure_approval_days,
            "reopen_days": ticket.service.reopen_window_days,
            "ticket_url": ticket_url(ticket),
        }
    )
    if event.is_internal and not _reads_internal(ticket, recipient):
        # Defence in depth: an internal text never reaches someone who may not read it.
        context["text"] = ""
    if notification.kind == "closure_requested":
        context["closure_url"] = closure_url(ticket)
        context["text"] = event.text or ticket.resolution
    if notification.kind in {"new_ticket", "ticket_created"}:
        context["text"] = ticket.description
    if notification.kind == "requester_answer" and not event.text:
        context["text"] = _latest_requester_comment(ticket, event)
    return context


def _reads_internal(ticket: Ticket, recipient: User | None) -> bool:
    from tickets import permissions

    return recipient is not None and permissions.can_view_internal(ticket, recipient)


def _latest_requester_comment(ticket: Ticket, event: TicketEvent) -> str:
    """The answer itself when the status event does not repeat it: the requester's last comment."""
    comment = (
        ticket.events.filter(
            action="comment", actor_id=ticket.requester_id, created_at__lte=event.created_at
        )
        .order_by("-created_at", "-pk")
        .first()
    )
    return comment.text if comment else ""


def _digest_context(notification: Notification) -> dict:
    from tickets.models import Ticket

    ids = notification.payload.get("ticket_ids", [])
    tickets = list(
        Ticket.objects.filter(pk__in=ids)
        .select_related("service", "category", "requester")
        .order_by("service__name", "created_at")
    )
    day = notification.payload.get("day")
    return {
        "tickets": [{"ticket": t, "url": ticket_url(t)} for t in tickets],
        "count": len(tickets),
        "day": datetime.date.fromisoformat(day) if day else None,
    }
