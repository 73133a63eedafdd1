"""Where an incoming message goes: ignored, a bounce, a reply to a ticket, a forged reply, or a
new ticket. Reads only; `mailgateway.services` applies the answer.

A reply is matched, in this order, by the signed reply address among the recipients (the token
names the ticket and the person, and the sender must be that person), then by our Message-IDs in
In-Reply-To / References, then by the "[<EMAIL_SUBJECT_TAG> #N]" tag in the subject; the last two
only for a sender who may comment on that ticket.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from email.utils import parseaddr
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model

from mailgateway import references
from notifications import emails, reply_address, unsubscribe
from tickets import permissions
from tickets.models import Ticket
from tickets.moves import Move


class Way(enum.StrEnum):
    IGNORE = "ignore"
    UNSUBSCRIBE = "unsubscribe"
    BOUNCE = "bounce"
    REPLY = "reply"
    FORGED = "forged"
    NEW = "new"


@dataclass(frozen=True)
class Route:
    way: Way
    reason: str = ""
    ticket: Ticket | None = None
    person: Any = None
    matched_by: str = ""


def _ids(value: Any) -> list[str]:
    if not value:
        return []
    if isinstance(value, str):
        return references.split_ids(value) or [value.strip()]
    return [str(item).strip() for item in value if item]


def sender_of(parsed: Any) -> str:
    return (parseaddr(parsed.sender or "")[1] or "").strip().lower()


def our_address() -> str:
    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1].lower()


def is_own_message(parsed: Any) -> bool:
    """A message the helpdesk sent itself (by its Message-ID or its sending address)."""
    if references.is_ours(parsed.message_id or ""):
        return True
    sender = sender_of(parsed)
    return bool(sender) and sender in {our_address(), settings.INBOUND_REPLY_ADDRESS.lower()}


def person_by_email(email: str) -> Any:
    if not email:
        return None
    return get_user_model().objects.filter(email__iexact=email, is_active=True).first()


def _ticket(ticket_id: int) -> Ticket | None:
    """The ticket a reply is about; a reply to a merged duplicate goes to the ticket it was
    merged into (whose invitee its requester became)."""
    for _hop in range(5):
        ticket = (
            Ticket.objects.select_related("service", "category", "requester")
            .filter(pk=ticket_id)
            .first()
        )
        if ticket is None or ticket.status != Ticket.Status.MERGED or not ticket.merged_into_id:
            return ticket
        ticket_id = ticket.merged_into_id
    return ticket


def _commenter(ticket: Ticket | None, person: Any) -> bool:
    """The person is a party who may comment on this ticket (whatever its current status: the
    status decides later whether the comment is accepted)."""
    return (
        ticket is not None
        and person is not None
        and permissions.may_act(Move.COMMENT, ticket, person)
    )


def route(parsed: Any) -> Route:
    """The way of one parsed message (`mailgateway.parsing.ParsedMessage`)."""
    if is_own_message(parsed):
        return Route(Way.IGNORE, reason="own message")
    if parsed.automatic == "bounce":
        return Route(Way.BOUNCE, reason="bounce")
    if parsed.automatic:
        return Route(Way.IGNORE, reason=f"automatic: {parsed.automatic}")
    token = unsubscribe.token_in_subject(parsed.subject or "")
    if token:
        return Route(Way.UNSUBSCRIBE, reason=token)
    sender = sender_of(parsed)
    for address in parsed.recipients or ():
        token = reply_address.read_token(address)
        if token is None:
            continue
        ticket = _ticket(token.ticket_id)
        person = get_user_model().objects.filter(pk=token.person_id).first()
        if ticket is None or person is None:
            continue
        if person.email.lower() != sender:
            return Route(Way.FORGED, ticket=ticket, reason="reply address of another person")
        if not person.is_active:
            return Route(Way.IGNORE, reason="the person's account is inactive")
        return Route(Way.REPLY, ticket=ticket, person=person, matched_by="reply address")
    person = person_by_email(sender)
    thread = _ids(parsed.in_reply_to) + _ids(parsed.references)
    for ticket_id in references.ticket_ids_in(thread):
        ticket = _ticket(ticket_id)
        if _commenter(ticket, person):
            return Route(Way.REPLY, ticket=ticket, person=person, matched_by="thread")
    ticket_id = emails.ticket_id_in_subject(parsed.subject or "")
    if ticket_id is not None:
        ticket = _ticket(ticket_id)
        if _commenter(ticket, person):
            return Route(Way.REPLY, ticket=ticket, person=person, matched_by="subject")
    return Route(Way.NEW, person=person)
