"""Forms a requester fills: a new ticket, a comment, an attachment, a refusal, a reopening."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.forms.utils import ErrorList
from django.utils.translation import gettext_lazy as _

from accounts.text import MultiLineField, OneLineField
from categories.models import Category, Service
from tickets.models import Ticket


class FieldErrorList(ErrorList):
    """Errors shown under their field in Bootstrap's style; Django gives the list its id."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("error_class", "invalid-feedback d-block")
        super().__init__(*args, **kwargs)


class RequesterForm(forms.Form):
    """Bootstrap classes on every widget, errors listed next to their field."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("error_class", FieldErrorList)
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select")
            elif not widget.is_hidden:
                widget.attrs.setdefault("class", "form-control")


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented pattern); cleans to a list of files."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"multiple": True}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list:
        single_file_clean = super().clean
        if isinstance(data, list | tuple):
            files = [single_file_clean(item, initial) for item in data if item]
        else:
            files = [single_file_clean(data, initial)] if data else []
        if self.required and not files:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        return files


@dataclass(frozen=True)
class UploadLimits:
    """What an upload field accepts, as `services.validate_upload` checks it."""

    max_bytes: int
    size: str
    extensions: tuple[str, ...]

    @property
    def types(self) -> str:
        return ", ".join(self.extensions)

    @property
    def accept(self) -> str:
        return ",".join(f".{extension}" for extension in self.extensions)


def upload_limits() -> UploadLimits:
    """The size limit (in the active language) and the accepted types of every upload."""
    from tickets import services

    max_bytes = services._max_bytes()
    return UploadLimits(
        max_bytes=max_bytes,
        size=services.human_size(max_bytes),
        extensions=tuple(services._allowed_extensions()),
    )


def describe_upload(form: forms.Form, name: str) -> None:
    """The file field says its limits before anything is chosen: the limits text (rendered by
    tickets/_upload_field.html) is part of its description, the browser's file chooser offers
    the accepted types, and the page's script knows the size limit."""
    field = form.fields[name]
    limits = upload_limits()
    field.limits = limits
    bound = form[name]
    described_by = [f"{bound.auto_id}_limits"]
    if field.help_text:
        described_by.append(f"{bound.auto_id}_helptext")
    field.widget.attrs.update(
        {
            "accept": limits.accept,
            "data-max-bytes": str(limits.max_bytes),
            "aria-describedby": " ".join(described_by),
        }
    )


def validate_uploads(files: list) -> list:
    """Runs the helpdesk's upload rules (size limit, allowed types) on each file."""
    from tickets import services

    errors: list[forms.ValidationError] = []
    for file in files:
        try:
            services.validate_upload(file)
        except forms.ValidationError as error:
            errors.append(error)
    if errors:
        raise forms.ValidationError(errors)
    return files


DESCRIPTION_HINT = _(
    "Describe your problem in detail and give an example (what you typed, where, when) so that "
    "the service can reproduce it. Attach screenshots of the error messages."
)


class TicketCreateForm(RequesterForm):
    """A new ticket in a category already chosen; priority only where the service allows it."""

    category = forms.ModelChoiceField(
        queryset=Category.objects.active().filter(handling_service__is_active=True),
        to_field_name="slug",
        widget=forms.HiddenInput,
    )
    subject = OneLineField(label=_("Subject"), max_length=200)
    description = MultiLineField(
        label=_("Description"),
        help_text=DESCRIPTION_HINT,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    attachments = MultipleFileField(
        label=_("Attachments"),
        required=False,
        help_text=_("Optional: screenshots or documents. You can add more files later."),
    )
    priority = forms.TypedChoiceField(
        label=_("Priority"),
        choices=Ticket.Priority.choices,
        coerce=int,
        initial=Ticket.Priority.NORMAL,
    )

    def __init__(self, *args: Any, service: Service | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if service is None or not service.requester_can_set_priority:
            del self.fields["priority"]
        describe_upload(self, "attachments")

    def clean_attachments(self) -> list:
        return validate_uploads(self.cleaned_data["attachments"])

    def mark_files_lost(self) -> None:
        """Browsers cannot keep chosen files across a page load: the file input points at the
        notice asking to select them again."""
        bound = self["attachments"]
        described_by = [bound.auto_id + "_reselect", bound.auto_id + "_limits"]
        if bound.help_text:
            described_by.append(bound.auto_id + "_helptext")
        if bound.errors:
            described_by.append(bound.auto_id + "_error")
        self.fields["attachments"].widget.attrs["aria-describedby"] = " ".join(described_by)


class CommentForm(RequesterForm):
    prefix = "comment"

    text = MultiLineField(
        label=_("Your comment"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The service is told of your comment by email."),
    )
    files = MultipleFileField(label=_("Attachments (optional)"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        describe_upload(self, "files")

    def clean_files(self) -> list:
        return validate_uploads(self.cleaned_data["files"])


class AttachmentForm(RequesterForm):
    prefix = "attachment"

    files = MultipleFileField(label=_("Files to add"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        describe_upload(self, "files")

    def clean_files(self) -> list:
        return validate_uploads(self.cleaned_data["files"])


class RefuseClosureForm(RequesterForm):
    """A refusal must say why, so the agent understands what is still wrong."""

    prefix = "refuse"

    reason = MultiLineField(
        label=_("Why is your problem not solved?"),
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Please explain why you refuse the closure.")},
    )

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(self.fields["reason"].error_messages["required"])
        return reason


class ReopenForm(RequesterForm):
    prefix = "reopen"

    reason = MultiLineField(
        label=_("Why do you reopen this ticket?"),
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Please explain why you reopen the ticket.")},
    )


class CancelForm(RequesterForm):
    prefix = "cancel"

    reason = MultiLineField(
        label=_("Reason (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
