"""What the API reads and writes, in JSON: tickets, their timeline and files, categories.

Output serializers only read fields the selectors already loaded (`select_related` /
`prefetch_related`), so a list costs the same number of queries for one ticket or fifty. Input
serializers check types and lengths; the rules of a move (who, when, a required text) stay in
`tickets.workflow` and `tickets.services`.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from categories.models import Category
from tickets import events
from tickets.models import Attachment, Ticket, TicketEvent
from tickets.selectors import requester_pages

TEXT_MAX = 20_000


class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(source="display_name", read_only=True)


class CategorySerializer(serializers.ModelSerializer):
    service = serializers.CharField(source="handling_service.name", read_only=True, default=None)
    accepts_tickets = serializers.SerializerMethodField()
    has_children = serializers.SerializerMethodField()
    children_url = serializers.SerializerMethodField()

    class Meta:
        model = Category
        fields = [
            "id",
            "slug",
            "name",
            "service",
            "accepts_tickets",
            "has_children",
            "children_url",
        ]

    def get_accepts_tickets(self, category: Category) -> bool:
        return requester_pages.accepts_tickets(category)

    def get_has_children(self, category: Category) -> bool:
        return bool(getattr(category, "open_children", 0))

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_children_url(self, category: Category) -> str | None:
        if not getattr(category, "open_children", 0):
            return None
        return reverse("api:categories") + f"?parent={category.slug}"


class AttachmentSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="original_name", read_only=True)
    url = serializers.SerializerMethodField()
    internal = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = ["id", "name", "content_type", "size", "created_at", "internal", "url"]

    def get_url(self, attachment: Attachment) -> str:
        return attachment.get_absolute_url()

    def get_internal(self, attachment: Attachment) -> bool:
        return attachment.visibility != TicketEvent.Visibility.PUBLIC


class EventSerializer(serializers.ModelSerializer):
    actor = PersonSerializer(read_only=True, allow_null=True)
    summary = serializers.SerializerMethodField()
    internal = serializers.SerializerMethodField()
    attachment = serializers.IntegerField(source="attachment_id", read_only=True, allow_null=True)

    class Meta:
        model = TicketEvent
        fields = [
            "id",
            "created_at",
            "kind",
            "action",
            "actor",
            "summary",
            "text",
            "internal",
            "attachment",
        ]

    def get_summary(self, event: TicketEvent) -> str:
        return events.describe(event)

    def get_internal(self, event: TicketEvent) -> bool:
        return event.is_internal


class TicketRowSerializer(serializers.ModelSerializer):
    """A ticket in a list: what "Mes tickets" and the queues show."""

    reference = serializers.CharField(read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    category = serializers.CharField(source="category.name", read_only=True)
    service = serializers.CharField(source="service.name", read_only=True)
    waiting_for_requester = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = Ticket
        fields = [
            "id",
            "reference",
            "subject",
            "status",
            "status_label",
            "priority",
            "category",
            "service",
            "created_at",
            "updated_at",
            "waiting_for_requester",
            "url",
        ]

    def get_waiting_for_requester(self, ticket: Ticket) -> bool:
        return ticket.status in Ticket.WAITING_ON_REQUESTER_STATUSES

    def get_url(self, ticket: Ticket) -> str:
        return reverse("api:ticket", kwargs={"pk": ticket.pk})


class QueueRowSerializer(TicketRowSerializer):
    requester = PersonSerializer(read_only=True)
    assignee = PersonSerializer(read_only=True, allow_null=True)

    class Meta(TicketRowSerializer.Meta):
        fields = [*TicketRowSerializer.Meta.fields, "requester", "assignee"]

    def get_url(self, ticket: Ticket) -> str:
        return reverse("api:desk_ticket", kwargs={"pk": ticket.pk})


class TicketSerializer(TicketRowSerializer):
    """One ticket with its timeline and files, as the person may see them (`context["entries"]`
    and `context["attachments"]`, from the ticket pages' selectors), and the moves they may make
    now."""

    requester = PersonSerializer(read_only=True)
    assignee = PersonSerializer(read_only=True, allow_null=True)
    timeline = serializers.SerializerMethodField()
    attachments = serializers.SerializerMethodField()
    moves = serializers.SerializerMethodField()

    class Meta(TicketRowSerializer.Meta):
        fields = [
            *TicketRowSerializer.Meta.fields,
            "description",
            "resolution",
            "requester",
            "assignee",
            "closed_at",
            "timeline",
            "attachments",
            "moves",
        ]

    @extend_schema_field(EventSerializer(many=True))
    def get_timeline(self, ticket: Ticket) -> list[dict[str, Any]]:
        return EventSerializer(self.context["entries"], many=True).data

    @extend_schema_field(AttachmentSerializer(many=True))
    def get_attachments(self, ticket: Ticket) -> list[dict[str, Any]]:
        return AttachmentSerializer(self.context["attachments"], many=True).data

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_moves(self, ticket: Ticket) -> list[str]:
        return [str(move) for move in self.context["moves"]]


# --- Input ------------------------------------------------------------------------------------


class TicketCreateSerializer(serializers.Serializer):
    category = serializers.SlugField(help_text="The category's slug (GET /api/v1/categories/).")
    subject = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=TEXT_MAX)
    priority = serializers.ChoiceField(choices=Ticket.Priority.choices, required=False)
    attachments = serializers.ListField(
        child=serializers.FileField(), required=False, default=list, max_length=10
    )


class TextSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=TEXT_MAX, required=False, allow_blank=True)
    files = serializers.ListField(
        child=serializers.FileField(), required=False, default=list, max_length=10
    )


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=TEXT_MAX, required=False, allow_blank=True)


class QuestionSerializer(serializers.Serializer):
    question = serializers.CharField(max_length=TEXT_MAX, required=False, allow_blank=True)


class ResolutionSerializer(serializers.Serializer):
    resolution = serializers.CharField(max_length=TEXT_MAX, required=False, allow_blank=True)


class EmptySerializer(serializers.Serializer):
    pass


class AssignSerializer(serializers.Serializer):
    agent = serializers.PrimaryKeyRelatedField(
        queryset=get_user_model().objects.filter(is_active=True)
    )


class TransferSerializer(serializers.Serializer):
    category = serializers.PrimaryKeyRelatedField(queryset=Category.objects.all())
    note = serializers.CharField(max_length=TEXT_MAX, required=False, allow_blank=True)


class PrioritySerializer(serializers.Serializer):
    priority = serializers.ChoiceField(choices=Ticket.Priority.choices)


class AttachmentCreateSerializer(serializers.Serializer):
    file = serializers.FileField()
    internal = serializers.BooleanField(required=False, default=False)


class PostponeSerializer(serializers.Serializer):
    until = serializers.DateField(help_text="A day after today.")
    reason = serializers.CharField(max_length=TEXT_MAX, required=False, allow_blank=True)


class TicketRefSerializer(serializers.Serializer):
    """Another ticket of the agent's services, by its id."""

    other = serializers.IntegerField(min_value=1, max_value=2**63 - 1)


class MergeSerializer(serializers.Serializer):
    into = serializers.IntegerField(
        min_value=1, max_value=2**63 - 1, help_text="The ticket that receives this one."
    )


class SubjectSerializer(serializers.Serializer):
    subject = serializers.CharField(max_length=200, required=False, allow_blank=True)


class CategoryChangeSerializer(serializers.Serializer):
    category = serializers.PrimaryKeyRelatedField(queryset=Category.objects.all())


class InviteSerializer(serializers.Serializer):
    email = serializers.EmailField(
        max_length=254,
        help_text="The address of the person to invite; someone the helpdesk does not know yet "
        "gets an account at their first sign-in.",
    )


class PersonRefSerializer(serializers.Serializer):
    person = serializers.PrimaryKeyRelatedField(
        queryset=get_user_model().objects.all(), help_text="The invited person's id."
    )


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    email = serializers.EmailField()
    is_agent = serializers.BooleanField()
    token_scope = serializers.CharField(allow_null=True)
