"""Forms of the people around a ticket: inviting someone, filing a ticket for someone."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.text import MultiLineField, OneLineField
from categories.models import Category
from tickets.forms import RequesterForm
from tickets.models import Ticket


class PersonForm(RequesterForm):
    """A person named by their name or email address (`who`); when a name finds several
    people, the page lists them and the choice comes back as `person` (their email address)."""

    who = OneLineField(
        label=_("Name or email address"),
        max_length=254,
        help_text=_("Someone the helpdesk does not know yet: type their email address."),
    )
    person = forms.CharField(required=False, widget=forms.HiddenInput, max_length=254)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["who"].widget.attrs.update(autocomplete="off")


class InviteForm(PersonForm):
    pass


# How an agent received a request they file for someone.
ON_BEHALF_ORIGINS = (
    (Ticket.Origin.PHONE, pgettext_lazy("ticket origin", "Phone")),
    (Ticket.Origin.COUNTER, pgettext_lazy("ticket origin", "Counter")),
    (Ticket.Origin.EMAIL, pgettext_lazy("ticket origin", "Email")),
)


class CategoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Category) -> str:
        parent = f"{obj.parent.name} › " if obj.parent_id else ""
        return f"{parent}{obj.name} ({obj.handling_service.name})"


class OnBehalfForm(PersonForm):
    """A ticket an agent files for a caller or a visitor at the counter."""

    category = CategoryChoiceField(label=_("Category"), queryset=Category.objects.none())
    origin = forms.ChoiceField(
        label=_("How the request reached you"), choices=ON_BEHALF_ORIGINS, initial="phone"
    )
    subject = OneLineField(label=_("Subject"), max_length=200)
    description = MultiLineField(
        label=_("Description"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("The person reads it on their ticket: write it for them."),
    )
    internal_note = MultiLineField(
        label=_("Internal note (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For the service's agents only; the person never sees it."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["who"].label = _("Person the ticket is for")
        self.fields["category"].queryset = (
            Category.objects.filter(is_active=True, handling_service__is_active=True)
            .select_related("parent", "handling_service")
            .order_by("parent__name", "name")
        )
