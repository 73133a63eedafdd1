"""Turns an outbox row into an email: three templates, the recipient's language, thread headers.

Every email about a ticket has the subject `[<tag> #N] <ticket subject>` (the event is the first
line of the body), so that mail clients that thread by subject keep a ticket's emails together and
the mail gateway recognises a reply by its subject; the References headers thread them in the
others (`thread_id_for`). When replies by email are on, an email to someone who may comment on the
ticket carries a Reply-To naming the ticket and the person (`reply_address`) and starts with the
marker above which replies are read.
"""

from __future__ import annotations

import datetime
import hashlib
import re
from functools import cache
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext, gettext_noop

from notifications import preferences, reply_address, unsubscribe

if TYPE_CHECKING:
    from accounts.models import User
    from notifications.models import Notification
    from tickets.models import Ticket, TicketEvent

# The emails that open a ticket's conversation: their Message-ID is the root the others reference.
CREATION_KINDS = frozenset({"ticket_created", "new_ticket"})
DIGEST_KIND = "new_tickets_digest"

# The marker above which a reply is read, when the mail gateway does not define it.
_REPLY_MARKER = "##- Please type your reply above this line -##"
_REPLY_MARKER_WORDS = gettext_noop("Please type your reply above this line")


def reply_marker() -> str:
    """The gateway's own marker when it has one, so that what is written is what is looked for.

    Imported when called: the gateway imports this module too.
    """
    try:
        from mailgateway.parsing import REPLY_MARKER
    except ImportError:
        return _REPLY_MARKER
    return REPLY_MARKER


def translated_reply_marker() -> str:
    """The marker in the active language ("" when that is the marker itself)."""
    words = gettext(_REPLY_MARKER_WORDS)
    return "" if words == _REPLY_MARKER_WORDS else f"##- {words} -##"


def subject_tag_word() -> str:
    return getattr(settings, "EMAIL_SUBJECT_TAG", "") or "Helpdesk"


def subject_tag(ticket_id: int) -> str:
    """`[Helpdesk #12]`: what every email about ticket 12 starts its subject with."""
    return f"[{subject_tag_word()} #{ticket_id}]"


def subject_tag_regex() -> re.Pattern[str]:
    """Finds the tag in a subject, whatever mail clients did to its case and spaces (`Re: [helpdesk
    # 12] ...`); group "ticket" is the ticket's id."""
    return _subject_tag_regex(subject_tag_word())


@cache
def _subject_tag_regex(word: str) -> re.Pattern[str]:
    words = r"\s+".join(re.escape(part) for part in word.split())
    return re.compile(rf"\[\s*{words}\s*#\s*(?P<ticket>[0-9]{{1,12}})\s*\]", re.IGNORECASE)


def ticket_id_in_subject(subject: str) -> int | None:
    """The id of the ticket a subject's tag names, or None."""
    match = subject_tag_regex().search(subject or "")
    return int(match["ticket"]) if match else None


def mail_domain() -> str:
    """The right-hand side of our Message-IDs: the public host of the helpdesk."""
    return urlsplit(settings.SITE_URL).hostname or "helpdesk.localhost"


def message_id_for(notification: Notification) -> str:
    """A Message-ID that is the same every time this row is (re)sent.

    The email that opens a ticket's conversation for its reader (the receipt to the requester, the
    new ticket to an agent or an alert address) takes the thread's root id, which every later
    email to that reader references.
    """
    if notification.event_id:
        if notification.kind in CREATION_KINDS:
            return thread_id_for(notification.event.ticket_id, notification)
        local = f"notification-{notification.pk}.ticket-{notification.event.ticket_id}"
    else:
        local = f"notification-{notification.pk}.{notification.kind}"
    return f"<{local}@{mail_domain()}>"


def thread_id_for(ticket_id: int, notification: Notification) -> str:
    """The root of a ticket's conversation in one reader's mailbox: the Message-ID of the email
    that opened it for them, and the In-Reply-To/References of every later one.

    One root per reader, not one per ticket: a Message-ID names one message (RFC 5322), and the
    receipt to the requester and the alert to the agents are different messages. Sharing one id
    would make a mailbox that sees both (an agent on the alert list, a list archive) keep one and
    drop the other as a duplicate. The root depends on the ticket and the reader only, so it is
    stable across resends and known before the first email goes. A reader who never got the
    opening email (an agent of a service the ticket was transferred to) still has their emails
    threaded together by the root they all reference.
    """
    if notification.recipient_id:
        reader = f"u{notification.recipient_id}"
    else:
        digest = hashlib.sha256(notification.email.strip().lower().encode()).hexdigest()
        reader = f"a{digest[:16]}"
    return f"<ticket-{ticket_id}.{reader}@{mail_domain()}>"


