"""Administrators register webhooks per service and watch their deliveries: failures are listed
with their last error and answer, and can be sent again."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from tickets.moves import Move
from webhooks import services
from webhooks.models import Delivery, Webhook


class WebhookForm(forms.ModelForm):
    url = forms.URLField(label=_("URL"), max_length=500, assume_scheme="https")
    events = forms.MultipleChoiceField(
        label=_("Events"),
        choices=Move.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None checked: every public event of the service's tickets."),
    )

    class Meta:
        model = Webhook
        fields = ["service", "name", "url", "events", "is_active"]


@admin.register(Webhook)
class WebhookAdmin(admin.ModelAdmin):
    form = WebhookForm
    list_display = ["name", "service", "url", "is_active", "created_at"]
    list_filter = ["is_active", "service"]
    search_fields = ["name", "url"]
    readonly_fields = ["secret", "created_at"]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        fields = ["service", "name", "url", "events", "is_active"]
        return [*fields, "secret", "created_at"] if obj is not None else fields


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "webhook",
        "event",
        "status",
        "attempts",
        "response_status",
        "sent_at",
    ]
    list_filter = ["status", "webhook"]
    search_fields = ["last_error", "webhook__name"]
    list_select_related = ["webhook", "webhook__service", "event"]
    actions = ["resend"]
    readonly_fields = [
        "webhook",
        "event",
        "payload",
        "status",
        "attempts",
        "last_error",
        "response_status",
        "created_at",
        "due_at",
        "sent_at",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description=_("Send the selected failed deliveries again"))
    def resend(self, request: HttpRequest, queryset: QuerySet[Delivery]) -> None:
        count = services.resend(list(queryset.values_list("pk", flat=True)))
        self.message_user(
            request,
            ngettext(
                "%(count)d delivery queued again.", "%(count)d deliveries queued again.", count
            )
            % {"count": count},
            messages.SUCCESS,
        )
