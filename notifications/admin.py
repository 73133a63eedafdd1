from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from notifications import services
from notifications.models import Notification, NotificationPreference


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """The outbox: administrators find failed emails here and send them again."""

    list_display = ["created_at", "kind", "email", "status", "attempts", "sent_at", "ticket_link"]
    list_filter = ["status", "kind", "language", ("created_at", admin.DateFieldListFilter)]
    search_fields = ["email", "message_id", "last_error", "event__ticket__subject"]
    date_hierarchy = "created_at"
    list_select_related = ["event"]
    actions = ["resend"]
    readonly_fields = [
        "recipient",
        "email",
        "event",
        "kind",
        "language",
        "dedup_key",
        "payload",
        "status",
        "attempts",
        "last_error",
        "created_at",
        "due_at",
        "sent_at",
        "message_id",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.display(description=_("ticket"))
    def ticket_link(self, obj: Notification) -> str:
        return f"#{obj.event.ticket_id}" if obj.event_id else "-"

    @admin.action(description=_("Re-send the selected failed notifications"))
    def resend(self, request: HttpRequest, queryset: QuerySet[Notification]) -> None:
        count = services.resend(queryset)
        self.message_user(
            request,
            ngettext(
                "%(count)d notification queued again.",
                "%(count)d notifications queued again.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "new_ticket_delivery"]
    list_filter = ["new_ticket_delivery"]
    search_fields = ["user__email", "user__full_name"]
    raw_id_fields = ["user"]
