"""An inbound email read into plain data: addresses, threading headers, the new text, attachments,
and whether a machine sent it.

Pure: no database, no network, no settings. The gateway decides what a message does; this module
only reads it, and never raises on broken MIME: it returns what can be read (a message that cannot
be read at all gives empty text and no attachment).
"""

from __future__ import annotations

import email
import email.parser
import logging
import mimetypes
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from email import policy
from email.message import Message

from accounts.text import clean_line, clean_multiline
from mailgateway import automatic as automatic_module
from mailgateway import mail_headers
from mailgateway.html_text import html_to_text
from mailgateway.reply_text import REPLY_MARKER, strip_reply, unflow

__all__ = ["REPLY_MARKER", "InboundAttachment", "ParsedMessage", "parse_message"]

MAX_NAME_LENGTH = 255

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class InboundAttachment:
    """A file of the message. `name` is safe to show (one line, no path, never empty); `inline`
    marks an image shown inside the HTML (a cid: image), kept as an attachment all the same."""

    name: str
    content_type: str
    content: bytes
    inline: bool


@dataclass(frozen=True)
class ParsedMessage:
    """One message as the gateway needs it. Addresses are lower case; ids keep their angle
    brackets; `text` is what the sender typed (history, our reply marker and signatures cut),
    `full_text` the whole body as text (a new ticket by email quotes nothing); `automatic` says
    why a machine sent it ("" for a person), and `bounce_recipients` which addresses failed."""

    message_id: str = ""
    in_reply_to: tuple[str, ...] = ()
    references: tuple[str, ...] = ()
    sender: str = ""
    sender_name: str = ""
    reply_to: str = ""
    recipients: tuple[str, ...] = ()
    subject: str = ""
    date: datetime | None = None
    language: str = ""
    text: str = ""
    full_text: str = ""
    attachments: tuple[InboundAttachment, ...] = field(default=())
    automatic: str = ""
    bounce_recipients: tuple[str, ...] = ()
    size: int = 0


def parse_message(raw: bytes) -> ParsedMessage:
    """Everything the gateway needs from one RFC 5322 message, as read from the mailbox."""
    policies = (policy.default, policy.compat32)
    if any(len(value) > _LONG_MIME_HEADER for value in _MIME_HEADER.findall(raw)):
        # The modern header parser takes quadratic time on thousands of parameters.
        policies = (policy.compat32,)
    for mail_policy in policies:
        try:
            return _read(email.message_from_bytes(raw, policy=mail_policy), raw)
        except Exception as error:  # noqa: BLE001 - the next policy, else nothing; never raises
            logger.warning(
                "Inbound message unreadable with %s: %r",
                type(mail_policy).__name__,
                error,
                exc_info=not isinstance(error, RecursionError),
            )
    try:
        # Nested past the parser's recursion limit: the headers still say who wrote and why.
        headers = email.parser.BytesParser(policy=policy.compat32).parsebytes(raw, headersonly=True)
        return _read(headers, raw, with_body=False)
    except Exception:  # noqa: BLE001 - nothing readable: the caller decides
        return ParsedMessage(size=len(raw))


# A Content-Type or Content-Disposition header with its continuation lines, anywhere in the raw
# message (a part's headers too); real ones hold a few hundred characters.
_MIME_HEADER = re.compile(
    rb"^content-(?:type|disposition)[ \t]*:[^\r\n]*(?:\r?\n[ \t][^\r\n]*)*",
    re.IGNORECASE | re.MULTILINE,
)
_LONG_MIME_HEADER = 8192


def _read(message: Message, raw: bytes, *, with_body: bool = True) -> ParsedMessage:
    body = _Body()
    if with_body:
        body.walk(message)
    plain = body.text()
    sender_name, sender = mail_headers.first_address(message, "From")
    recipients: list[str] = []
    for name in ("To", "Cc", "Delivered-To", "X-Original-To", "Envelope-To"):
        recipients.extend(address for _, address in mail_headers.addresses(message, name))
    automatic = automatic_module.automatic_reason(message, sender, body)

    def ids(name: str) -> tuple[str, ...]:
        return mail_headers.message_ids(mail_headers.header(message, name))

    return ParsedMessage(
        message_id=next(iter(ids("Message-ID")), ""),
        in_reply_to=ids("In-Reply-To"),
        references=ids("References"),
        sender=sender,
        sender_name=sender_name,
        reply_to=mail_headers.first_address(message, "Reply-To")[1],
        recipients=tuple(dict.fromkeys(recipients)),
        subject=clean_line(mail_headers.header(message, "Subject")),
        date=mail_headers.date(mail_headers.header(message, "Date")),
        language=clean_line(mail_headers.header(message, "Content-Language").split(",")[0]),
        text=strip_reply(plain) if plain else "",
        full_text=plain,
        attachments=tuple(body.attachments),
        automatic=automatic,
        bounce_recipients=automatic_module.bounce_recipients(body) if automatic == "bounce" else (),
        size=len(raw),
    )


