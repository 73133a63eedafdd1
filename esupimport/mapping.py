"""How esup-helpdesk's values become the helpdesk's: statuses, action types, priorities, origins,
visibility, and the repair of text that went through a wrong encoding on the way.

Kept as tables so the README's "Migrating from esup-helpdesk" section and the tests read the same
rules the import applies.
"""

from __future__ import annotations

import functools
import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from tickets.models import Ticket, TicketEvent
from tickets.moves import Move

S = Ticket.Status

# Ticket statuses (h_tick.stat). CLOSED is a closure the requester never approved: esup-helpdesk
# let it expire, so it arrives closed rather than waiting for an approval nobody will give.
STATUSES: dict[str, str] = {
    "FREE": S.OPEN,
    "INPROGRESS": S.IN_PROGRESS,
    "INCOMPLETE": S.INFO_REQUESTED,
    "POSTPONED": S.POSTPONED,
    "CLOSED": S.CLOSED,
    "APPROVED": S.CLOSED,
    "EXPIRED": S.CLOSED,
    "CANCELLED": S.CANCELLED,
    "REFUSED": S.REJECTED,
    "CONNECTED": S.CLOSED,
    "CONNECTED_APPROVED": S.CLOSED,
}
CLOSING_STATUSES = {S.CLOSED, S.CANCELLED, S.REJECTED}

# Action types (h_acti.acti_type) that are moves of the helpdesk's lifecycle.
ACTIONS: dict[str, Move] = {
    "CREATE": Move.CREATED,
    "TAKE": Move.TAKE,
    "ASSIGN": Move.ASSIGN,
    "FREE": Move.RELEASE,
    "POSTPONE": Move.POSTPONE,
    "CANCEL_POSTPONEMENT": Move.RESUME,
    "CANCEL": Move.CANCEL,
    "REQUEST_INFORMATION": Move.REQUEST_INFO,
    "GIVE_INFORMATION": Move.RECEIVE_INFO,
    "CLOSE": Move.REQUEST_CLOSURE,
    "APPROVE": Move.APPROVE_CLOSURE,
    "CLOSE_APPROVE": Move.APPROVE_CLOSURE,
    "EXPIRE": Move.EXPIRE_CLOSURE,
    "REFUSE": Move.REJECT,
    "REFUSE_CLOSURE": Move.REFUSE_CLOSURE,
    "REOPEN": Move.REOPEN,
    "CHANGE_DEPARTMENT": Move.TRANSFER,
    "CHANGE_CATEGORY": Move.CHANGE_CATEGORY,
    "CHANGE_LABEL": Move.EDIT_SUBJECT,
    "CHANGE_PRIORITY": Move.CHANGE_PRIORITY,
    "INVITE": Move.INVITE,
    "REMOVE_INVITATION": Move.LEAVE,
    "UPLOAD": Move.ATTACHMENT,
    "CONNECT_TO_TICKET": Move.MERGE,
    "CONNECT_TO_TICKET_APPROVE": Move.MERGE,
}
# Action types with no move here (owner, scope, origin, spent time, computer changes; FAQ links;
# monitoring): their message, if any, is kept as an internal note, and the report counts them.
UNMAPPED_ACTIONS = {
    "CHANGE_OWNER",
    "CHANGE_SCOPE",
    "CHANGE_ORIGIN",
    "CHANGE_SPENT_TIME",
    "CHANGE_COMPUTER",
    "CONNECT_TO_FAQ",
    "CONNECT_TO_FAQ_APPROVE",
    "MONITORING_INVITE",
    "?",
}

# Action scopes (h_acti.scop): MANAGER actions were seen by the department's managers only.
INTERNAL_SCOPES = {"MANAGER"}

ORIGINS = {
    "WEB": Ticket.Origin.WEB,
    "PORTAL": Ticket.Origin.WEB,
    "EMAIL": Ticket.Origin.EMAIL,
    "MAIL": Ticket.Origin.EMAIL,
    "PHONE": Ticket.Origin.PHONE,
    "TELEPHONE": Ticket.Origin.PHONE,
    "COUNTER": Ticket.Origin.COUNTER,
    "DESK": Ticket.Origin.COUNTER,
    "GUICHET": Ticket.Origin.COUNTER,
}

LANGUAGES = {"fr": "fr", "en": "en"}


@functools.lru_cache(maxsize=1024)  # a few values, read for each of a history's actions
def status(value: str | None) -> tuple[str, bool]:
    """(helpdesk status, known): an unknown status arrives closed and is reported."""
    key = (value or "").strip().upper()
    if key in STATUSES:
        return STATUSES[key], True
    return S.CLOSED, False


def priority(level: int | None) -> int:
    """esup-helpdesk's levels run from 0 (none) upwards; the helpdesk has four."""
    if level is None or level <= 1:
        return Ticket.Priority.LOW if level == 1 else Ticket.Priority.NORMAL
    return min(int(level), Ticket.Priority.URGENT)


def origin(value: str | None) -> tuple[str, bool]:
    key = (value or "").strip().upper()
    if not key:
        return Ticket.Origin.WEB, True
    return ORIGINS.get(key, Ticket.Origin.WEB), key in ORIGINS


@functools.lru_cache(maxsize=1024)
def visibility(scope: str | None) -> str:
    if (scope or "").strip().upper() in INTERNAL_SCOPES:
        return TicketEvent.Visibility.INTERNAL
    return TicketEvent.Visibility.PUBLIC


_MOJIBAKE = re.compile(
    "[ÃÂâ][\u0080-\u00bf\u2018-\u203a\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc]"
)
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def repair(text: str | bytes | None) -> str:
    """Text as people wrote it: UTF-8 read as Latin-1 (or Windows-1252) somewhere along the way
    is decoded again, bytes are decoded, and control characters other than line breaks and tabs
    are dropped."""
    if text is None:
        return ""
    if type(text) is not str and isinstance(text, bytes | bytearray | memoryview):
        raw = bytes(text)
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = raw.decode("cp1252", errors="replace")
    for _attempt in range(2):
        if not _MOJIBAKE.search(text):
            break
        for codec in ("cp1252", "latin-1"):
            try:
                text = text.encode(codec).decode("utf-8")
                break
            except (UnicodeEncodeError, UnicodeDecodeError):
                continue
        else:
            break
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", text)


def when(value: datetime | None, zone: ZoneInfo) -> datetime | None:
    """esup-helpdesk stores naive local times; the helpdesk stores aware ones, in UTC.

    In UTC, because a local time in the hour a clock change repeats or skips never compares
    equal to a time in another zone (PEP 495): a re-run would find such an event changed."""
    if value is None:
        return None
    if value.tzinfo is None or value.utcoffset() is None:  # naive, as Django tells it
        value = value.replace(tzinfo=zone)
    return value.astimezone(UTC)
