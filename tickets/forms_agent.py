"""Forms of the agents' workspace: queue filters and one form per move on a ticket.

Each action form has a prefix (the move's name) so that the many forms of one ticket page never
share an HTML id.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.forms.models import ModelChoiceIterator
from django.utils.translation import gettext_lazy as _

from accounts.text import MultiLineField
from categories.models import Category, Service, ServiceMembership
from tickets import permissions
from tickets.forms import describe_upload
from tickets.models import Ticket
from tickets.selectors import queues

UNASSIGNED = "none"


class DeskForm(forms.Form):
    """Bootstrap classes on every widget; a field in error points to its message."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    def full_clean(self) -> None:
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                # The error joins what already describes the field (an upload's limits).
                described_by = widget.attrs.get("aria-describedby", "").split()
                described_by.append(f"{self[name].auto_id}_error")
                widget.attrs["aria-describedby"] = " ".join(dict.fromkeys(described_by))
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid"


class RowsChoiceIterator(ModelChoiceIterator):
    """Options read as (pk, label) rows, without a model instance per option."""

    def __iter__(self) -> Iterator[tuple[Any, str]]:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        yield from self.field.option_rows(self.queryset)


class RowsModelChoiceField(forms.ModelChoiceField):
    """A ModelChoiceField whose drop-down list is built from a few columns of each row.

    The ticket page offers every category of the tree to transfer to and the service's agents:
    building a model instance for each option cost more than the rest of the form
    (bench/README.md, "Figures behind the code"). Validation still reads the chosen row through
    the queryset, as usual.
    `option_rows(queryset)` yields (pk, label) pairs.
    """

    iterator = RowsChoiceIterator

    def __init__(self, *args: Any, option_rows: Callable[[QuerySet], Iterable], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.option_rows = option_rows


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def _name_rows(queryset: QuerySet) -> Iterable[tuple[Any, str]]:
    """(pk, name) rows: services and categories are shown by their name (their `__str__`)."""
    return queryset.values_list("pk", "name")


class QueueFilterForm(DeskForm):
    """The filters of a queue, read from the query string so that a view can be bookmarked."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "aria-describedby": "search-help"}),
    )
    service = RowsModelChoiceField(
        label=_("Service"),
        queryset=Service.objects.none(),
        required=False,
        empty_label=_("All"),
        option_rows=_name_rows,
    )
    category = RowsModelChoiceField(
        label=_("Category"),
        queryset=Category.objects.none(),
        required=False,
        empty_label=_("All"),
        option_rows=_name_rows,
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All")), *Ticket.Status.choices], required=False
    )
    assignee = forms.ChoiceField(label=_("Assigned agent"), required=False)
    priority = forms.TypedChoiceField(
        label=_("Priority"),
        choices=[("", _("All")), *Ticket.Priority.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )
    created_from = forms.DateField(label=_("Created from"), required=False, widget=DateInput)
    created_to = forms.DateField(label=_("Created until"), required=False, widget=DateInput)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        services = Service.objects.all()
        if not user.is_superuser:
            services = services.filter(pk__in=permissions.agent_service_ids(user))
        self.fields["service"].queryset = services
        self.fields["category"].queryset = Category.objects.filter(
            handling_service__in=services
        ).order_by("name", "pk")
        members = (
            get_user_model()
            .objects.filter(service_memberships__service__in=services)
            .distinct()
            .order_by("full_name", "email")
            .values_list("pk", "full_name", "email")
        )
        # The (pk, name) rows of the agents, also for the queue's other forms (read once per
        # page); a filter on one of them names them by id.
        self.people = [(pk, full_name or email) for pk, full_name, email in members]
        self.fields["assignee"].choices = [
            ("", _("Anyone")),
            (UNASSIGNED, _("Nobody")),
            *((str(pk), name) for pk, name in self.people),
        ]
        self._members = {str(pk): pk for pk, _name in self.people}
        for field in self.fields.values():
            select = isinstance(field.widget, forms.Select)
            field.widget.attrs["class"] += " form-select-sm" if select else " form-control-sm"

    def filters(self) -> queues.Filters:
        """The valid filters; an invalid value is ignored rather than blocking the list."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        assignee = data.get("assignee") or ""
        return queues.Filters(
            q=data.get("q") or "",
            service=data.get("service"),
            category=data.get("category"),
            status=data.get("status") or "",
            assignee=self._members.get(assignee),
            unassigned=assignee == UNASSIGNED,
            priority=data.get("priority"),
            created_from=data.get("created_from"),
            created_to=data.get("created_to"),
        )


class AvailabilityForm(forms.Form):
    """The availability switch of one of the person's services, on the desk's home page:
    `available` is "1" (available) or "0"."""

    # Ids past a bigint name no service; the bound keeps them from reaching the database.
    service = forms.IntegerField(min_value=1, max_value=2**63 - 1)
    available = forms.BooleanField(required=False, widget=forms.HiddenInput)


def _text(label: str, required: bool = True, rows: int = 4) -> forms.CharField:
    return MultiLineField(
        label=label,
        required=required,
        strip=True,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class EmptyForm(DeskForm):
    """A move that needs nothing but a button (take, release)."""


def _agent_options(users: QuerySet) -> Iterator[tuple[int, str]]:
    for pk, full_name, email in users.values_list("pk", "full_name", "email"):
        yield pk, full_name or email


def _category_options(categories: QuerySet) -> Iterator[tuple[int, str]]:
    rows = categories.values_list("pk", "depth", "name", "handling_service__name")
    for pk, depth, name, service in rows:
        yield pk, "{}{} ({})".format("— " * depth, name, service)


class AssignForm(DeskForm):
    agent = RowsModelChoiceField(
        label=_("Agent"), queryset=get_user_model().objects.none(), option_rows=_agent_options
    )

    def __init__(self, *args: Any, ticket: Ticket, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        members = ServiceMembership.objects.filter(service_id=ticket.service_id)
        if not permissions.leads(ticket, user):
            # A plain agent hands tickets to agents (or to themselves), not to the head.
            members = members.filter(Q(role=ServiceMembership.Role.AGENT) | Q(user=user))
        self.fields["agent"].queryset = (
            get_user_model()
            .objects.filter(pk__in=members.values("user_id"), is_active=True)
            .order_by("full_name", "email")
        )


class QuestionForm(DeskForm):
    question = _text(_("Your question to the requester"))


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; each is checked by services.validate_upload."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list:
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data if item]
        return [super().clean(data, initial)] if data else []


class CommentForm(DeskForm):
    """A public comment (the agent's reply) or an internal note: the mode chosen, or the button
    pressed on a page opened before there were modes, decides (either one saying "internal" is
    enough: a doubt never sends a note to the requester)."""

    PUBLIC = "public"
    INTERNAL = "internal"

    text = _text(_("Message"), required=False, rows=3)
    files = MultipleFileField(label=_("Files"), required=False)

    def __init__(self, *args: Any, internal: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.internal = internal
        describe_upload(self, "files")

    def clean(self) -> dict:
        data = super().clean()
        if not data.get("text") and not data.get("files"):
            self.add_error("text", _("Please write a message."))
        return data


class ClosureForm(DeskForm):
    resolution = _text(_("Resolution (sent to the requester)"))


class TransferForm(DeskForm):
    category = RowsModelChoiceField(
        label=_("New category"), queryset=Category.objects.none(), option_rows=_category_options
    )
    note = _text(_("Note for the agents (internal)"), required=False, rows=3)

    def __init__(self, *args: Any, ticket: Ticket, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["category"]
        field.queryset = (
            Category.objects.active()
            .filter(handling_service__is_active=True)
            .exclude(pk=ticket.category_id)
            .order_by("tree_path")
        )


class RejectForm(DeskForm):
    reason = _text(_("Reason (sent to the requester)"))


class ReopenForm(DeskForm):
    reason = _text(_("Why the ticket is reopened"), rows=3)


class PriorityForm(DeskForm):
    priority = forms.TypedChoiceField(
        label=_("Priority"), choices=Ticket.Priority.choices, coerce=int
    )


class AttachmentForm(DeskForm):
    file = forms.FileField(label=_("File"))
    internal = forms.BooleanField(label=_("Visible to agents only"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        describe_upload(self, "file")


# --- Postponing, merging, linking, correcting ----------------------------------------------------


class PostponeForm(DeskForm):
    """Until when the ticket is set aside, and why (the requester reads both)."""

    until = forms.DateField(label=_("Back in progress on"), widget=DateInput)
    reason = _text(_("Reason (sent to the requester)"), rows=3)

    def clean_until(self) -> Any:
        from django.utils import timezone

        until = self.cleaned_data["until"]
        if until <= timezone.localdate():
            raise forms.ValidationError(_("Please choose a day after today."))
        return until


# Ticket numbers past a bigint name no ticket; the bound keeps them from reaching the database.
def _ticket_number(label: str) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        min_value=1,
        max_value=2**63 - 1,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )


class MergeForm(DeskForm):
    """The number of the ticket that receives this duplicate."""

    into = _ticket_number(_("Number of the ticket to merge into"))


class LinkForm(DeskForm):
    other = _ticket_number(_("Number of the related ticket"))


class UnlinkForm(DeskForm):
    other = forms.ModelChoiceField(label=_("Related ticket"), queryset=Ticket.objects.none())

    def __init__(self, *args: Any, ticket: Ticket, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["other"]
        field.queryset = Ticket.objects.filter(
            Q(links_to__from_ticket=ticket) | Q(links_from__to_ticket=ticket)
        ).order_by("pk")
        field.label_from_instance = str


class SubjectForm(DeskForm):
    subject = forms.CharField(label=_("Subject"), max_length=200, strip=True)


class CategoryForm(DeskForm):
    """A category of the ticket's own service (another service's is a transfer)."""

    category = RowsModelChoiceField(
        label=_("Category"), queryset=Category.objects.none(), option_rows=_category_options
    )

    def __init__(self, *args: Any, ticket: Ticket, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = (
            Category.objects.active()
            .filter(handling_service_id=ticket.service_id)
            .order_by("tree_path")
        )
