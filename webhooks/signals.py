"""The receiver that turns each new timeline event into webhook deliveries."""

from __future__ import annotations

from typing import Any

from tickets.models import TicketEvent
from webhooks import services


def event_saved(sender: type, instance: TicketEvent, created: bool, **kwargs: Any) -> None:
    if created and not kwargs.get("raw"):
        services.record(instance)


def webhook_changed(sender: type, **kwargs: Any) -> None:
    services.forget_services()