# Bodies -----------------------------------------------------------------------------------------


def _charset_of(part: Message) -> str | None:
    try:
        return part.get_content_charset()
    except Exception:  # noqa: BLE001 - a malformed parameter means no declared charset
        return None


def _payload_bytes(part: Message) -> bytes:
    try:
        data = part.get_payload(decode=True)
    except Exception:  # noqa: BLE001 - broken transfer encoding: keep what was written
        data = None
    if isinstance(data, bytes):
        return data
    payload = part.get_payload()
    if isinstance(payload, str):
        return payload.encode("utf-8", "surrogateescape")
    return b""


def _decoded(part: Message) -> str:
    return mail_headers.decode_bytes(_payload_bytes(part), _charset_of(part))


def _part_text(part: Message) -> str:
    text = _decoded(part)
    if part.get_content_subtype() == "html":
        return html_to_text(text)
    params = {key.lower(): value.lower() for key, value in _params(part)}
    if params.get("format") == "flowed":
        text = unflow(text, delsp=params.get("delsp") == "yes")
    return text


def _params(part: Message) -> list[tuple[str, str]]:
    try:
        return [(key, str(value)) for key, value in part.get_params() or []]
    except Exception:  # noqa: BLE001
        return []


def _disposition(part: Message) -> str:
    try:
        return (part.get_content_disposition() or "").lower()
    except Exception:  # noqa: BLE001
        return ""


def _filename(part: Message) -> str:
    try:
        name = part.get_filename() or part.get_param("name") or ""
    except Exception:  # noqa: BLE001
        name = ""
    if isinstance(name, tuple):  # compat32 gives RFC 2231 values as (charset, lang, value)
        name = email.utils.collapse_rfc2231_value(name)
    return mail_headers.decode_words(mail_headers.decode_8bit(str(name)))


_CID_PLACEHOLDER = re.compile(r"^[ \t]*\[cid:[^\]\n]*\][ \t]*$", re.MULTILINE)
# The machine-readable part of a read receipt or an abuse report: nothing for a person.
_REPORT_TYPES = {"message/disposition-notification", "message/feedback-report"}
_SIGNATURE_TYPES = {
    "application/pkcs7-signature",
    "application/x-pkcs7-signature",
    "application/pgp-signature",
}


