"""Who hears about what happens to a ticket, and the email outbox that tells them."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tickets.models import TicketEvent


def notify(event: TicketEvent) -> None:
    """Writes the outbox rows for an event and queues their delivery once the transaction commits.

    Called by tickets.workflow and tickets.services inside their transaction.
    """
    from notifications import services

    services.notify(event)
