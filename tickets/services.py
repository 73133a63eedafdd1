"""Writes on tickets that are not status changes: filing a ticket, comments, files.

Like the moves in `tickets.workflow`, each function checks `tickets.permissions` (refusing with
the same 403 / 409 split, `workflow.refusal`), writes in one transaction, records its timeline
event through `tickets.events` and hands it to `notifications.notify`. A requester's answer to a
question also moves the ticket back to the agent (`workflow.receive_info`), in the same
transaction.
"""

from __future__ import annotations

import logging
import mimetypes
import os
import unicodedata
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils.formats import number_format
from django.utils.translation import gettext as _

import notifications
from accounts.text import clean_line
from categories.models import Category
from tickets import events, permissions, workflow
from tickets.exceptions import TextRequired, TransitionRefused
from tickets.models import Attachment, Ticket, TicketEvent
from tickets.moves import MOVES, Move

logger = logging.getLogger(__name__)

try:  # the S3 storage's errors (django-storages[s3] brings botocore)
    from botocore.exceptions import BotoCoreError, ClientError

    # What a file storage raises when it cannot keep a file: a full or read-only disk, an S3
    # server that does not answer, a missing bucket, refused credentials.
    STORAGE_ERRORS: tuple[type[Exception], ...] = (OSError, BotoCoreError, ClientError)
except ImportError:  # pragma: no cover - without botocore only the file system stores files
    STORAGE_ERRORS = (OSError,)

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
MAX_NAME_LENGTH = 255

# Leading bytes of content never accepted, whatever the file's name: programs and documents a
# browser would run or render (served as downloads anyway, but they have no business here).
FORBIDDEN_PREFIXES = (
    b"MZ",  # Windows executables
    b"\x7fELF",  # Linux executables
    b"\xca\xfe\xba\xbe",  # Mach-O / Java classes
    b"\xcf\xfa\xed\xfe",  # Mach-O 64-bit
    b"#!",  # scripts
)
FORBIDDEN_MARKUP = (b"<html", b"<!doctype html", b"<svg", b"<script", b"<?php", b"<iframe")

# Extensions whose content has a known signature: a file whose first bytes do not match is refused.
SIGNATURES: dict[str, tuple[bytes, ...]] = {
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "gif": (b"GIF87a", b"GIF89a"),
    "webp": (b"RIFF",),
    "pdf": (b"%PDF-",),
    "zip": (b"PK\x03\x04", b"PK\x05\x06"),
    "docx": (b"PK\x03\x04",),
    "xlsx": (b"PK\x03\x04",),
    "pptx": (b"PK\x03\x04",),
    "odt": (b"PK\x03\x04",),
    "ods": (b"PK\x03\x04",),
    "odp": (b"PK\x03\x04",),
    "doc": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",),
    "xls": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",),
    "ppt": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",),
}
SNIFF_BYTES = 1024


# --- Tickets ---------------------------------------------------------------------------------


@transaction.atomic
def ticket_create(
    *,
    requester: Any,
    category: Category,
    subject: str,
    description: str,
    priority: int | None = None,
    files: Iterable[File] = (),
    origin: str = Ticket.Origin.WEB,
    filed_by: Any = None,
    internal_note: str = "",
) -> Ticket:
    """Files a ticket in an active category; the category decides the service. The priority is
    kept only where the service lets requesters choose it. Files are checked before anything is
    written.

    `filed_by`: the agent filing it for the requester (a phone call, the counter), who is the
    timeline's actor of its creation; the requester owns it and gets the receipt, and the agent's
    optional `internal_note` is for the service alone. The permanent invitees of the category and
    of the service are invited to it."""
    files = list(files)
    for upload in files:
        validate_upload(upload)
    category = Category.objects.select_related("handling_service").get(pk=category.pk)
    service = category.handling_service
    if not category.is_active or service is None or not service.is_active:
        raise ValidationError(
            _("Tickets cannot be filed in the category “%(category)s”."),
            code="inactive_category",
            params={"category": category.name},
        )
    subject = (subject or "").strip()
    description = (description or "").strip()
    if not subject or not description:
        raise ValidationError(_("A ticket needs a subject and a description."), code="required")
    chosen = Ticket.Priority.NORMAL
    if priority is not None and service.requester_can_set_priority:
        chosen = Ticket.Priority(int(priority))
    ticket = Ticket.objects.create(
        requester=requester,
        category=category,
        service=service,
        subject=subject[:200],
        description=description,
        priority=chosen,
        origin=Ticket.Origin(origin),
        filed_by=filed_by,
    )
    author = filed_by or requester
    event = events.created(ticket=ticket, actor=author)
    for upload in files:
        _store_attachment(ticket=ticket, uploader=author, file=upload, internal=False)
    internal_note = (internal_note or "").strip()
    if filed_by is not None and internal_note:
        events.comment(ticket=ticket, actor=filed_by, text=internal_note, internal=True)
    notifications.notify(event)
    workflow.invite_permanent_invitees(ticket)
    from tickets import assignment  # assignment moves the ticket through tickets.workflow

    if assignment.auto_assign(ticket) is not None:
        ticket.refresh_from_db()
    return ticket


