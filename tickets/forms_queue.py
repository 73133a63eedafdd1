"""Forms of the queues besides their filters (`forms_agent.QueueFilterForm`): a move on the
selected tickets, and a saved view."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from accounts.text import OneLineField
from categories.models import Category
from tickets import bulk, permissions
from tickets.forms_agent import DeskForm, RowsModelChoiceField
from tickets.models import Ticket

# What a saved view keeps of a queue's address: its tab, filters and sort, never its page.
VIEW_PARAMETERS = (
    "tab",
    "q",
    "service",
    "category",
    "status",
    "assignee",
    "priority",
    "created_from",
    "created_to",
    "sort",
)


def queue_query(query: str) -> str:
    """The query string of a queue's address, reduced to the known parameters."""
    given = QueryDict(query[:2000])
    kept = QueryDict(mutable=True)
    for name in VIEW_PARAMETERS:
        value = given.get(name, "").strip()
        if value:
            kept[name] = value
    return kept.urlencode()


def desk_members(user: Any):
    """The people of the person's services (every active agent for a superuser), by name."""
    people = get_user_model().objects.filter(is_active=True, service_memberships__isnull=False)
    if not user.is_superuser:
        people = people.filter(
            service_memberships__service_id__in=permissions.agent_service_ids(user)
        )
    return people.distinct().order_by("full_name", "email")


class TicketIdsField(forms.Field):
    """The checked tickets of a queue: their ids, at most `bulk.BULK_LIMIT`."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[int]:
        if not value:
            return []
        values = value if isinstance(value, list | tuple) else [value]
        try:
            ids = list(dict.fromkeys(int(item) for item in values))
        except (TypeError, ValueError) as error:
            raise forms.ValidationError(_("Choose tickets of the list.")) from error
        if any(pk <= 0 or pk > 2**31 - 1 for pk in ids):
            raise forms.ValidationError(_("Choose tickets of the list."))
        return ids

    def validate(self, value: list[int]) -> None:
        if not value:
            raise forms.ValidationError(_("Select at least one ticket."))
        if len(value) > bulk.BULK_LIMIT:
            raise forms.ValidationError(
                _("Select at most %(limit)s tickets at once.") % {"limit": bulk.BULK_LIMIT}
            )


def _people_rows(people) -> Iterator[tuple[int, str]]:
    for pk, full_name, email in people.values_list("pk", "full_name", "email"):
        yield pk, full_name or email


def _category_rows(categories) -> Iterator[tuple[int, str]]:
    rows = categories.values_list("pk", "depth", "name", "handling_service__name")
    for pk, depth, name, service in rows:
        yield pk, "{}{} ({})".format("— " * depth, name, service)


class BulkForm(DeskForm):
    """A move on the checked tickets; the button pressed names the move (`move`).

    `people`: the (pk, name) rows of the agents when the page already read them (the queue's
    filters did), to save their query.
    """

    move = forms.ChoiceField(choices=[(move.value, move.label) for move in bulk.BULK_MOVES])
    tickets = TicketIdsField()
    agent = RowsModelChoiceField(
        label=_("Assign to"),
        queryset=get_user_model().objects.none(),
        required=False,
        empty_label="—",
        option_rows=_people_rows,
    )
    priority = forms.TypedChoiceField(
        label=_("Priority"),
        choices=[("", "—"), *Ticket.Priority.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )
    category = RowsModelChoiceField(
        label=_("Transfer to"),
        queryset=Category.objects.none(),
        required=False,
        empty_label="—",
        option_rows=_category_rows,
    )

    def __init__(
        self,
        *args: Any,
        user: Any,
        people: Iterable[tuple[int, str]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agent"].queryset = desk_members(user)
        if people is not None:
            rows = list(people)
            self.fields["agent"].option_rows = lambda queryset: rows
        self.fields["category"].queryset = (
            Category.objects.active().filter(handling_service__is_active=True).order_by("tree_path")
        )
        for name in ("agent", "priority", "category"):
            self.fields[name].widget.attrs["class"] += " form-select-sm"

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        needs = {"assign": "agent", "change_priority": "priority", "transfer": "category"}
        field = needs.get(data.get("move", ""))
        if field and data.get(field) in (None, ""):
            self.add_error(field, _("Choose a value for this action."))
        return data

    def arguments(self) -> dict[str, Any]:
        """The move's arguments for `bulk.apply_bulk`."""
        data = self.cleaned_data
        return {
            name: data[name]
            for name in ("agent", "priority", "category")
            if data.get(name) not in (None, "")
        }


class SavedViewForm(forms.Form):
    name = OneLineField(label=_("Name of the view"), max_length=60)
    query = forms.CharField(required=False, max_length=4000, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs.update({"class": "form-control form-control-sm"})

    def clean_query(self) -> str:
        return queue_query(self.cleaned_data.get("query") or "")
