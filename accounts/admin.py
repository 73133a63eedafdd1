import json

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from accounts import personal_data
from accounts.models import User
from accounts.text import OneLineAdminMixin


@admin.register(User)
class UserAdmin(OneLineAdminMixin, BaseUserAdmin):
    one_line_fields = ("full_name",)
    ordering = ["email"]
    list_display = ["email", "full_name", "preferred_language", "is_staff", "is_active"]
    list_filter = ["is_staff", "is_superuser", "is_active", "preferred_language"]
    search_fields = ["email", "full_name", "directory_id"]
    # Copied from the university at each sign-in: an edit here would last until the next one.
    readonly_fields = ["directory_id", "affiliations", "department", "directory_groups"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal info"), {"fields": ("full_name", "preferred_language")}),
        (
            _("University directory"),
            {"fields": ("directory_id", "affiliations", "department", "directory_groups")},
        ),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "full_name", "password1", "password2")}),
    )
    actions = ["export_personal_data", "anonymize"]

    @admin.action(description=_("Export personal data (JSON)"), permissions=["change"])
    def export_personal_data(
        self, request: HttpRequest, queryset: QuerySet[User]
    ) -> HttpResponse | None:
        """Downloads everything held about one person (a request concerns one person: a file
        mixing several would have to be split before it is handed over)."""
        if queryset.count() != 1:
            self.message_user(
                request, gettext("Select exactly one person to export."), messages.WARNING
            )
            return None
        user = queryset.get()
        data = personal_data.export(user)
        response = HttpResponse(
            json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
            content_type="application/json; charset=utf-8",
        )
        filename = personal_data.export_filename(user)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        self.log_change(request, user, gettext("Exported personal data."))
        return response

    @admin.action(description=_("Anonymize people who left"), permissions=["change"])
    def anonymize(self, request: HttpRequest, queryset: QuerySet[User]) -> TemplateResponse | None:
        """Asks for confirmation, then replaces each person by a pseudonym (see
        accounts.personal_data.anonymize); the administrator cannot anonymize themselves."""
        people = list(queryset.exclude(pk=request.user.pk).order_by("pk"))
        if len(people) != queryset.count():
            self.message_user(
                request, gettext("You cannot anonymize your own account."), messages.ERROR
            )
            return None
        if request.POST.get("post") == "yes":
            for user in people:
                personal_data.anonymize(user)
                self.log_change(request, user, gettext("Anonymized."))
            self.message_user(
                request,
                ngettext(
                    "%(count)d person anonymized.", "%(count)d people anonymized.", len(people)
                )
                % {"count": len(people)},
                messages.SUCCESS,
            )
            return None
        rows = [
            {
                "user": user,
                "pseudonym": personal_data.pseudonym(user)[0],
                "already": personal_data.is_anonymized(user),
                # What the other apps keep or leave waiting (tickets filed, tickets assigned).
                **personal_data.preview(user),
            }
            for user in people
        ]
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Anonymize people who left"),
            "opts": self.model._meta,
            "rows": rows,
            "queryset": queryset,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "action_name": "anonymize",
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/accounts/user/anonymize_confirmation.html", context)
