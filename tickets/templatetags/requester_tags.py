"""Words for the requester's pages: a ticket's status as the person who filed it reads it."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext_lazy as _

from tickets.models import Ticket

register = template.Library()

Status = Ticket.Status

# The agents' labels ("Information requested") say what happened; the requester needs to know
# what it means for them.
REQUESTER_STATUS_LABELS = {
    Status.OPEN: _("Waiting to be taken in charge"),
    Status.REOPENED: _("Reopened, waiting to be taken in charge"),
    Status.IN_PROGRESS: _("Being handled by the service"),
    Status.INFO_REQUESTED: _("Waiting for your answer"),
    Status.CLOSURE_PENDING: _("Solved, waiting for your approval"),
    Status.CLOSED: _("Closed"),
    Status.CANCELLED: _("Cancelled"),
    Status.REJECTED: _("Rejected by the service"),
    Status.POSTPONED: _("Postponed by the service"),
    Status.MERGED: _("Merged into another ticket"),
}

# Badges shown where the service waits for the requester: text, never colour alone.
WAITING_LABELS = {
    Status.INFO_REQUESTED: _("Your answer is expected"),
    Status.CLOSURE_PENDING: _("Closure to approve"),
}

BADGE_CLASSES = {
    Status.OPEN: "text-bg-light border",
    Status.REOPENED: "text-bg-light border",
    Status.IN_PROGRESS: "text-bg-primary",
    Status.INFO_REQUESTED: "text-bg-warning",
    Status.CLOSURE_PENDING: "text-bg-warning",
    Status.CLOSED: "text-bg-secondary",
    Status.CANCELLED: "text-bg-secondary",
    Status.REJECTED: "text-bg-secondary",
    Status.POSTPONED: "text-bg-light border",
    Status.MERGED: "text-bg-secondary",
}


@register.filter
def requester_status(status: str) -> str:
    """The status in the requester's words."""
    return str(REQUESTER_STATUS_LABELS.get(status, status))


@register.filter
def waiting_label(status: str) -> str:
    """What the service waits for from the requester, or "" when it waits for nothing."""
    label = WAITING_LABELS.get(status)
    return str(label) if label else ""


@register.filter
def status_badge_class(status: str) -> str:
    return BADGE_CLASSES.get(status, "text-bg-light border")
