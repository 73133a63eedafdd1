"""Reading a mailbox over IMAP (IMAPClient).

Messages are read by UID above the last one read, and each is recorded and applied in its own
transaction (`services.receive`) before it is flagged \\Seen: a crash after the commit leaves an
unflagged message whose row exists (read again, it is skipped), a crash before the commit leaves
nothing (read again, it is processed). The flag is for people looking at the mailbox; the rows and
the last UID are what the helpdesk goes by.
"""

from __future__ import annotations

import os
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured
from imapclient import IMAPClient

from mailgateway import services
from mailgateway.models import Mailbox

TIMEOUT_SECONDS = 30
# Messages fetched per IMAP command: fewer round trips, bounded memory.
FETCH_BATCH = 25
HEADER = b"BODY[HEADER]"
BODY = b"BODY[]"


@dataclass
class PollResult:
    read: int = 0
    processed: int = 0


def password_of(mailbox: Mailbox) -> str:
    password = os.environ.get(mailbox.password_env or "", "")
    if not password:
        raise ImproperlyConfigured(
            f"The environment variable {mailbox.password_env!r} holding the password of mailbox "
            f"{mailbox.name!r} is not set."
        )
    return password


@contextmanager
def connect(mailbox: Mailbox) -> Iterator[IMAPClient]:
    """A logged-in connection to the mailbox's server, closed at the end."""
    context = ssl.create_default_context()
    use_ssl = mailbox.security == Mailbox.Security.SSL
    client = IMAPClient(
        mailbox.host,
        port=mailbox.port,
        ssl=use_ssl,
        ssl_context=context if use_ssl else None,
        timeout=TIMEOUT_SECONDS,
    )
    try:
        if mailbox.security == Mailbox.Security.STARTTLS:
            client.starttls(context)
        client.login(mailbox.username, password_of(mailbox))
        yield client
    finally:
        try:
            client.logout()
        except Exception:  # noqa: BLE001 - the connection may already be gone
            client.shutdown()


def check_connection(mailbox: Mailbox) -> int:
    """Logs in and opens the folder; the number of messages in it."""
    with connect(mailbox) as client:
        return int(client.select_folder(mailbox.folder, readonly=True)[b"EXISTS"])


def poll(mailbox: Mailbox) -> PollResult:
    """Reads and applies the messages that arrived since the last poll."""
    result = PollResult()
    with connect(mailbox) as client:
        selected = client.select_folder(mailbox.folder)
        uidvalidity = int(selected[b"UIDVALIDITY"])
        mailbox = services.start_reading(mailbox, uidvalidity)
        # "N:*" always answers the last message, even below N: keep the new ones only.
        uids = sorted(
            uid
            for uid in client.search(["UID", f"{mailbox.last_uid + 1}:*"])
            if uid > mailbox.last_uid
        )
        for start in range(0, len(uids), FETCH_BATCH):
            batch = uids[start : start + FETCH_BATCH]
            for uid, raw, size in _fetch(client, batch):
                result.read += 1
                message = services.receive(
                    mailbox=mailbox, uid=uid, uidvalidity=uidvalidity, raw=raw, size=size
                )
                mark_read(client, uid)
                if message.status == message.Status.PROCESSED:
                    result.processed += 1
            services.advance(mailbox, uidvalidity, batch[-1])
    services.polled(mailbox)
    return result


def _fetch(client: IMAPClient, uids: list[int]) -> Iterator[tuple[int, bytes, int]]:
    """(uid, content, size) of each message; only the header of one above the size limit."""
    from django.conf import settings

    sizes = {
        uid: int(data[b"RFC822.SIZE"]) for uid, data in client.fetch(uids, ["RFC822.SIZE"]).items()
    }
    small = [uid for uid in uids if sizes.get(uid, 0) <= settings.INBOUND_MAX_BYTES]
    large = [uid for uid in uids if uid in sizes and uid not in small]
    contents = client.fetch(small, ["BODY.PEEK[]"]) if small else {}
    headers = client.fetch(large, ["BODY.PEEK[HEADER]"]) if large else {}
    for uid in uids:
        if uid in contents:
            yield uid, bytes(contents[uid][BODY]), sizes[uid]
        elif uid in headers:
            yield uid, bytes(headers[uid][HEADER]), sizes[uid]


def mark_read(client: IMAPClient, uid: int) -> None:
    client.add_flags([uid], [b"\\Seen"], silent=True)