# --- Comments --------------------------------------------------------------------------------


@transaction.atomic
def comment_add(
    *,
    ticket: Ticket,
    author: Any,
    text: str,
    internal: bool = False,
    files: Iterable[File] = (),
) -> TicketEvent:
    """A public message (requester or agents) or an internal note (agents only), with optional
    files of the same visibility. A requester's message on a ticket waiting for information
    answers the question and sends the ticket back to the agent."""
    files = list(files)
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    move = Move.INTERNAL_NOTE if internal else Move.COMMENT
    if not permissions.can(move, ticket, author):
        raise workflow.refusal(
            move,
            ticket,
            author,
            conflict=_("Messages can no longer be added: the ticket's status is now “%(status)s”."),
        )
    text = (text or "").strip()
    if not text and not files:
        raise TextRequired(str(MOVES[move].text_required))
    for upload in files:
        validate_upload(upload)
    event = events.comment(ticket=ticket, actor=author, text=text, internal=internal)
    for upload in files:
        _store_attachment(ticket=ticket, uploader=author, file=upload, internal=internal)
    notifications.notify(event)
    if not internal and permissions.can_receive_info(ticket, author):
        workflow.receive_info(ticket=ticket, actor=author, answer_event=event)
    return event


# --- Attachments -----------------------------------------------------------------------------


@transaction.atomic
def attachment_add(
    *, ticket: Ticket, uploader: Any, file: File, internal: bool = False
) -> Attachment:
    """Adds one file to the ticket (internal files are seen by agents only)."""
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if internal and not permissions.can_view_internal(ticket, uploader):
        raise TransitionRefused(
            _("You are not allowed to do this on this ticket."), TransitionRefused.FORBIDDEN
        )
    if not permissions.can(Move.ATTACHMENT, ticket, uploader):
        raise workflow.refusal(
            Move.ATTACHMENT,
            ticket,
            uploader,
            conflict=_("Files can no longer be added: the ticket's status is now “%(status)s”."),
        )
    validate_upload(file)
    attachment, event = _store_attachment(
        ticket=ticket, uploader=uploader, file=file, internal=internal
    )
    notifications.notify(event)
    return attachment


@transaction.atomic
def attachments_add(
    *, ticket: Ticket, uploader: Any, files: Iterable[File], internal: bool = False
) -> list[Attachment]:
    """Adds several files to the ticket, all or none: a refused file leaves the ticket as it was."""
    return [
        attachment_add(ticket=ticket, uploader=uploader, file=file, internal=internal)
        for file in files
    ]


