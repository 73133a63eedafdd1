"""Administration of services (with their members) and of the category tree.

The tree reads at a glance: the changelist lists categories depth-first, each name indented by
its depth ("— — Wi-Fi"). A category that has tickets (or sub-categories) is deactivated, never
deleted: tickets keep pointing at the category they were filed in.

Heads of service use these pages too, for the services they head only (`categories.delegation`).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.text import OneLineAdminMixin
from categories import services
from categories.delegation import DelegatedAdminMixin, DelegatedInlineMixin, headed_service_ids
from categories.models import Affiliation, CannedResponse, Category, Service, ServiceMembership

INDENT = "— "


class PersonByEmailField(forms.ModelChoiceField):
    """A person named by their email address: heads of service add members without browsing
    every account of the university."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.EmailInput)
        kwargs.setdefault(
            "help_text", _("The person's email address; they must have signed in once.")
        )
        super().__init__(
            queryset=get_user_model().objects.all(),
            to_field_name="email",
            **kwargs,
        )

    def prepare_value(self, value: Any) -> Any:
        # A member's row shows their address, not their key.
        if isinstance(value, int):
            return self.queryset.filter(pk=value).values_list("email", flat=True).first() or ""
        return super().prepare_value(value)

    def to_python(self, value: Any) -> Any:
        if value in self.empty_values:
            return None
        person = self.queryset.filter(email__iexact=str(value).strip()).first()
        if person is None:
            raise ValidationError(
                _("No account has this address: the person signs in once, then is added."),
                code="invalid_choice",
            )
        return person


class MembershipFormSet(forms.BaseInlineFormSet):
    """A head never removes or lowers their own head role: only an administrator does."""

    request: HttpRequest | None = None

    def add_fields(self, form: forms.Form, index: int | None) -> None:
        """A row's inputs are named by their column (the table's headers label no input)."""
        super().add_fields(form, index)
        for field in form.fields.values():
            # The admin wraps related fields' widgets (add and change links).
            widget = getattr(field.widget, "widget", field.widget)
            if field.label and not widget.is_hidden:
                widget.attrs.setdefault("aria-label", str(field.label))

    def clean(self) -> None:
        super().clean()
        user = getattr(self.request, "user", None)
        if user is None or user.is_superuser:
            return
        for form in self.forms:
            instance = form.instance
            if instance.pk is None or instance.user_id != user.pk:
                continue
            if instance.role != ServiceMembership.Role.HEAD and form.initial.get("role") != (
                ServiceMembership.Role.HEAD
            ):
                continue
            data = form.cleaned_data or {}
            if (
                data.get("DELETE")
                or data.get("role") != ServiceMembership.Role.HEAD
                or (data.get("user") is not None and data["user"].pk != user.pk)
            ):
                raise ValidationError(
                    _("You cannot remove your own head role; an administrator can."),
                    code="own_head_role",
                )


class ServiceMembershipInline(DelegatedInlineMixin, admin.TabularInline):
    model = ServiceMembership
    formset = MembershipFormSet
    extra = 1
    fields = ["user", "role", "is_available"]
    autocomplete_fields = ["user"]
    verbose_name = _("member")
    verbose_name_plural = _("members (agents and service head)")

    def get_autocomplete_fields(self, request: HttpRequest) -> list[str]:
        # The people's list is the administrators'; heads name a person by address.
        return [] if self._delegated(request) else list(self.autocomplete_fields)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "user" and self._delegated(request):
            return PersonByEmailField(label=db_field.verbose_name)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        formset = super().get_formset(request, obj, **kwargs)
        formset.request = request
        return formset


class CannedResponseInline(DelegatedInlineMixin, admin.StackedInline):
    model = CannedResponse
    extra = 0
    fields = ["title", "body", "is_active"]


@admin.register(Service)
class ServiceAdmin(DelegatedAdminMixin, OneLineAdminMixin, admin.ModelAdmin):
    # Heads run their service's members, rules and canned responses; an administrator creates,
    # names, and closes services.
    service_lookup = "pk"
    delegated_add = False
    delegated_readonly = ("name", "slug", "is_active")
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


class LinesField(forms.CharField):
    """A list of names, one per line (directory groups)."""

    widget = forms.Textarea(attrs={"rows": 3})

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list):
            return "\n".join(str(item) for item in value)
        return value

    def to_python(self, value: Any) -> list[str]:
        text = super().to_python(value) or ""
        return list(dict.fromkeys(line.strip() for line in text.splitlines() if line.strip()))


