"""The form renderer: Django's templates, except for drop-down lists and plain inputs, written
out in Python.

Django renders each `<option>` of a `<select>` through two included templates. A queue's filter
form and an agent's ticket page (assign to an agent, transfer to a category) hold many options,
and through the template engine they made a large share of those pages' CPU (bench/README.md,
"Figures behind the code"). The markup written here is byte for byte what Django's own
`select.html`, `select_option.html`, `input.html` and `attrs.html` produce
(tests/test_forms_renderer.py compares them); the text, search, date and hidden fields of a
queue's filters and batch bar each went through three templates for one tag. A widget with
templates of its own still goes through the template engine.
"""

from __future__ import annotations

from typing import Any

from django.forms.renderers import DjangoTemplates
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

SELECT_TEMPLATE = "django/forms/widgets/select.html"
OPTION_TEMPLATE = "django/forms/widgets/select_option.html"
# Widgets whose template is Django's `input.html` alone (each only includes it).
INPUT_TEMPLATES = frozenset(
    f"django/forms/widgets/{name}.html"
    for name in (
        "input",
        "text",
        "search",
        "date",
        "time",
        "datetime",
        "number",
        "email",
        "url",
        "tel",
        "password",
        "hidden",
        "color",
    )
)


def _text(value: Any) -> str:
    """What `{{ value }}` writes: localized if it is not text, escaped unless marked safe."""
    if not isinstance(value, str):
        value = localize(value)
    return conditional_escape(value)


def _formatted(value: Any) -> str:
    """What `{{ value|stringformat:'s' }}` writes."""
    return conditional_escape(value if isinstance(value, str) else str(value))


def _attrs(attrs: dict[str, Any]) -> str:
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            parts.append(f" {_text(name)}")
        else:
            parts.append(f' {_text(name)}="{_formatted(value)}"')
    return "".join(parts)


def render_select(widget: dict[str, Any]) -> SafeString | None:
    """The `<select>` of a widget context, or None if an option has a template of its own."""
    lines = [f'<select name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            lines.append(f'\n  <optgroup label="{_text(group_name)}">')
        for option in options:
            if option["template_name"] != OPTION_TEMPLATE:
                return None
            # select_option.html ends with a newline, which the include keeps.
            lines.append(
                f'\n  <option value="{_formatted(option["value"])}"{_attrs(option["attrs"])}>'
                f"{_text(option['label'])}</option>\n"
            )
        if group_name:
            lines.append("\n  </optgroup>")
    lines.append("\n</select>")
    return mark_safe("".join(lines))  # noqa: S308 - every piece above is escaped


def render_input(widget: dict[str, Any]) -> SafeString:
    """The `<input>` of a widget context, as Django's `input.html` writes it."""
    value = widget["value"]
    shown = f' value="{_formatted(value)}"' if value is not None else ""
    return mark_safe(  # noqa: S308 - every piece is escaped
        f'<input type="{_text(widget["type"])}" name="{_text(widget["name"])}"{shown}'
        f"{_attrs(widget['attrs'])}>"
    )


class FormRenderer(DjangoTemplates):
    """Django's default renderer with `render_select` for plain drop-down lists."""

    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> str:
        if template_name == SELECT_TEMPLATE:
            rendered = render_select(context["widget"])
            if rendered is not None:
                return rendered
        elif template_name in INPUT_TEMPLATES:
            return render_input(context["widget"])
        return super().render(template_name, context, request)
