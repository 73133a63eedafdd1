from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from categories.delegation import DelegatedAdminMixin, headed_service_ids
from categories.models import Category
from mailgateway import imap, services
from mailgateway.models import FailingAddress, InboundMessage, Mailbox


class MailboxForm(forms.ModelForm):
    class Meta:
        model = Mailbox
        fields = [
            *("service", "name", "is_active", "host", "port", "security", "username"),
            *("password_env", "folder", "category", "unknown_sender_policy"),
        ]

    def clean(self) -> dict:
        data = super().clean()
        # A head's form shows the service without letting them change it.
        service = data.get("service") or (self.instance.service if self.instance.pk else None)
        category = data.get("category")
        if service and category and category.handling_service_id != service.pk:
            raise ValidationError(
                {"category": _("Choose a category handled by the mailbox's service.")}
            )
        return data


@admin.register(Mailbox)
class MailboxAdmin(DelegatedAdminMixin, admin.ModelAdmin):
    """A service's mailbox; its password is named, never shown: the admin only says whether the
    variable is set in the environment of this process.

    Heads of service run their services' mailboxes (on or off, folder, category, unknown senders,
    the connection test); the connection itself is an administrator's: a password variable names
    a secret of the server's environment, which must never be sent to a server a head chooses.
    """

    delegated_add = False
    delegated_readonly = ("service", "host", "port", "security", "username", "password_env")
    form = MailboxForm
    list_display = [
        "name",
        "service",
        "username",
        "host",
        "is_active",
        "password_set",
        "unknown_sender_policy",
        "last_polled_at",
        "has_error",
    ]
    list_filter = [
        "is_active",
        ("service", admin.RelatedOnlyFieldListFilter),
        "unknown_sender_policy",
    ]
    search_fields = ["name", "username", "host"]
    list_select_related = ["service"]
    readonly_fields = ["password_set", "last_polled_at", "last_error", "last_uid", "uidvalidity"]
    actions = ["check_connection"]
    fieldsets = [
        (None, {"fields": ["service", "name", "is_active"]}),
        (
            _("Server"),
            {"fields": ["host", "port", "security", "username", "password_env", "password_set"]},
        ),
        (_("Messages"), {"fields": ["folder", "category", "unknown_sender_policy"]}),
        (_("Reading"), {"fields": ["last_polled_at", "last_error", "last_uid", "uidvalidity"]}),
    ]

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "category" and self.is_delegated(request):
            headed = headed_service_ids(request.user)
            kwargs["queryset"] = Category.objects.filter(handling_service__in=headed)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=_("password variable set"), boolean=True)
    def password_set(self, obj: Mailbox) -> bool:
        return obj.password_is_set

    @admin.display(description=_("reading works"), boolean=True)
    def has_error(self, obj: Mailbox) -> bool:
        return not bool(obj.last_error)

    @admin.action(description=_("Test the connection to the selected mailboxes"))
    def check_connection(self, request: HttpRequest, queryset: QuerySet[Mailbox]) -> None:
        for mailbox in queryset:
            try:
                count = imap.check_connection(mailbox)
            except Exception as error:  # noqa: BLE001 - any failure is reported as it is
                self.message_user(
                    request,
                    _("%(mailbox)s: the connection failed (%(error)s).")
                    % {"mailbox": mailbox.name, "error": f"{type(error).__name__}: {error}"},
                    messages.ERROR,
                )
            else:
                self.message_user(
                    request,
                    _("%(mailbox)s: connected, %(count)d message(s) in the folder.")
                    % {"mailbox": mailbox.name, "count": count},
                    messages.SUCCESS,
                )


class ReleaseForm(forms.Form):
    requester = forms.EmailField(
        label=_("Email address of the requester"),
        help_text=_("The ticket is filed for the person with this account."),
    )

    def clean_requester(self) -> object:
        email = self.cleaned_data["requester"]
        person = get_user_model().objects.filter(email__iexact=email, is_active=True).first()
        if person is None:
            raise ValidationError(_("No active account has this email address."))
        return person


@admin.register(InboundMessage)
class InboundMessageAdmin(admin.ModelAdmin):
    """Every message read from the mailboxes and what became of it; held ones wait here."""

    list_display = ["received_at", "mailbox", "sender", "subject", "status", "ticket_link"]
    list_filter = ["status", "mailbox", ("received_at", admin.DateFieldListFilter)]
    search_fields = ["sender", "subject", "message_id", "outcome"]
    date_hierarchy = "received_at"
    list_select_related = ["mailbox"]
    actions = ["release", "discard"]
    readonly_fields = [
        "mailbox",
        "uid",
        "uidvalidity",
        "message_id",
        "duplicate_of",
        "sender",
        "subject",
        "size",
        "received_at",
        "status",
        "outcome",
        "ticket",
        "event",
    ]
    exclude = ["raw"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    @admin.display(description=_("ticket"))
    def ticket_link(self, obj: InboundMessage) -> str:
        return f"#{obj.ticket_id}" if obj.ticket_id else "-"

    @admin.action(description=_("File the selected held messages as tickets for a person"))
    def release(
        self, request: HttpRequest, queryset: QuerySet[InboundMessage]
    ) -> HttpResponse | None:
        held = queryset.filter(
            status__in=[InboundMessage.Status.HELD, InboundMessage.Status.FAILED]
        )
        form = ReleaseForm(request.POST if "requester" in request.POST else None)
        if form.is_bound and form.is_valid():
            done = 0
            for message in held:
                try:
                    services.release(message=message, requester=form.cleaned_data["requester"])
                except ValidationError as error:
                    self.message_user(
                        request, f"{message}: {' '.join(error.messages)}", messages.ERROR
                    )
                else:
                    done += 1
            self.message_user(
                request,
                ngettext(
                    "%(count)d message filed as a ticket.",
                    "%(count)d messages filed as tickets.",
                    done,
                )
                % {"count": done},
                messages.SUCCESS,
            )
            return None
        return render(
            request,
            "mailgateway/admin_release.html",
            {
                **self.admin_site.each_context(request),
                "title": _("File held messages as tickets"),
                "form": form,
                "messages_held": held,
                "opts": self.model._meta,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
        )

    @admin.action(description=_("Discard the selected held messages"))
    def discard(self, request: HttpRequest, queryset: QuerySet[InboundMessage]) -> None:
        held = queryset.filter(
            status__in=[InboundMessage.Status.HELD, InboundMessage.Status.FAILED]
        )
        count = 0
        for message in held:
            services.discard(message=message)
            count += 1
        self.message_user(
            request,
            ngettext("%(count)d message discarded.", "%(count)d messages discarded.", count)
            % {"count": count},
            messages.SUCCESS,
        )


@admin.register(FailingAddress)
class FailingAddressAdmin(admin.ModelAdmin):
    """Addresses our emails bounce from; deleting a row clears the mark (the address works
    again)."""

    list_display = ["email", "count", "first_bounce_at", "last_bounce_at"]
    search_fields = ["email"]
    readonly_fields = ["first_bounce_at", "last_bounce_at", "count", "reason"]
