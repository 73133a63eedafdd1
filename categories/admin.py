"""Administration of services (with their members) and of the category tree.

The tree reads at a glance: the changelist lists categories depth-first, each name indented by
its depth ("— — Wi-Fi"). A category that has tickets (or sub-categories) is deactivated, never
deleted: tickets keep pointing at the category they were filed in.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.text import OneLineAdminMixin
from categories import services
from categories.models import CannedResponse, Category, Service, ServiceMembership

INDENT = "— "


class ServiceMembershipInline(admin.TabularInline):
    model = ServiceMembership
    extra = 1
    fields = ["user", "role", "is_available"]
    autocomplete_fields = ["user"]
    verbose_name = _("member")
    verbose_name_plural = _("members (agents and service head)")


class CannedResponseInline(admin.StackedInline):
    model = CannedResponse
    extra = 0
    fields = ["title", "body", "is_active"]


@admin.register(Service)
class ServiceAdmin(OneLineAdminMixin, admin.ModelAdmin):
    one_line_fields = ("name",)
    list_display = [
        "name",
        "slug",
        "is_active",
        "member_count",
        "closure_approval_days",
        "reopen_window_days",
        "requester_can_set_priority",
    ]
    list_filter = ["is_active", "requester_can_set_priority"]
    search_fields = ["name", "slug", "description", "alert_email"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [ServiceMembershipInline, CannedResponseInline]
    fieldsets = [
        (None, {"fields": ["name", "slug", "description", "alert_email", "is_active"]}),
        (
            _("Ticket rules"),
            {
                "fields": [
                    "closure_approval_days",
                    "reopen_window_days",
                    "requester_can_set_priority",
                ]
            },
        ),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Service]:
        return super().get_queryset(request).annotate(_member_count=Count("memberships"))

    @admin.display(description=_("members"), ordering="_member_count")
    def member_count(self, obj: Service) -> int:
        return obj._member_count


class DepthFilter(admin.SimpleListFilter):
    title = _("level")
    parameter_name = "depth"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("0", _("Top-level categories")), ("1", _("Sub-categories"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Category]) -> QuerySet[Category]:
        if self.value() == "0":
            return queryset.filter(depth=0)
        if self.value() == "1":
            return queryset.filter(depth__gte=1)
        return queryset


@admin.register(Category)
class CategoryAdmin(OneLineAdminMixin, admin.ModelAdmin):
    one_line_fields = ("name",)
    list_display = [
        "indented_name",
        "handling_service",
        "inherits_service",
        "is_active",
        "ordering",
        "ticket_count",
    ]
    list_display_links = ["indented_name"]
    list_filter = ["is_active", "handling_service", DepthFilter]
    search_fields = ["name", "slug", "help_text", "handling_service__name"]
    list_select_related = ["handling_service"]
    ordering = ["tree_path"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["parent", "service", "assignment_agent"]
    readonly_fields = ["handling_service"]
    fields = [
        "parent",
        "name",
        "slug",
        "help_text",
        "service",
        "handling_service",
        "ordering",
        "is_active",
        "assignment_mode",
        "assignment_agent",
    ]
    actions = ["deactivate", "activate"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Category]:
        return super().get_queryset(request).annotate(_ticket_count=Count("tickets"))

    def save_model(
        self, request: HttpRequest, obj: Category, form: forms.ModelForm, change: bool
    ) -> None:
        # A new parent, service or order changes the categories below too.
        services.category_save(obj)

    @admin.display(description=_("category"), ordering="tree_path")
    def indented_name(self, obj: Category) -> str:
        return f"{INDENT * obj.depth}{obj.name}"

    @admin.display(description=_("inherited service"), boolean=True)
    def inherits_service(self, obj: Category) -> bool:
        return obj.service_id is None and obj.parent_id is not None

    @admin.display(description=_("tickets"), ordering="_ticket_count")
    def ticket_count(self, obj: Category) -> int:
        count = getattr(obj, "_ticket_count", None)
        return obj.tickets.count() if count is None else count

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        # Categories are deactivated, not deleted: the bulk delete action is not offered.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def has_delete_permission(self, request: HttpRequest, obj: Category | None = None) -> bool:
        """Only a category nobody used (no tickets, no sub-categories) may be deleted."""
        if not super().has_delete_permission(request, obj):
            return False
        if obj is None:
            return True
        return not (obj.tickets.exists() or obj.children.exists())

    @admin.action(description=_("Deactivate the selected categories"), permissions=["change"])
    def deactivate(self, request: HttpRequest, queryset: QuerySet[Category]) -> None:
        count = queryset.update(is_active=False)
        self.message_user(
            request,
            ngettext(
                "%(count)d category deactivated: no new ticket can be filed in it.",
                "%(count)d categories deactivated: no new ticket can be filed in them.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(description=_("Reactivate the selected categories"), permissions=["change"])
    def activate(self, request: HttpRequest, queryset: QuerySet[Category]) -> None:
        count = queryset.update(is_active=True)
        self.message_user(
            request,
            ngettext("%(count)d category reactivated.", "%(count)d categories reactivated.", count)
            % {"count": count},
            messages.SUCCESS,
        )
