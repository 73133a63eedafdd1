"""The forms of the incidents' desk pages; each re-renders with the person's input on error."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from categories.models import Category, Service
from tickets import forms_agent


class IncidentForm(forms_agent.DeskForm):
    """A field's help text describes it for screen readers too (`incidents/_field.html`)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if field.help_text:
                field.widget.attrs["aria-describedby"] = f"{self[name].auto_id}_help"


class DeclareForm(IncidentForm):
    """Declare an incident: its service, public title and message, categories, start."""

    service = forms.ModelChoiceField(
        label=_("Service"), queryset=Service.objects.none(), empty_label=None
    )
    title = forms.CharField(
        label=_("Public title"),
        max_length=150,
        help_text=_("What people see first, e.g. “eduroam unavailable on the Cité campus”."),
    )
    message = forms.CharField(
        label=_("Public message"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What is known, what people can do meanwhile, when to expect news."),
    )
    categories = forms.ModelMultipleChoiceField(
        label=_("Affected categories"),
        queryset=Category.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Choosing one of them while filing a ticket shows the incident first."),
    )
    started_at = forms.DateTimeField(
        label=_("Start"),
        initial=timezone.now,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
    )

    def __init__(self, *args: Any, services: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = services
        self.fields["categories"].queryset = (
            Category.objects.filter(handling_service__in=services, is_active=True)
            .select_related("handling_service")
            .order_by("handling_service__name", "tree_path")
        )
        self.fields["categories"].label_from_instance = lambda c: (
            f"{c.handling_service.name} › {c.name}"
        )
        self.fields["categories"].widget.attrs["class"] = "form-check-input"

    def clean(self) -> dict:
        data = super().clean()
        service, categories = data.get("service"), data.get("categories")
        if service and categories and any(c.handling_service_id != service.pk for c in categories):
            self.add_error("categories", _("Choose categories handled by the service."))
        started = data.get("started_at")
        if started and started > timezone.now():
            self.add_error("started_at", _("The start cannot be in the future."))
        return data


class TextForm(IncidentForm):
    text = forms.CharField(label=_("Public update"), widget=forms.Textarea(attrs={"rows": 4}))


class ResolveForm(IncidentForm):
    text = forms.CharField(label=_("Resolution"), widget=forms.Textarea(attrs={"rows": 4}))
    request_closure = forms.BooleanField(
        label=_("Also request the closure of every linked ticket with this resolution"),
        required=False,
        help_text=_(
            "Each ticket goes through its own closure request; an untaken ticket is taken first. "
            "Tickets that cannot be closed now keep their status and are listed."
        ),
    )


class TicketIds(forms.Field):
    """Ticket ids from checkboxes of one name."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[int]:
        ids = []
        for item in value or []:
            if not str(item).isdigit():
                raise forms.ValidationError(_("Choose tickets from the list."))
            ids.append(int(item))
        return ids


class LinkForm(IncidentForm):
    """Ticket numbers typed by hand ("12, 15 #18") or ticked among the proposed tickets."""

    references = forms.CharField(
        label=_("Ticket numbers"),
        required=False,
        max_length=500,
        help_text=_("Separated by spaces or commas, e.g. 12 15 18."),
    )
    # The ticked proposed tickets; whether the agent may link them is the move's business.
    tickets = TicketIds(required=False)

    def clean(self) -> dict:
        data = super().clean()
        ids: list[int] = list(data.get("tickets") or [])
        for word in (data.get("references") or "").replace(",", " ").replace(";", " ").split():
            word = word.lstrip("#").strip()
            if not word.isdigit():
                self.add_error(
                    "references", _("“%(value)s” is not a ticket number.") % {"value": word}
                )
                continue
            ids.append(int(word))
        if not ids and not self.errors:
            raise forms.ValidationError(_("Choose or type the tickets to link."))
        data["ids"] = list(dict.fromkeys(ids))
        return data
