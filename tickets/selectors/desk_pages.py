"""Reads for the desk's home page and the agent's ticket page, besides the queues and the ticket
itself: the person's tickets in progress, the oldest open ones, their availability, a head's view
of the load; the requester's other tickets and the service's canned responses. Each is one query.
"""

from __future__ import annotations

from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from categories.models import CannedResponse, ServiceMembership
from tickets.models import Ticket
from tickets.selectors import queues


def waiting_on_me(user, limit: int = 10) -> QuerySet[Ticket]:
    """The person's tickets in progress, the most recently active first."""
    tickets = queues.desk_tickets(user).filter(assignee=user, status=Ticket.Status.IN_PROGRESS)
    return queues.page_rows(tickets.order_by("-updated_at", "-pk")[:limit])


def oldest_open(user, limit: int = 10) -> QuerySet[Ticket]:
    """Active tickets of the person's services, the oldest first."""
    tickets = queues.desk_tickets(user).filter(status__in=Ticket.ACTIVE_STATUSES)
    return queues.chosen_rows(tickets.order_by("created_at", "pk")[:limit])


def requester_recent_tickets(ticket: Ticket, user, limit: int = 5) -> QuerySet[Ticket]:
    """The requester's other recent tickets that this agent may see."""
    tickets = (
        queues.desk_tickets(user).filter(requester_id=ticket.requester_id).exclude(pk=ticket.pk)
    )
    return tickets.select_related("category").order_by("-created_at", "-pk")[:limit]


def canned_responses(ticket: Ticket) -> list[CannedResponse]:
    """The active canned responses of the ticket's service, for its reply form."""
    return list(CannedResponse.objects.filter(service_id=ticket.service_id, is_active=True))


def memberships_of(user) -> QuerySet[ServiceMembership]:
    """The person's memberships, for the availability switch."""
    return ServiceMembership.objects.filter(user=user).select_related("service")


def agent_load(user) -> QuerySet[ServiceMembership]:
    """For a service head: each member of the services they head and their active tickets."""
    headed = ServiceMembership.objects.filter(user=user, role=ServiceMembership.Role.HEAD).values(
        "service_id"
    )
    open_assigned = Ticket.objects.filter(
        assignee_id=OuterRef("user_id"),
        service_id=OuterRef("service_id"),
        status__in=Ticket.ACTIVE_STATUSES,
    )
    return (
        ServiceMembership.objects.filter(service_id__in=headed)
        .select_related("user", "service")
        .annotate(
            open_tickets=Coalesce(
                Subquery(
                    open_assigned.order_by()
                    .values("assignee_id")
                    .annotate(n=Count("pk"))
                    .values("n")
                ),
                0,
            )
        )
        .order_by("service__name", "user__full_name", "user__email")
    )