def _store_attachment(
    *, ticket: Ticket, uploader: Any, file: File, internal: bool
) -> tuple[Attachment, TicketEvent]:
    """Stores an already validated file under a random name and records its event."""
    name = sanitize_filename(getattr(file, "name", "") or "")
    attachment = Attachment(
        ticket=ticket,
        original_name=name,
        content_type=mimetypes.guess_type(name)[0] or "application/octet-stream",
        size=file.size,
        uploaded_by=uploader,
        visibility=(
            Attachment._meta.get_field("visibility").default
            if not internal
            else TicketEvent.Visibility.INTERNAL
        ),
    )
    file.seek(0)
    # upload_to ignores the name given here: the stored name is random. A storage that fails
    # becomes a form error; the caller's transaction then leaves no ticket or message half-made.
    try:
        attachment.file.save(name, file, save=False)
    except STORAGE_ERRORS as error:
        logger.error("Attachment storage failed for ticket %s: %r", ticket.pk, error)
        raise ValidationError(
            _(
                "The file “%(name)s” could not be stored: the file storage does not answer. "
                "Nothing was saved; please try again in a few minutes."
            ),
            code="file_storage_unavailable",
            params={"name": name},
        ) from error
    attachment.save()
    event = events.attachment_added(ticket=ticket, actor=uploader, attachment=attachment)
    return attachment, event


def sanitize_filename(name: str) -> str:
    """The name shown to people: its last path component, without control characters, at most
    255 characters (the extension kept). Never used as a storage path."""
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = clean_line(unicodedata.normalize("NFC", name)).lstrip(".").strip()
    if not name:
        name = _("file")
    if len(name) > MAX_NAME_LENGTH:
        stem, ext = os.path.splitext(name)
        ext = ext[:16]
        name = stem[: MAX_NAME_LENGTH - len(ext)] + ext
    return name


def _max_bytes() -> int:
    return int(getattr(settings, "ATTACHMENT_MAX_BYTES", DEFAULT_MAX_BYTES))


def _allowed_extensions() -> list[str]:
    return [ext.lower().lstrip(".") for ext in settings.ATTACHMENT_ALLOWED_EXTENSIONS]


def human_size(size: int) -> str:
    """A size as people read it, in the active language ("10 MB", "10 Mo", "1.5 MB")."""
    for unit_size, unit in ((1024 * 1024 * 1024, _("GB")), (1024 * 1024, _("MB"))):
        if size >= unit_size:
            value = size / unit_size
            decimals = 0 if value == int(value) else 1
            return _("%(value)s %(unit)s") % {
                "value": number_format(value, decimal_pos=decimals),
                "unit": unit,
            }
    value = size / 1024
    decimals = 0 if value == int(value) else 1
    return _("%(value)s %(unit)s") % {
        "value": number_format(value, decimal_pos=decimals),
        "unit": _("KB"),
    }


def _head(file: File) -> bytes:
    file.seek(0)
    head = file.read(SNIFF_BYTES) or b""
    file.seek(0)
    if isinstance(head, str):
        head = head.encode("utf-8", "replace")
    return head


def validate_upload(file: File) -> None:
    """Refuses a file that is too big, of a type not accepted, or whose content is an executable,
    a web page or a script, or does not match its type. The message names the limit or the
    accepted types."""
    max_bytes = _max_bytes()
    if file.size is None or file.size > max_bytes:
        raise ValidationError(
            _("The file exceeds the maximum size of %(size)s."),
            code="file_too_large",
            params={"size": human_size(max_bytes)},
        )
    if file.size == 0:
        raise ValidationError(_("The file is empty."), code="file_empty")
    name = sanitize_filename(getattr(file, "name", "") or "")
    extension = os.path.splitext(name)[1].lower().lstrip(".")
    allowed = _allowed_extensions()
    if extension not in allowed:
        raise ValidationError(
            _("This type of file is not accepted. Accepted types: %(types)s."),
            code="file_type",
            params={"types": ", ".join(allowed)},
        )
    head = _head(file)
    probe = head.lstrip(b"\xef\xbb\xbf \t\r\n\x00").lower()
    if head.startswith(FORBIDDEN_PREFIXES) or probe.startswith(FORBIDDEN_MARKUP):
        raise ValidationError(
            _("This file's content is not accepted (programs, web pages and scripts are not)."),
            code="file_content",
        )
    signatures = SIGNATURES.get(extension)
    if signatures and head and not head.startswith(signatures):
        raise ValidationError(
            _("This file's content does not match its type (.%(extension)s)."),
            code="file_content",
            params={"extension": extension},
        )
