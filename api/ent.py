"""What the university's portal (ENT) shows of the helpdesk: the person's open tickets, those
waiting for them first, and a link to file one.

Read through `requester_pages.requester_tickets`, the "Mes tickets" page's selector, so the
widget never shows what that page would not.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings

from helpdesk import security
from tickets.models import Ticket
from tickets.selectors import requester_pages

# The widget is small: past these, "all my tickets" leads to the full page.
WIDGET_ROWS = 10


@dataclass(frozen=True)
class Summary:
    waiting: list[Ticket]
    open: list[Ticket]
    more: bool


def summary(user: Any) -> Summary:
    """The person's open tickets, newest activity first, split into those waiting for them and
    the others. One query."""
    tickets = list(requester_pages.requester_tickets(user, state="open")[: WIDGET_ROWS + 1])
    more = len(tickets) > WIDGET_ROWS
    tickets = tickets[:WIDGET_ROWS]
    waiting = [t for t in tickets if t.status in Ticket.WAITING_ON_REQUESTER_STATUSES]
    others = [t for t in tickets if t.status not in Ticket.WAITING_ON_REQUESTER_STATUSES]
    return Summary(waiting=waiting, open=others, more=more)


def frame_ancestors() -> list[str]:
    """The origins of `ENT_FRAME_ANCESTORS` that are origins (scheme://host[:port]); anything
    else in the setting is ignored rather than written into the policy."""
    origins = []
    for value in getattr(settings, "ENT_FRAME_ANCESTORS", []) or []:
        origin = security._origin(value.strip())
        if origin and origin == value.strip().rstrip("/") and origin not in origins:
            origins.append(origin)
    return origins
