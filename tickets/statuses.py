"""A ticket's statuses: the nodes of the lifecycle whose edges `tickets.moves` declares.

Kept apart from `tickets.models` so that the declaration of the moves can name them and the model
can read the declaration; the model re-exports them as `Ticket.Status`.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import pgettext_lazy


class Status(models.TextChoices):
    # A context of their own: "Closed" or "New" mean other things on other pages. The stored
    # value of a new ticket is "open" (it is not closed); people read it as "New".
    OPEN = "open", pgettext_lazy("ticket status", "New")
    IN_PROGRESS = "in_progress", pgettext_lazy("ticket status", "In progress")
    INFO_REQUESTED = "info_requested", pgettext_lazy("ticket status", "Information requested")
    CLOSURE_PENDING = "closure_pending", pgettext_lazy("ticket status", "Closure requested")
    CLOSED = "closed", pgettext_lazy("ticket status", "Closed")
    REOPENED = "reopened", pgettext_lazy("ticket status", "Reopened")
    CANCELLED = "cancelled", pgettext_lazy("ticket status", "Cancelled")
    REJECTED = "rejected", pgettext_lazy("ticket status", "Rejected")
    # Set aside until a date (a supplier, the start of term): back in progress on that date.
    POSTPONED = "postponed", pgettext_lazy("ticket status", "Postponed")
    # A duplicate merged into another ticket of the service, whose pages it now leads to.
    MERGED = "merged", pgettext_lazy("ticket status", "Merged")


# Statuses in which nobody works on the ticket any more.
TERMINAL = (Status.CLOSED, Status.CANCELLED, Status.REJECTED, Status.MERGED)
# Statuses waiting for an agent to take the ticket.
UNTAKEN = (Status.OPEN, Status.REOPENED)
# Statuses in which the service waits for the requester.
WAITING_ON_REQUESTER = (Status.INFO_REQUESTED, Status.CLOSURE_PENDING)
# Statuses in which the ticket is still being handled.
ACTIVE = (
    Status.OPEN,
    Status.REOPENED,
    Status.IN_PROGRESS,
    Status.INFO_REQUESTED,
    Status.CLOSURE_PENDING,
    Status.POSTPONED,
)
# Active statuses set aside until a date: out of "To handle" and "My tickets in progress".
SET_ASIDE = (Status.POSTPONED,)
