"""Administrators create service tokens (for another system: the student information system,
monitoring, a chat bot) and revoke any token. A token's secret is shown once, on creation."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from api.models import ApiToken, new_token, token_digest


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "user",
        "kind",
        "scope",
        "hint",
        "expires_at",
        "last_used_at",
        "revoked_at",
    )
    list_filter = ("kind", "scope")
    search_fields = ("name", "user__email", "hint")
    autocomplete_fields = ("user",)
    readonly_fields = ("hint", "created_at", "created_by", "last_used_at", "revoked_at")
    actions = ("revoke",)

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        return {"kind": ApiToken.Kind.SERVICE, "scope": ApiToken.Scope.READ}

    def save_model(self, request: HttpRequest, obj: ApiToken, form: Any, change: bool) -> None:
        if not change:
            secret = new_token()
            obj.digest = token_digest(secret)
            obj.hint = secret[:10]
            obj.created_by = request.user
            messages.warning(
                request,
                _("Copy the token now, it will not be shown again: %(secret)s")
                % {"secret": secret},
            )
        super().save_model(request, obj, form, change)

    @admin.action(description=gettext_lazy("Revoke the selected tokens"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        count = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        messages.success(request, _("%(count)s tokens revoked.") % {"count": count})
