"""Tickets in the admin: for looking things up, not for changing them.

Statuses change only through `tickets.workflow` (the pages' buttons), which checks, records and
notifies every move; the admin shows tickets, their timeline and files read-only. Tickets are never
deleted from here: they are the service's record.
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from tickets.models import Attachment, PermanentInvitee, Ticket, TicketEvent


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class TicketEventInline(ReadOnlyInline):
    model = TicketEvent
    fields = ["created_at", "kind", "action", "actor", "visibility", "before", "after", "text"]
    readonly_fields = fields
    ordering = ["created_at", "pk"]


class AttachmentInline(ReadOnlyInline):
    model = Attachment
    fields = ["original_name", "content_type", "size", "uploaded_by", "visibility", "created_at"]
    readonly_fields = fields


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    list_display = [
        "reference",
        "subject",
        "status",
        "priority",
        "service",
        "category",
        "requester",
        "assignee",
        "updated_at",
    ]
    list_display_links = ["reference", "subject"]
    list_filter = ["status", "priority", "service"]
    search_fields = ["=id", "subject", "requester__email", "requester__full_name"]
    list_select_related = ["service", "category", "requester", "assignee"]
    date_hierarchy = "created_at"
    inlines = [TicketEventInline, AttachmentInline]
    readonly_fields = [
        "reference",
        "requester",
        "category",
        "service",
        "subject",
        "description",
        "priority",
        "assignee",
        "status",
        "created_at",
        "updated_at",
        "first_response_at",
        "closure_requested_at",
        "closed_at",
        "resolution",
    ]
    fields = readonly_fields

    @admin.display(description=_("reference"), ordering="pk")
    def reference(self, obj: Ticket) -> str:
        return obj.reference

    def get_queryset(self, request: HttpRequest) -> QuerySet[Ticket]:
        return (
            super()
            .get_queryset(request)
            .select_related("service", "category", "requester", "assignee")
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Ticket | None = None) -> bool:
        return False


@admin.register(PermanentInvitee)
class PermanentInviteeAdmin(admin.ModelAdmin):
    """People invited to every new ticket of a service or of a category (a secretariat, a lab
    director): set here, applied when a ticket is filed (`tickets.workflow.invite_permanent_
    invitees`); tickets filed before keep their invitations as they were."""

    list_display = ["user", "service", "category", "created_at"]
    list_filter = ["service", "category"]
    list_select_related = ["user", "service", "category", "category__parent"]
    search_fields = ["user__email", "user__full_name"]
    raw_id_fields = ["user"]
    fields = ["service", "category", "user"]
