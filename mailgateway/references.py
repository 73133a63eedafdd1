"""Our own Message-IDs, read back: the formats of `notifications.emails` (message_id_for:
"<notification-<pk>.ticket-<id>@<domain>>", thread_id_for: "<ticket-<id>.<reader>@<domain>>")
name the ticket an email was about, so a reply's In-Reply-To / References lead to
it, and a message of ours that comes back (a loop through a forward) is recognised."""

from __future__ import annotations

import re
from collections.abc import Iterable

from notifications.emails import mail_domain

_OURS = re.compile(
    r"^<?(?:notification-(?P<notification>\d{1,18})(?:\.ticket-(?P<ticket>\d{1,18}))?[.\w-]*"
    r"|ticket-(?P<root>\d{1,18})(?:\.[\w-]+)?)@(?P<domain>[^<>\s]+?)>?$",
    re.IGNORECASE,
)
_ANGLE_IDS = re.compile(r"<[^<>\s]+>")


def split_ids(value: str) -> list[str]:
    """The <ids> of a References or In-Reply-To header, in order."""
    return _ANGLE_IDS.findall(value or "")


def is_ours(message_id: str) -> bool:
    """The id was written by this helpdesk (its notifications or a ticket's thread root)."""
    match = _OURS.match((message_id or "").strip())
    return bool(match) and match["domain"].lower() == mail_domain().lower()


def ticket_id_of(message_id: str) -> int | None:
    """The ticket one of our Message-IDs is about, or None (not ours, or a digest's)."""
    match = _OURS.match((message_id or "").strip())
    if not match or match["domain"].lower() != mail_domain().lower():
        return None
    found = match["ticket"] or match["root"]
    return int(found) if found else None


def ticket_ids_in(ids: Iterable[str]) -> list[int]:
    """The tickets named by our ids among `ids`, most relevant first, each once."""
    result: list[int] = []
    for message_id in ids:
        ticket_id = ticket_id_of(message_id)
        if ticket_id is not None and ticket_id not in result:
            result.append(ticket_id)
    return result
