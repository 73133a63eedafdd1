"""Emails printed for a person to read, in development: `make run` sends mail to the console.

Django's console backend prints the raw MIME message: encoded subjects (``=?utf-8?q?...``) and the
whole HTML part. A developer trying the helpdesk wants who, what and the link to follow.
"""

from __future__ import annotations

from email.header import decode_header, make_header

from django.core.mail.backends.console import EmailBackend as DjangoConsoleBackend
from django.core.mail.message import EmailMessage


def readable(message: EmailMessage) -> str:
    """Sender, recipients, subject and the plain-text body, as a mail client would show them."""
    mime = message.message()
    subject = str(make_header(decode_header(mime["Subject"] or "")))
    lines = [
        f"From:    {message.from_email}",
        f"To:      {', '.join(message.to)}",
    ]
    if message.reply_to:
        lines.append(f"Reply-To: {', '.join(message.reply_to)}")
    lines += [f"Subject: {subject}", "", message.body.rstrip()]
    alternatives = getattr(message, "alternatives", None) or []
    for alternative in alternatives:
        content, mimetype = alternative[0], alternative[1]
        lines.append(f"\n[{mimetype} version: {len(content)} characters, not printed]")
    for attachment in message.attachments:
        name = attachment[0] if isinstance(attachment, tuple) else attachment.get_filename()
        lines.append(f"[attachment: {name}]")
    return "\n".join(lines)


class EmailBackend(DjangoConsoleBackend):
    """Writes each message as `readable` renders it, followed by a rule as Django's does."""

    def write_message(self, message: EmailMessage) -> None:
        self.stream.write(f"{readable(message)}\n{'-' * 79}\n")