_TICKET_IN_MESSAGE_ID = re.compile(r"[<.]ticket-(?P<ticket>[0-9]{1,12})[.@]")


def ticket_id_in_message_id(message_id: str) -> int | None:
    """The ticket one of our Message-IDs (a root or a notification's) is about, or None.

    Not proof of anything: anyone can write such an id in a reply's headers.
    """
    if not message_id or not message_id.strip().endswith(f"@{mail_domain()}>"):
        return None
    match = _TICKET_IN_MESSAGE_ID.search(message_id)
    return int(match["ticket"]) if match else None


def is_automatic_answer(notification: Notification) -> bool:
    """An answer to an incoming email (`services.queue_automatic_answer`): no event, no digest,
    no announcement (`services.queue_announcement`)."""
    return (
        notification.event_id is None
        and notification.kind != DIGEST_KIND
        and not notification.payload.get("announcement")
    )


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
    reply_to = reply_to_for(notification)
    with translation.override(notification.language):
        context = _context(notification)
        if reply_to:
            context["reply_marker"] = reply_marker()
            context["translated_reply_marker"] = translated_reply_marker()
        context["replies_by_email"] = bool(reply_to)
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
        "Content-Language": notification.language,
    }
    if notification.event_id:
        root = thread_id_for(notification.event.ticket_id, notification)
        if headers["Message-ID"] != root:
            headers["In-Reply-To"] = root
            headers["References"] = root
    elif is_automatic_answer(notification):
        # RFC 3834: an answer to a message says so, and threads under the message it answers.
        headers["Auto-Submitted"] = "auto-replied"
        if answered := notification.payload.get("in_reply_to"):
            headers["In-Reply-To"] = answered
            headers["References"] = answered
    headers.update(unsubscribe_headers(notification))
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[notification.email],
        reply_to=[reply_to] if reply_to else None,
        headers=headers,
    )
    message.attach_alternative(html, "text/html")
    return message


def reply_to_for(notification: Notification) -> str:
    """The address a reply to this email should go to, or "" (replies off, not about a ticket, an
    alert address, or someone who may not comment on the ticket now)."""
    if not reply_address.replies_enabled() or not notification.event_id:
        return ""
    recipient = notification.recipient
    if recipient is None:
        return ""
    from tickets import permissions

    ticket = notification.event.ticket
    if not permissions.can_comment(ticket, recipient):
        return ""
    return reply_address.reply_address(ticket.pk, recipient.pk)


def unsubscribe_headers(notification: Notification) -> dict[str, str]:
    """RFC 2369 and RFC 8058 one-click unsubscription, for the emails a person may switch off."""
    field = preferences.KIND_PREFERENCE.get(notification.kind)
    if (
        field is None
        or notification.recipient_id is None
        or notification.payload.get("announcement")
    ):
        return {}
    token = unsubscribe.token_for(notification.recipient_id, field)
    targets = [f"<{unsubscribe.url_for(token)}>"]
    if reply_address.replies_enabled():
        targets.append(f"<{unsubscribe.mailto_for(token)}>")
    return {
        "List-Unsubscribe": ", ".join(targets),
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


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
    if event is None and (
        is_automatic_answer(notification) or notification.payload.get("announcement")
    ):
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
            "subject_tag": subject_tag(ticket.pk),
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
            # The timeline's sentence ("Marie requested the closure"), for the followers' emails.
            "summary": _summary(event),
            "filed_by": ticket.filed_by.display_name if ticket.filed_by_id else "",
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
    if notification.kind == "ticket_postponed":
        context["until"] = ticket.postponed_until
    if notification.kind == "ticket_merged" and ticket.merged_into_id:
        context["into_reference"] = ticket.merged_into.reference
        context["into_url"] = ticket_url(ticket.merged_into)
    if notification.kind == "requester_answer" and not event.text:
        context["text"] = _latest_requester_comment(ticket, event)
    return context


def _summary(event: TicketEvent) -> str:
    from tickets import events

    return events.describe(event)


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
