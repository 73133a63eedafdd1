"""The requester's side of the API: the same reads as "Mes tickets", "Déposer un ticket" and the
ticket's page (`tickets.selectors`), the same write as the filing page (`services.ticket_create`).
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch, prefetch_related_objects
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import Throttled
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api import selectors as api_selectors
from api import serializers as api_serializers
from api.models import ApiToken
from api.pagination import TicketCursor
from api.views import moves
from categories import selectors as category_selectors
from categories.models import Category
from helpdesk import ratelimit
from tickets import permissions, services
from tickets.models import Attachment, Ticket, TicketEvent
from tickets.selectors import requester_pages, ticket_pages

STATES = ("all", "open", "closed")
SLUG = re.compile(r"[-\w]{1,100}")


class MeView(APIView):
    """Who the API sees: the person the session or the token acts as."""

    @extend_schema(responses=api_serializers.MeSerializer, operation_id="me")
    def get(self, request: Request) -> Response:
        user = request.user
        token = request.auth if isinstance(request.auth, ApiToken) else None
        data = {
            "id": user.pk,
            "name": user.display_name,
            "email": user.email,
            "is_agent": permissions.can_use_desk(user),
            "token_scope": token.scope if token is not None else None,
        }
        return Response(api_serializers.MeSerializer(data).data)


class CategoryListView(APIView):
    """The categories a requester may choose, one level at a time, as "Déposer un ticket" offers
    them: the roots, or those below `?parent=<slug>`, among those offered to the person
    (audiences, `categories.selectors.offered_category_ids`). Three queries."""

    @extend_schema(
        parameters=[OpenApiParameter("parent", OpenApiTypes.STR, required=False)],
        responses=api_serializers.CategorySerializer(many=True),
        operation_id="categories_list",
    )
    def get(self, request: Request) -> Response:
        offered = category_selectors.offered_category_ids(request.user)
        parent = None
        slug = request.query_params.get("parent", "").strip()
        if slug:
            if not SLUG.fullmatch(slug):
                raise Http404
            parent = requester_pages.selectable_category(slug)
            if parent is None or parent.pk not in offered:
                raise Http404
        choices = requester_pages.category_choices(parent, offered)
        return Response(api_serializers.CategorySerializer(choices, many=True).data)


class MyTicketsView(generics.GenericAPIView):
    """ "Mes tickets" (GET) and "Déposer un ticket" (POST, JSON or multipart with files)."""

    pagination_class = TicketCursor
    serializer_class = api_serializers.TicketRowSerializer
    cursor_ordering = ("-updated_at", "-pk")

    @extend_schema(
        parameters=[OpenApiParameter("state", OpenApiTypes.STR, enum=STATES, required=False)],
        operation_id="tickets_mine",
    )
    def get(self, request: Request) -> Response:
        state = request.query_params.get("state", "all")
        if state not in STATES:
            raise serializers.ValidationError({"state": [_("Choose all, open or closed.")]})
        # Plain rows, the same JSON as `serializer_class` (which the schema shows): this is
        # the call a portal makes on every page view.
        page = self.paginate_queryset(api_selectors.my_ticket_rows(request.user, state=state))
        return self.get_paginated_response(api_selectors.ticket_rows(page))

    @extend_schema(
        request={
            "application/json": api_serializers.TicketCreateSerializer,
            "multipart/form-data": api_serializers.TicketCreateSerializer,
        },
        responses={201: api_serializers.TicketSerializer},
        operation_id="tickets_create",
    )
    def post(self, request: Request) -> Response:
        if ratelimit.limit_exceeded(request._request, "TICKET_CREATE_RATE", "ticket_create"):
            raise Throttled()
        incoming = api_serializers.TicketCreateSerializer(data=moves.plain_data(request))
        incoming.is_valid(raise_exception=True)
        values = incoming.validated_data
        category_id = api_selectors.fileable_category_id(values["category"])
        if category_id is None:
            raise serializers.ValidationError(
                {"category": [_("This category does not exist or no longer receives tickets.")]}
            )
        if category_id not in category_selectors.offered_category_ids(request.user):
            raise serializers.ValidationError(
                {
                    "category": [
                        _(
                            "This category is not offered to you: it is reserved for other "
                            "members of the university. Please choose another category."
                        )
                    ]
                }
            )
        try:
            ticket = services.ticket_create(
                requester=request.user,
                category=Category(pk=category_id),
                subject=values["subject"],
                description=values["description"],
                priority=values.get("priority"),
                files=values.get("attachments") or [],
                origin=Ticket.Origin.API,
            )
        except DjangoValidationError as error:
            code = getattr(error, "code", None) or ""
            field = "attachments" if code.startswith("file_") else "non_field_errors"
            raise serializers.ValidationError({field: error.messages}) from error
        return Response(created_representation(request, ticket), status=status.HTTP_201_CREATED)


def ticket_representation(request: Request, pk: int, *, internal: bool = False) -> dict:
    """A ticket as its page shows it to this person: the requester's public view, or with
    `internal` the agents' view (internal notes and files). Four queries."""
    ticket = ticket_pages.ticket_for_page(pk, request.user)
    if internal and not permissions.can_view_internal(ticket, request.user):
        raise Http404
    entries = [
        entry.event for entry in ticket_pages.thread(ticket, request.user, public_only=not internal)
    ]
    attachments = [
        attachment
        for attachment in ticket.attachments.all()
        if internal or attachment.visibility == TicketEvent.Visibility.PUBLIC
    ]
    context = {
        "entries": entries,
        "attachments": attachments,
        "moves": moves.allowed_names(ticket, request.user),
    }
    return api_serializers.TicketSerializer(ticket, context=context).data


def created_representation(request: Request, ticket: Ticket) -> dict:
    """The answer to filing: the ticket as `ticket_representation` shows it to its requester,
    who may see it by definition: three queries (the ticket as its events left it, its public
    events and files: its creation, the permanent invitees, an automatic assignment), without
    the visibility rules' reads."""
    ticket = Ticket.objects.select_related("requester", "assignee", "category", "service").get(
        pk=ticket.pk
    )
    prefetch_related_objects(
        [ticket],
        Prefetch(
            "events",
            queryset=TicketEvent.objects.filter(visibility=TicketEvent.Visibility.PUBLIC)
            .select_related("actor", "attachment")
            .order_by("created_at", "pk"),
        ),
        Prefetch(
            "attachments",
            queryset=Attachment.objects.filter(visibility=TicketEvent.Visibility.PUBLIC).order_by(
                "created_at", "pk"
            ),
        ),
    )
    context = {
        "entries": [
            entry.event for entry in ticket_pages.thread(ticket, request.user, public_only=True)
        ],
        "attachments": list(ticket.attachments.all()),
        "moves": moves.allowed_names(ticket, request.user),
    }
    return api_serializers.TicketSerializer(ticket, context=context).data


class TicketView(APIView):
    """One ticket as its requester's page shows it: the public timeline and files (never an
    internal note, even to a requester who is also an agent of the service)."""

    @extend_schema(responses=api_serializers.TicketSerializer, operation_id="ticket_read")
    def get(self, request: Request, pk: int) -> Response:
        return Response(ticket_representation(request, pk))
