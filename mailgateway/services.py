"""The only writer of the mail gateway's rows: a message read from a mailbox is recorded and applied
in one transaction, so it counts exactly once.

`receive` records the message (the unique (mailbox, uidvalidity, uid) refuses a second copy of the
same row), decides its way (`mailgateway.routing`) and applies it (`mailgateway.actions`, through
`tickets.services.comment_add` and `ticket_create`, as the web pages): a reply becomes a comment, a
requester's answer moves the ticket back as on the page, a new message files a ticket. Whatever is
refused gets an automatic answer saying what to do, and nothing else changes. Automatic messages
(auto-replies, bounces, lists) and our own are never answered nor turned into comments.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.text import clean_line
from helpdesk import ratelimit
from mailgateway import actions, routing
from mailgateway.models import FailingAddress, InboundMessage, Mailbox
from notifications import emails, unsubscribe
from notifications import services as notification_services

logger = logging.getLogger(__name__)

Status = InboundMessage.Status
Policy = Mailbox.UnknownSenderPolicy


# --- Reading -----------------------------------------------------------------------------------


def receive(
    *, mailbox: Mailbox, uid: int, uidvalidity: int, raw: bytes, size: int | None = None
) -> InboundMessage:
    """Records and applies one message, once: a message already recorded is returned as it is.

    The row is written last, in the transaction that applied the message: its unique
    (mailbox, uidvalidity, uid) lets one reader commit and rolls back any other. An unexpected
    error rolls everything back, then the message is recorded as failed with its content (an
    administrator sees it), so that one message never stops the mailbox.
    """
    size = size or len(raw)
    try:
        parsed = _parse(raw)
        message_id = (parsed.message_id or "")[:255]
        known = _known(mailbox, uid, uidvalidity, message_id)
        recorded = next(
            (row for row in known if row.uid == uid and row.uidvalidity == uidvalidity), None
        )
        if recorded is not None:
            return recorded
        first = next((row for row in known if row.message_id == message_id), None)
        with transaction.atomic():
            return _receive(mailbox, uid, uidvalidity, raw, size, parsed, message_id, first)
    except IntegrityError:
        # Another reader recorded it first.
        existing = _recorded(mailbox, uid, uidvalidity)
        if existing is not None:
            return existing
        raise
    except Exception as error:
        logger.exception("Message %s of mailbox %s could not be processed.", uid, mailbox.pk)
        return InboundMessage.objects.create(
            mailbox=mailbox,
            uid=uid,
            uidvalidity=uidvalidity,
            size=size,
            status=Status.FAILED,
            outcome=f"{type(error).__name__}: {error}"[:2000],
            raw=raw,
        )


def _parse(raw: bytes) -> Any:
    from mailgateway import parsing

    return parsing.parse_message(raw)


def _recorded(mailbox: Mailbox, uid: int, uidvalidity: int) -> InboundMessage | None:
    return InboundMessage.objects.filter(mailbox=mailbox, uidvalidity=uidvalidity, uid=uid).first()


def _known(mailbox: Mailbox, uid: int, uidvalidity: int, message_id: str) -> list[InboundMessage]:
    """In one query: this UID's row if it was recorded, and the first copy of this Message-ID."""
    same = Q(uidvalidity=uidvalidity, uid=uid)
    if message_id:
        same |= Q(message_id=message_id, duplicate_of__isnull=True)
    return list(InboundMessage.objects.filter(same, mailbox=mailbox)[:2])


def advance(mailbox: Mailbox, uidvalidity: int, uid: int) -> None:
    """The mailbox was read up to `uid`: the next poll starts after it. (Only a shortcut: a
    message read again is recognised by its row.)"""
    Mailbox.objects.filter(pk=mailbox.pk, uidvalidity=uidvalidity, last_uid__lt=uid).update(
        last_uid=uid
    )


def _receive(
    mailbox: Mailbox,
    uid: int,
    uidvalidity: int,
    raw: bytes,
    size: int,
    parsed: Any,
    message_id: str,
    first: InboundMessage | None,
) -> InboundMessage:
    message = InboundMessage(
        mailbox=mailbox,
        uid=uid,
        uidvalidity=uidvalidity,
        message_id=message_id,
        duplicate_of=first,
        sender=routing.sender_of(parsed)[:254],
        subject=clean_line(parsed.subject or "")[:255],
        size=size,
        status=Status.IGNORED,
        outcome="copy of a message already read",
    )
    if first is not None:
        message.save(force_insert=True)
        return message
    result = _apply(mailbox, message, parsed, size, raw)
    message.status = result.status
    message.outcome = result.outcome
    message.ticket = result.ticket
    message.event = result.event
    message.raw = raw if result.keep_raw else None
    message.save(force_insert=True)
    for kind, context in result.answers:
        _answer(message, parsed, kind, context, person=result.person)
    return message