class CategoryAdminForm(forms.ModelForm):
    """The audiences as checkboxes and lines; a confidential category names its agents, members
    of its service."""

    audience_affiliations = forms.MultipleChoiceField(
        label=_("offered to the affiliations"),
        choices=Affiliation.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=Category._meta.get_field("audience_affiliations").help_text,
    )
    audience_groups = LinesField(
        label=_("offered to the directory groups"),
        required=False,
        help_text=Category._meta.get_field("audience_groups").help_text,
    )

    class Meta:
        model = Category
        fields = [
            *("parent", "name", "slug", "help_text", "service", "ordering", "is_active"),
            *("assignment_mode", "assignment_agent", "audience_affiliations", "audience_groups"),
            *("is_confidential", "confidential_agents"),
        ]

    def clean(self) -> dict:
        data = super().clean()
        if not data.get("is_confidential"):
            return data
        agents = list(data.get("confidential_agents") or [])
        if not agents:
            self.add_error(
                "confidential_agents",
                _("Name the agents who handle these tickets: nobody else will see them."),
            )
            return data
        parent = data.get("parent")
        service = data.get("service") or (parent.handling_service if parent else None)
        if service is not None:
            members = set(
                ServiceMembership.objects.filter(service=service).values_list("user_id", flat=True)
            )
            strangers = [str(agent) for agent in agents if agent.pk not in members]
            if strangers:
                self.add_error(
                    "confidential_agents",
                    _("Not members of the category's service: %(names)s.")
                    % {"names": ", ".join(strangers)},
                )
        fixed = data.get("assignment_agent")
        if (
            data.get("assignment_mode") == Category.AssignmentMode.FIXED
            and fixed is not None
            and fixed not in agents
        ):
            self.add_error(
                "assignment_agent",
                _("The agent who receives the new tickets must be named for the category."),
            )
        return data


@admin.register(Category)
class CategoryAdmin(DelegatedAdminMixin, OneLineAdminMixin, admin.ModelAdmin):
    service_lookup = "handling_service_id"
    form = CategoryAdminForm
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
    list_filter = [
        "is_active",
        ("handling_service", admin.RelatedOnlyFieldListFilter),
        DepthFilter,
        "is_confidential",
    ]
    search_fields = ["name", "slug", "help_text", "handling_service__name"]
    list_select_related = ["handling_service"]
    ordering = ["tree_path"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["parent", "service", "assignment_agent", "confidential_agents"]
    readonly_fields = ["handling_service", "confidential_scope"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "parent",
                    "name",
                    "slug",
                    "help_text",
                    "service",
                    "handling_service",
                    "ordering",
                    "is_active",
                ]
            },
        ),
        (_("Automatic assignment"), {"fields": ["assignment_mode", "assignment_agent"]}),
        (_("Audience"), {"fields": ["audience_affiliations", "audience_groups"]}),
        (
            _("Confidentiality"),
            {"fields": ["is_confidential", "confidential_agents", "confidential_scope"]},
        ),
    ]
    actions = ["deactivate", "activate"]

    def get_autocomplete_fields(self, request: HttpRequest) -> list[str]:
        # Heads choose among their own services' categories and members, listed in the form.
        return [] if self.is_delegated(request) else list(self.autocomplete_fields)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if self.is_delegated(request):
            headed = headed_service_ids(request.user)
            if db_field.name == "parent":
                kwargs["queryset"] = Category.objects.filter(handling_service__in=headed)
            elif db_field.name == "service":
                kwargs["queryset"] = Service.objects.filter(pk__in=headed)
                kwargs["required"] = False
            elif db_field.name == "assignment_agent":
                kwargs["queryset"] = _members_of(headed)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "confidential_agents" and self.is_delegated(request):
            kwargs["queryset"] = _members_of(headed_service_ids(request.user))
            kwargs["widget"] = forms.CheckboxSelectMultiple
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any):
        form = super().get_form(request, obj, change=change, **kwargs)
        if not self.is_delegated(request):
            return form
        headed = headed_service_ids(request.user)

        class DelegatedCategoryForm(form):  # type: ignore[misc, valid-type]
            def clean(self) -> dict:
                data = super().clean()
                if data.get("service") is None and data.get("parent") is None:
                    self.add_error(
                        "service", _("Choose the service, or a parent category, of your own.")
                    )
                moved = "parent" in self.changed_data
                closed = "is_active" in self.changed_data and not data.get("is_active")
                if (
                    self.instance.pk is not None
                    and (moved or closed)
                    and leads_to_other_services(self.instance, headed)
                ):
                    raise ValidationError(OTHER_SERVICES_BELOW, code="other_services_below")
                return data

        if obj is not None and obj.parent_id is not None:
            # A category of theirs below another service's keeps its place.
            parent_field = DelegatedCategoryForm.base_fields.get("parent")
            if parent_field is not None:
                parent_field.queryset = Category.objects.filter(
                    pk__in=[
                        obj.parent_id,
                        *Category.objects.filter(handling_service__in=headed).values_list(
                            "pk", flat=True
                        ),
                    ]
                )
        return DelegatedCategoryForm

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
        if self.is_delegated(request):
            headed = headed_service_ids(request.user)
            kept = [c.pk for c in queryset if leads_to_other_services(c, headed)]
            if kept:
                self.message_user(request, OTHER_SERVICES_BELOW, messages.WARNING)
                queryset = queryset.exclude(pk__in=kept)
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


OTHER_SERVICES_BELOW = _(
    "Categories of other services lie below this one: ask an administrator to move or "
    "deactivate it."
)


def leads_to_other_services(category: Category, headed: frozenset[int]) -> bool:
    """Categories handled by services the head does not head lie below this one: moving or
    deactivating it would move or hide them too."""
    return (
        Category.objects.filter(tree_path__startswith=category.tree_path)
        .exclude(pk=category.pk)
        .exclude(handling_service__in=headed)
        .exists()
    )


def _members_of(service_ids: frozenset[int]) -> QuerySet:
    """The people who work in these services (agents and heads)."""
    return (
        get_user_model()
        .objects.filter(service_memberships__service_id__in=service_ids, is_active=True)
        .distinct()
    )
