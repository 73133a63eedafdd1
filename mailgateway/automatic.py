"""Messages a machine sent: auto-replies, bounces, lists and receipts (RFC 3834 and the common
practice), and the addresses a bounce says failed. Such a message never becomes a comment."""

from __future__ import annotations

import re
from email.message import Message
from email.utils import getaddresses
from typing import Protocol

from mailgateway import mail_headers


class MessageBody(Protocol):
    """What the walk of the MIME tree found that tells a report apart."""

    is_report: str
    delivery_status: list[Message]
    original_headers: list[Message]


# A person may write "Absence de réseau": the words that also start a person's subject count
# only with the colon that auto-replies put after them.
_AUTO_SUBJECT = re.compile(
    r"^\s*(?:automatic reply|auto(?:matic)?[- ]?reply|auto-response|autoresponse"
    r"|réponse automatique|reponse automatique|respuesta automática|abwesenheitsnotiz"
    r"|(?:auto|out of (?:the )?office|absent|absente|absence|message d'absence|abwesend)\s*:)",
    re.IGNORECASE,
)
_BOUNCE_SUBJECT = re.compile(
    r"^\s*(?:undeliverable|undelivered mail|delivery status notification|mail delivery failed"
    r"|returned mail|delivery failure|non remis|non distribuable|échec de (?:la )?remise"
    r"|message non délivré)",
    re.IGNORECASE,
)
_DAEMONS = re.compile(r"^(?:mailer-daemon|postmaster|mail-daemon|mailerdaemon)@", re.IGNORECASE)


def automatic_reason(message: Message, sender: str, body: MessageBody) -> str:
    """Why a machine sent this message (RFC 3834 and the common practice), "" for a person."""

    def value(name: str) -> str:
        return mail_headers.header(message, name)

    subject = value("Subject")
    daemon = bool(_DAEMONS.match(sender))
    exchange_ndr = bool(mail_headers.raw_headers(message, "X-MS-Exchange-Message-Is-Ndr"))
    if body.is_report == "delivery-status" or exchange_ndr:
        return "bounce"
    if daemon and (body.original_headers or _BOUNCE_SUBJECT.match(subject)):
        return "bounce"
    if body.is_report == "disposition-notification":
        return "read-receipt"
    if daemon:
        return "mailer-daemon"
    auto_submitted = value("Auto-Submitted").lower().split(";")[0].split("(")[0].strip()
    if auto_submitted and auto_submitted != "no":
        return "auto-submitted"
    if value("X-Autoreply") or value("X-Autorespond"):
        return "x-autoreply"
    precedence = value("Precedence").lower()
    if precedence in {"bulk", "junk"}:
        return "precedence-bulk"
    if precedence == "list" or value("List-Id") or value("List-Unsubscribe"):
        return "list"
    if _AUTO_SUBJECT.match(subject):
        return "out-of-office"
    if value("Return-Path") == "<>":
        return "null-sender"
    return ""


def bounce_recipients(body: MessageBody) -> tuple[str, ...]:
    """The addresses a delivery report says failed (Final-Recipient, else Original-Recipient),
    else the To of the returned message."""
    failed: list[str] = []
    for block in body.delivery_status:
        recipient = str(block.get("Final-Recipient") or block.get("Original-Recipient") or "")
        action = str(block.get("Action") or "failed").strip().lower()
        address = recipient.split(";", 1)[-1].strip().strip("<>").lower()
        if action == "failed" and "@" in address:
            failed.append(address)
    if not failed:
        for headers in body.original_headers:
            for _, address in getaddresses([str(v) for v in headers.get_all("To") or []]):
                if "@" in address:
                    failed.append(address.lower())
    return tuple(dict.fromkeys(failed))
