"""What a message does on the tickets, through the same functions as the web pages: a reply
becomes a comment (`tickets.services.comment_add`, which moves a requester's answer back to the
agent), a new message files a ticket (`ticket_create`, origin email). Each returns an `Outcome`:
the status `mailgateway.services` records, and the automatic answers it sends."""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.text import clean_line
from mailgateway import routing
from mailgateway.models import InboundMessage, Mailbox
from notifications import emails
from tickets import permissions
from tickets import services as ticket_services
from tickets.exceptions import TransitionRefused
from tickets.models import Ticket

Status = InboundMessage.Status
Policy = Mailbox.UnknownSenderPolicy


@dataclass
class Outcome:
    status: str
    outcome: str
    ticket: Ticket | None = None
    event: Any = None
    keep_raw: bool = False
    person: Any = None
    answers: list[tuple[str, dict]] = field(default_factory=list)


# --- Replies -----------------------------------------------------------------------------------


def reply(route: routing.Route, parsed: Any, context: dict) -> Outcome:
    """The reply as the person's comment, or a refusal the page would give, and nothing else."""
    ticket, person = route.ticket, route.person
    language = language_for(parsed, person)
    files, refused = _files(parsed, language)
    text = (parsed.text or "").strip()
    if ticket.is_terminal:
        return _refused(ticket, person, "closed", context)
    if not text and not files:
        return _refused(ticket, person, "empty", context)
    was_closure_pending = ticket.status == Ticket.Status.CLOSURE_PENDING
    try:
        event = ticket_services.comment_add(ticket=ticket, author=person, text=text, files=files)
    except (TransitionRefused, ValidationError) as error:
        with translation.override(language):
            detail = message_of(error)
        return _refused(ticket, person, "refused_move", {**context, "detail": detail})
    outcome = Outcome(
        Status.PROCESSED, f"comment by {route.matched_by}", ticket=ticket, event=event
    )
    outcome.person = person
    notes: dict = {}
    if refused:
        notes["refused_files"] = refused
    if was_closure_pending and permissions.can_approve_closure(ticket, person):
        notes["closure_url"] = emails.closure_url(ticket)
    if notes:
        outcome.answers.append(("inbound_received", {**context, **notes}))
    return outcome


def _refused(ticket: Ticket, person: Any, reason: str, context: dict) -> Outcome:
    outcome = Outcome(
        Status.REFUSED,
        reason,
        ticket=ticket,
        answers=[("inbound_refused", {**context, "reason": reason})],
    )
    outcome.person = person
    return outcome


def message_of(error: Exception) -> str:
    """The sentence a refusal shows people."""
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error)


# --- New tickets -------------------------------------------------------------------------------


def new_ticket(
    mailbox: Mailbox, route: routing.Route, parsed: Any, message: InboundMessage, context: dict
) -> Outcome:
    """A message that matches no ticket: filed for its sender, or the unknown sender's policy."""
    person = route.person
    if person is None:
        policy = mailbox.unknown_sender_policy
        if policy == Policy.HOLD:
            return Outcome(Status.HELD, "unknown sender: held for an agent", keep_raw=True)
        if policy == Policy.EXPLAIN:
            return Outcome(
                Status.REFUSED,
                "unknown sender: told how to file a ticket on the web",
                answers=[("inbound_explain", {**context, "create_url": _create_url()})],
            )
        person = _account_for(message.sender, parsed)
    if not person.is_active:
        # A closed account: an agent decides, as the sign-in page would refuse the person.
        return Outcome(Status.HELD, "the sender's account is inactive", keep_raw=True)
    return file_ticket(mailbox=mailbox, person=person, parsed=parsed, context=context)


def file_ticket(*, mailbox: Mailbox, person: Any, parsed: Any, context: dict) -> Outcome:
    """Files the message as a new ticket of the mailbox's category for `person`."""
    language = language_for(parsed, person)
    files, refused = _files(parsed, language)
    subject = clean_line(parsed.subject or "").strip()
    description = (parsed.full_text or parsed.text or "").strip()
    if not description and not files:
        outcome = Outcome(
            Status.REFUSED, "empty", answers=[("inbound_refused", {**context, "reason": "empty"})]
        )
        outcome.person = person
        return outcome
    with translation.override(language):
        subject = subject or _("(no subject)")
        description = description or _("(see the attached files)")
    try:
        ticket = ticket_services.ticket_create(
            requester=person,
            category=mailbox.category,
            subject=subject,
            description=description,
            files=files,
            origin=Ticket.Origin.EMAIL,
        )
    except ValidationError as error:
        # The mailbox's category or service is closed: an agent decides what to do with it.
        return Outcome(Status.HELD, f"not filed: {message_of(error)}", keep_raw=True)
    outcome = Outcome(Status.PROCESSED, "new ticket", ticket=ticket)
    outcome.person = person
    if refused:
        outcome.answers.append(
            (
                "inbound_received",
                {
                    **context,
                    "reference": ticket.reference,
                    "ticket_url": emails.ticket_url(ticket),
                    "refused_files": refused,
                },
            )
        )
    return outcome


def _account_for(email: str, parsed: Any) -> Any:
    """The person's account, created without a password (they sign in through the SSO or ask
    for a password) when there is none; an existing one is found whatever the case."""
    users = get_user_model().objects
    existing = users.filter(email__iexact=email).first()
    if existing is not None:
        return existing
    return users.create_user(
        email=email,
        password=None,
        full_name=clean_line(parsed.sender_name or "")[:200],
        preferred_language=language_for(parsed, None),
    )


def _create_url() -> str:
    return emails.absolute_url(reverse("tickets:create"))


# --- Language and files --------------------------------------------------------------------------


def language_for(parsed: Any, person: Any) -> str:
    """The person's language, else the message's, else the site's."""
    codes = {code for code, _name in settings.LANGUAGES}
    if person is not None and getattr(person, "preferred_language", "") in codes:
        return person.preferred_language
    language = (getattr(parsed, "language", "") or "")[:2].lower()
    return language if language in codes else settings.LANGUAGE_CODE


def _files(parsed: Any, language: str) -> tuple[list[ContentFile], list[dict]]:
    """The message's files that pass the upload checks, and the others with the reason."""
    accepted, refused = [], []
    for index, attachment in enumerate(parsed.attachments or (), start=1):
        name = attachment.name or _default_name(attachment.content_type, index)
        upload = ContentFile(attachment.content, name=name)
        try:
            with translation.override(language):
                ticket_services.validate_upload(upload)
        except ValidationError as error:
            with translation.override(language):
                refused.append({"name": name, "reason": message_of(error)})
            continue
        accepted.append(upload)
    return accepted, refused


def _default_name(content_type: str, index: int) -> str:
    extension = mimetypes.guess_extension(content_type or "") or ".bin"
    return (
        f"image-{index}{extension}"
        if (content_type or "").startswith("image/")
        else f"file-{index}{extension}"
    )
