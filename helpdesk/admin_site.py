"""Django's admin, signing people in through the site's own sign-in page.

The admin's login form would be a second door with no limit on failed passwords: its login page
sends people to allauth's (next: where they were going), whose limits count every failure, and the
admin's own checks still decide who enters: active staff, and heads of service, who find there
only their own services' pages (`categories.delegation`).
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme


class AdminSite(admin.AdminSite):
    def has_permission(self, request: HttpRequest) -> bool:
        """Active staff, and active heads of an active service (who see their services alone)."""
        # Imported here: this module loads with the apps, before the models it reads.
        from categories import delegation

        return delegation.may_enter_admin(request.user)

    def index(self, request: HttpRequest, extra_context: dict | None = None) -> TemplateResponse:
        """The index, with the outbox's figures and the broker's state for the staff who run the
        helpdesk (templates/admin/index.html); heads of service get their pages alone."""
        # Imported here: this module loads with the apps, before the models it reads.
        from helpdesk import monitoring

        if not request.user.is_staff:
            return super().index(request, extra_context)
        _ready, health = monitoring.readiness()
        return super().index(request, {**(extra_context or {}), "health": health})

    def login(
        self, request: HttpRequest, extra_context: dict | None = None
    ) -> HttpResponseRedirect:
        """Sends the visitor to the site's sign-in page, then back to `next` (the admin's index by
        default). A person already signed in without access to the admin gets a 403: signing in
        again would bring them back here."""
        index = reverse("admin:index", current_app=self.name)
        target = request.GET.get("next", "")
        if not url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            target = index
        if request.user.is_authenticated:
            if self.has_permission(request):
                return HttpResponseRedirect(target)
            raise PermissionDenied
        return HttpResponseRedirect(f"{reverse('account_login')}?{urlencode({'next': target})}")


class HelpdeskAdminConfig(AdminConfig):
    default_site = "helpdesk.admin_site.AdminSite"
