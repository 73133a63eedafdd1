"""Heads of service run their service in Django's admin without superuser rights.

A person with a model's own Django permissions (a superuser, staff granted them) manages every row
of it, as before. A head of service without them enters the admin too (`may_enter_admin`) and
sees there only what `DelegatedAdminMixin` opens to heads, limited to the services they head:
their services (members and roles, availability, canned responses), the categories those services
handle (create, move, deactivate, audiences, confidentiality, automatic assignment) and their
mailboxes. The rows of any other service are neither listed nor reachable by their address (the
admin answers as for a row that does not exist), and every choice of a related row (a parent
category, a service, an agent) is limited to the same services.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_permission_codename
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from categories.models import ServiceMembership

_HEADED_CACHE_ATTR = "_helpdesk_headed_service_ids"


def headed_service_ids(user: Any) -> frozenset[int]:
    """Ids of the active services the person heads (one query, then cached on the user object)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return frozenset()
    cached = getattr(user, _HEADED_CACHE_ATTR, None)
    if cached is None:
        cached = frozenset(
            ServiceMembership.objects.filter(
                user_id=user.pk, role=ServiceMembership.Role.HEAD, service__is_active=True
            ).values_list("service_id", flat=True)
        )
        setattr(user, _HEADED_CACHE_ATTR, cached)
    return cached


def may_enter_admin(user: Any) -> bool:
    """Active staff, as Django has it, and active heads of an active service."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return bool(user.is_staff or headed_service_ids(user))


def has_own_permission(user: Any, model: type[Model]) -> bool:
    """The person holds Django's view or change permission on the model (superusers do)."""
    opts = model._meta
    return any(
        user.has_perm(f"{opts.app_label}.{get_permission_codename(action, opts)}")
        for action in ("view", "change")
    )


class DelegatedAdminMixin:
    """For a ModelAdmin whose rows belong to a service: heads without the model's permissions
    manage the rows of the services they head, and nothing else.

    `service_lookup` leads from the model to the service's id (`service_id`,
    `handling_service_id`, or `pk` for the Service itself). `delegated_add` and
    `delegated_delete` say whether heads may add and delete rows; `delegated_readonly` names the
    fields they see but may not change.
    """

    service_lookup = "service_id"
    delegated_add = True
    delegated_delete = False
    delegated_readonly: tuple[str, ...] = ()

    def is_delegated(self, request: HttpRequest) -> bool:
        """The person acts as a head of service here, not with permissions of their own."""
        return not has_own_permission(request.user, self.model)  # type: ignore[attr-defined]

    def headed(self, request: HttpRequest) -> frozenset[int]:
        return headed_service_ids(request.user)

    def in_scope(self, request: HttpRequest, obj: Any) -> bool:
        return getattr(obj, self.service_lookup) in self.headed(request)

    def _delegated_may(self, request: HttpRequest, obj: Any) -> bool:
        return bool(self.headed(request)) and (obj is None or self.in_scope(request, obj))

    def has_module_permission(self, request: HttpRequest) -> bool:
        if not self.is_delegated(request):
            return super().has_module_permission(request)  # type: ignore[misc]
        return bool(self.headed(request))

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if not self.is_delegated(request):
            return super().has_view_permission(request, obj)  # type: ignore[misc]
        return self._delegated_may(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if not self.is_delegated(request):
            return super().has_change_permission(request, obj)  # type: ignore[misc]
        return self._delegated_may(request, obj)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        if not self.is_delegated(request):
            return super().has_add_permission(request, *args)  # type: ignore[misc]
        return self.delegated_add and bool(self.headed(request))

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if not self.is_delegated(request):
            return super().has_delete_permission(request, obj)  # type: ignore[misc]
        return self.delegated_delete and self._delegated_may(request, obj)

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        queryset = super().get_queryset(request)  # type: ignore[misc]
        if not self.is_delegated(request):
            return queryset
        return queryset.filter(**{f"{self.service_lookup}__in": self.headed(request)})

    def get_prepopulated_fields(self, request: HttpRequest, obj: Any = None) -> dict:
        fields = super().get_prepopulated_fields(request, obj)  # type: ignore[misc]
        if not self.is_delegated(request):
            return fields
        return {
            name: sources for name, sources in fields.items() if name not in self.delegated_readonly
        }

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        fields = list(super().get_readonly_fields(request, obj))  # type: ignore[misc]
        if self.is_delegated(request):
            fields += [name for name in self.delegated_readonly if name not in fields]
        return fields


class DelegatedInlineMixin:
    """For an inline of a service's page (its members, its canned responses): a head without the
    inline model's permissions manages it on the services they head."""

    def _delegated(self, request: HttpRequest) -> bool:
        return not has_own_permission(request.user, self.model)  # type: ignore[attr-defined]

    def _may(self, request: HttpRequest, obj: Any) -> bool:
        headed = headed_service_ids(request.user)
        return bool(headed) and (obj is None or obj.pk in headed)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if not self._delegated(request):
            return super().has_view_permission(request, obj)  # type: ignore[misc]
        return self._may(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if not self._delegated(request):
            return super().has_change_permission(request, obj)  # type: ignore[misc]
        return self._may(request, obj)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if not self._delegated(request):
            return super().has_add_permission(request, obj)  # type: ignore[misc]
        return self._may(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if not self._delegated(request):
            return super().has_delete_permission(request, obj)  # type: ignore[misc]
        return self._may(request, obj)
