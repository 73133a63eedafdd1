"""Text as people type it, cleaned before it is stored.

A one-line value (a subject, a name, a file name) loses every control character (C0, DEL, C1),
the bidirectional overrides and isolates, and the line and paragraph separators: they break
headers and logs, or make a name read backwards. A multi-line value keeps its line breaks and
tabs but loses the rest. Every app may import this module (accounts is the lowest layer).
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

_BIDI = "\u202a-\u202e\u2066-\u2069"
# Characters that separate words or lines: a space in a one-line value.
_BREAKS = re.compile("[\t\n\v\f\r\x1c-\x1f\x85\u2028\u2029]+")
_ONE_LINE_DROPPED = re.compile(f"[\x00-\x1f\x7f-\x9f{_BIDI}]")
_MULTI_LINE_DROPPED = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{_BIDI}]")


def clean_line(text: str) -> str:
    """The value on one line: breaks become a space, other controls and bidi overrides go,
    surrounding blanks are stripped."""
    text = _BREAKS.sub(" ", str(text))
    return _ONE_LINE_DROPPED.sub("", text).strip()


def clean_multiline(text: str) -> str:
    """The value with its line breaks and tabs kept (separators become a newline), without NUL,
    other controls or bidi overrides."""
    text = str(text).replace("\u2028", "\n").replace("\u2029", "\n").replace("\x85", "\n")
    return _MULTI_LINE_DROPPED.sub("", text)


class OneLineField(forms.CharField):
    """A one-line text field: cleaned with `clean_line`; a value made only of invisible
    characters is refused with a message saying so (what was typed stays in the form)."""

    default_error_messages = {
        "invisible": _("Type visible characters: line breaks and control characters are removed."),
    }

    def to_python(self, value: Any) -> str:
        value = super().to_python(value)
        if value in self.empty_values:
            return value
        cleaned = clean_line(value)
        if not cleaned and value.strip():
            raise forms.ValidationError(self.error_messages["invisible"], code="invisible")
        return cleaned


class MultiLineField(forms.CharField):
    """A multi-line text field cleaned with `clean_multiline`."""

    def to_python(self, value: Any) -> str:
        value = super().to_python(value)
        if value in self.empty_values:
            return value
        return clean_multiline(value)


class OneLineAdminMixin:
    """For a ModelAdmin: the model fields named in `one_line_fields` use `OneLineField`."""

    one_line_fields: tuple[str, ...] = ()

    def formfield_for_dbfield(self, db_field: Any, request: Any, **kwargs: Any) -> Any:
        if db_field.name in self.one_line_fields:
            kwargs["form_class"] = OneLineField
        return super().formfield_for_dbfield(db_field, request, **kwargs)  # type: ignore[misc]