def _apply(
    mailbox: Mailbox, message: InboundMessage, parsed: Any, size: int, raw: bytes
) -> actions.Outcome:
    route = routing.route(parsed)
    if route.way == routing.Way.IGNORE:
        return actions.Outcome(Status.IGNORED, route.reason)
    if route.way == routing.Way.BOUNCE:
        failing = record_bounce(parsed)
        return actions.Outcome(
            Status.IGNORED, "bounce: " + ", ".join(failing) if failing else "bounce"
        )
    sender = message.sender
    if not sender:
        return actions.Outcome(Status.IGNORED, "no sender")
    if not _within_rate(sender):
        # Never answered: an answer would feed the loop or the flood the limit stops.
        return actions.Outcome(Status.REFUSED, "sender's rate limit reached")
    if route.way == routing.Way.UNSUBSCRIBE:
        # The List-Unsubscribe mailto of an optional email: the signed token decides, as the
        # one-click link does.
        wish = unsubscribe.read_token(route.reason)
        if wish is None or not unsubscribe.switch_off(wish):
            return actions.Outcome(Status.IGNORED, "unsubscription: unknown token")
        return actions.Outcome(Status.PROCESSED, f"unsubscribed from {wish.field}")
    ticket = route.ticket
    context = {"subject": message.subject, "reference": ticket.reference if ticket else ""}
    if ticket is not None:
        context["ticket_url"] = emails.ticket_url(ticket)
    if size > settings.INBOUND_MAX_BYTES:
        return actions.Outcome(
            Status.REFUSED,
            "too large",
            answers=[("inbound_refused", {**context, "reason": "too_large"})],
        )
    if route.way == routing.Way.FORGED:
        return actions.Outcome(
            Status.REFUSED,
            route.reason,
            ticket=ticket,
            answers=[("inbound_refused", {**context, "reason": "forged"})],
        )
    if route.way == routing.Way.REPLY:
        return actions.reply(route, parsed, context)
    return actions.new_ticket(mailbox, route, parsed, message, context)


def _within_rate(sender: str) -> bool:
    rate = ratelimit.parse_rate(settings.INBOUND_SENDER_RATE)
    if rate is None:
        return True
    try:
        return ratelimit.hit(f"ratelimit:inbound:{sender}", *rate)
    except Exception:
        logger.warning("Inbound rate limit not counted: the cache is unreachable.", exc_info=True)
        return True


# --- Held messages -----------------------------------------------------------------------------


@transaction.atomic
def release(*, message: InboundMessage, requester: Any) -> InboundMessage:
    """An agent files a held message as a ticket for the person they chose."""
    message = (
        InboundMessage.objects.select_for_update().select_related("mailbox").get(pk=message.pk)
    )
    if message.status not in (Status.HELD, Status.FAILED) or message.raw is None:
        raise ValidationError(_("This message is not waiting for a decision."), code="not_held")
    parsed = _parse(bytes(message.raw))
    result = actions.file_ticket(
        mailbox=message.mailbox,
        person=requester,
        parsed=parsed,
        context={"subject": message.subject},
    )
    if result.status != Status.PROCESSED:
        raise ValidationError(result.outcome, code="not_filed")
    message.status = Status.PROCESSED
    message.outcome = f"released as a new ticket for {requester.email}"
    message.ticket = result.ticket
    message.raw = None
    message.save(update_fields=["status", "outcome", "ticket", "raw"])
    return message


@transaction.atomic
def discard(*, message: InboundMessage) -> InboundMessage:
    """An agent drops a held message: its content is deleted, its record stays."""
    message = InboundMessage.objects.select_for_update().get(pk=message.pk)
    message.status = Status.IGNORED
    message.outcome = "discarded by an agent"
    message.raw = None
    message.save(update_fields=["status", "outcome", "raw"])
    return message


# --- Bounces -----------------------------------------------------------------------------------


def record_bounce(parsed: Any) -> list[str]:
    """Marks each address a bounce reports as failing; returns them."""
    now = timezone.now()
    reason = clean_line(parsed.subject or "")[:500]
    failing = []
    for address in parsed.bounce_recipients or ():
        email = (address or "").strip().lower()
        if not email or "@" not in email:
            continue
        row, created = FailingAddress.objects.select_for_update().get_or_create(
            email=email, defaults={"first_bounce_at": now, "last_bounce_at": now, "reason": reason}
        )
        if not created:
            row.count += 1
            row.last_bounce_at = now
            row.reason = reason or row.reason
            row.save(update_fields=["count", "last_bounce_at", "reason"])
        failing.append(email)
    return failing


# --- Mailboxes ---------------------------------------------------------------------------------


def start_reading(mailbox: Mailbox, uidvalidity: int) -> Mailbox:
    """A new UIDVALIDITY means the server renumbered the folder: read it again from the start
    (copies already read are recognised by their Message-ID)."""
    if mailbox.uidvalidity != uidvalidity:
        Mailbox.objects.filter(pk=mailbox.pk).update(uidvalidity=uidvalidity, last_uid=0)
        mailbox.uidvalidity, mailbox.last_uid = uidvalidity, 0
    return mailbox


def polled(mailbox: Mailbox, error: str = "") -> None:
    Mailbox.objects.filter(pk=mailbox.pk).update(
        last_polled_at=timezone.now(), last_error=error[:2000]
    )


# --- Automatic answers -------------------------------------------------------------------------


def _answer(message: InboundMessage, parsed: Any, kind: str, context: dict, *, person: Any) -> None:
    """An automatic answer to the sender, in their language, unless their address is known to
    bounce."""
    if not message.sender or FailingAddress.objects.filter(email=message.sender).exists():
        return
    if person is None or person.email.lower() != message.sender:
        # The person the message was about may not be its sender (a forged reply address).
        person = routing.person_by_email(message.sender)
    notification_services.queue_automatic_answer(
        email=message.sender,
        language=actions.language_for(parsed, person),
        kind=kind,
        context={**context, "site_url": settings.SITE_URL},
        in_reply_to=message.message_id,
        dedup=f"inbound-{message.pk}-{kind}"[:64],
    )
