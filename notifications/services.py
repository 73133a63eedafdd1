from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tickets.models import TicketEvent


def notify(event: TicketEvent) -> None:
    """Not yet wired: the outbox is built in the notifications app."""
    return None