class _Body:
    """One walk over the MIME tree: body texts in reading order, attachments, report parts."""

    def __init__(self) -> None:
        self.texts: list[str] = []
        self.attachments: list[InboundAttachment] = []
        self.seen: set[tuple[str, bytes]] = set()
        self.delivery_status: list[Message] = []
        self.original_headers: list[Message] = []
        self.is_report = ""

    def text(self) -> str:
        text = "\n\n".join(t.strip("\r\n") for t in self.texts if t.strip())
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        # Outlook writes "[cid:image001.png@...]" where an inline image was: it is an attachment.
        text = _CID_PLACEHOLDER.sub("", text)
        return clean_multiline(text).strip()

    def walk(
        self, part: Message, depth: int = 0, inline_context: bool = False, texts: bool = True
    ) -> None:
        """Read `part`; with `texts` false only its attachments are kept (an alternative that
        is not the one read still carries the inline images of an HTML version)."""
        if depth > 30:
            return
        content_type = part.get_content_type()
        if content_type == "message/delivery-status":
            self._delivery_status(part)
            return
        if content_type in {"message/rfc822", "text/rfc822-headers"} and self.is_report:
            self._original(part)
            return
        if content_type in _REPORT_TYPES:
            return
        if content_type in _SIGNATURE_TYPES:
            return
        maintype = content_type.partition("/")[0]
        if maintype == "multipart":
            self._multipart(part, depth, inline_context, texts)
            return
        disposition = _disposition(part)
        name = _filename(part)
        # An invitation's text/calendar is a file for people, not text to read.
        is_text = maintype == "text" and content_type != "text/calendar"
        if is_text and disposition != "attachment" and not name:
            if texts:
                self.texts.append(_part_text(part))
            return
        self._attach(part, content_type, name, disposition, inline_context)

    def _multipart(self, part: Message, depth: int, inline_context: bool, texts: bool) -> None:
        children = part.get_payload()
        if not isinstance(children, list):
            repaired = _with_guessed_boundary(part)
            if repaired is not None:
                self._multipart(repaired, depth + 1, inline_context, texts)
            elif texts:
                # A multipart whose parts cannot be found: its payload is all there is.
                self.texts.append(_decoded(part))
            return
        children = [child for child in children if isinstance(child, Message)]
        subtype = part.get_content_subtype()
        if subtype == "report":
            self.is_report = (part.get_param("report-type") or "").lower()
        if subtype == "alternative" and children:
            best = _best_alternative(children)
            for child in children:
                self.walk(child, depth + 1, inline_context, texts and child is best)
            return
        if subtype == "related" and children:
            self.walk(children[0], depth + 1, inline_context, texts)
            for child in children[1:]:
                self.walk(child, depth + 1, True, texts)
            return
        for child in children:
            self.walk(child, depth + 1, inline_context, texts)

    def _attach(
        self, part: Message, content_type: str, name: str, disposition: str, inline_context: bool
    ) -> None:
        if content_type == "message/rfc822":
            payload = part.get_payload()
            inner = payload[0] if isinstance(payload, list) and payload else None
            content = inner.as_bytes() if isinstance(inner, Message) else _payload_bytes(part)
            if isinstance(inner, Message):
                self.original_headers.append(inner)
            if not name and isinstance(inner, Message):
                subject = mail_headers.header(inner, "Subject").replace("/", "-")
                name = (subject.replace("\\", "-").strip(" .") or "message") + ".eml"
        else:
            content = _payload_bytes(part)
        if content_type in {"application/ms-tnef", "application/vnd.ms-tnef"}:
            name = "winmail.dat"
        inline = disposition == "inline" or (inline_context and disposition != "attachment")
        inline = inline and content_type.startswith("image/")
        attachment = InboundAttachment(
            name=_clean_filename(name, content_type),
            content_type=content_type,
            content=content,
            inline=inline,
        )
        # An invitation carries the same .ics as an alternative and as an attachment: keep one.
        key = (attachment.name, content.replace(b"\r\n", b"\n"))
        if key not in self.seen:
            self.seen.add(key)
            self.attachments.append(attachment)

    def _delivery_status(self, part: Message) -> None:
        payload = part.get_payload()
        if isinstance(payload, list):
            self.delivery_status.extend(p for p in payload if isinstance(p, Message))
            return
        # Some senders base64 the report: read its blocks as header sets.
        text = mail_headers.decode_bytes(_payload_bytes(part), None)
        for block in re.split(r"\r?\n\r?\n", text):
            if block.strip():
                self.delivery_status.append(email.message_from_string(block.strip() + "\n"))

    def _original(self, part: Message) -> None:
        payload = part.get_payload()
        if isinstance(payload, list) and payload and isinstance(payload[0], Message):
            self.original_headers.append(payload[0])
        else:
            text = mail_headers.decode_bytes(_payload_bytes(part), None)
            self.original_headers.append(email.message_from_string(text))


_BOUNDARY_LINE = re.compile(rb"^--([0-9A-Za-z'()+_,./:=?-]{1,70})[ \t]*\r?$", re.MULTILINE)


def _with_guessed_boundary(part: Message) -> Message | None:
    """The multipart re-read with the boundary its body uses, when its header lost it."""
    body = _payload_bytes(part)
    found = _BOUNDARY_LINE.search(body)
    if not found:
        return None
    boundary = found.group(1).decode("ascii")
    header = f'Content-Type: {part.get_content_type()}; boundary="{boundary}"\r\n\r\n'
    repaired = email.message_from_bytes(header.encode("ascii") + body, policy=policy.default)
    return repaired if isinstance(repaired.get_payload(), list) else None


def _best_alternative(children: list[Message]) -> Message:
    """The plain text alternative when it says something, else the HTML one, else the last."""
    by_type = {child.get_content_type(): child for child in children}
    plain = by_type.get("text/plain")
    if plain is not None and _decoded(plain).strip():
        return plain
    for child in children:
        if child.get_content_type() == "text/html" or child.is_multipart():
            return child
    return children[-1]


def _clean_filename(name: str, content_type: str) -> str:
    """A name safe to show and to offer for download: last path component, one line, no control
    characters, at most 255 characters with the extension kept; a name from the type otherwise."""
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = clean_line(unicodedata.normalize("NFC", name))
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip(" .")
    if not name:
        extension = {"text/calendar": ".ics", "message/rfc822": ".eml"}.get(content_type)
        extension = extension or mimetypes.guess_extension(content_type) or ".bin"
        stem = {"text/calendar": "invite", "message/rfc822": "message"}.get(content_type)
        name = (stem or content_type.split("/")[0] or "attachment") + extension
    if len(name) > MAX_NAME_LENGTH:
        stem, dot, extension = name.rpartition(".")
        extension = extension[:16] if dot and len(extension) <= 16 else ""
        keep = MAX_NAME_LENGTH - (len(extension) + 1 if extension else 0)
        name = (stem if extension else name)[:keep] + (f".{extension}" if extension else "")
    return name
