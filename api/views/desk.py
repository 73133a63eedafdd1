"""The agents' side of the API: the desk's queues with the same filters as the queue page
(`forms_agent.QueueFilterForm`, `selectors.queues`), and a ticket with its internal notes."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api import serializers as api_serializers
from api.pagination import TicketCursor
from api.views.requester import ticket_representation
from tickets import forms_agent, permissions
from tickets.models import Ticket
from tickets.selectors import queues

# The sorts a cursor can follow: a date or the id first (see TicketCursor).
SORTS: dict[str, tuple[str, ...]] = {
    "age": ("created_at", "pk"),
    "-age": ("-created_at", "-pk"),
    "activity": ("updated_at", "pk"),
    "-activity": ("-updated_at", "-pk"),
    "reference": ("pk",),
    "-reference": ("-pk",),
}
FILTERS = [
    OpenApiParameter("q", OpenApiTypes.STR, description="Search words, as the queue's box."),
    OpenApiParameter("service", OpenApiTypes.INT),
    OpenApiParameter("category", OpenApiTypes.INT),
    OpenApiParameter(
        "status", OpenApiTypes.STR, enum=[value for value, _ in Ticket.Status.choices]
    ),
    OpenApiParameter("assignee", OpenApiTypes.STR, description='A person\'s id, or "none".'),
    OpenApiParameter("priority", OpenApiTypes.INT, enum=list(Ticket.Priority.values)),
    OpenApiParameter("created_from", OpenApiTypes.DATE),
    OpenApiParameter("created_to", OpenApiTypes.DATE),
    OpenApiParameter("sort", OpenApiTypes.STR, enum=list(SORTS)),
]


def _require_desk(request: Request) -> None:
    if not permissions.can_use_desk(request.user):
        raise PermissionDenied()


class QueueView(generics.GenericAPIView):
    """One queue tab of the desk ("todo", "mine", "waiting", "all", "closed"): the tickets of
    the person's services, filtered as on the queue page."""

    pagination_class = TicketCursor
    serializer_class = api_serializers.QueueRowSerializer

    @extend_schema(parameters=FILTERS, operation_id="desk_queue")
    def get(self, request: Request, key: str) -> Response:
        _require_desk(request)
        if key not in queues.QUEUES_BY_KEY:
            raise NotFound()
        user = request.user
        form = forms_agent.QueueFilterForm(request.query_params, user=user)
        filters = form.filters()
        queue = queues.QUEUES_BY_KEY[key]
        sort = request.query_params.get("sort", "")
        if sort not in SORTS:
            sort = queue.default_sort if queue.default_sort in SORTS else "-activity"
        tickets, _applied = queues.queue_tickets(user, key, filters, sort)
        self.cursor_ordering = SORTS[sort]
        page = self.paginate_queryset(queues.with_row_data(tickets))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class DeskTicketView(APIView):
    """A ticket as the agent's page shows it: every event and file, internal ones included.
    404 for anyone who does not work on it as an agent."""

    @extend_schema(responses=api_serializers.TicketSerializer, operation_id="desk_ticket_read")
    def get(self, request: Request, pk: int) -> Response:
        if not permissions.can_use_desk(request.user):
            raise NotFound()
        return Response(ticket_representation(request, pk, internal=True))
