"""The Jinja2 environment of the few templates rendered for every row of a busy list.

Django's template engine resolves each `{{ variable }}` through a chain of lookups and renders
each tag as a node object; for a queue page's 25 rows of ten cells that was the largest single
share of the page's CPU (bench/README.md, "Figures behind the code"). Jinja2 compiles a template
to Python once, so the rows are written by plain function calls. Only row templates live in
`jinja2/`: the pages around them, their forms and their includes stay Django templates.

The helpers below are the Django ones the row templates need, with the same output: the page's
language (`gettext`), its formats (`date`, `time_tag`) and its URLs (`url`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.template.defaultfilters import date as date_filter
from django.template.defaultfilters import timesince_filter
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.html import conditional_escape

from jinja2 import Environment


def _url(name: str, *args: Any) -> str:
    return reverse(name, args=args)


def _date(value: Any, format_name: str = "SHORT_DATETIME_FORMAT") -> str:
    """Django's `|date:` filter (a format name or a format), in local time as Django's templates
    convert it before the filter."""
    if value is None:
        return ""
    if isinstance(value, datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return date_filter(value, format_name)


def _escaped(value: Any) -> Any:
    return conditional_escape(value)


def environment(**options: Any) -> Environment:
    from tickets.templatetags.helpdesk_time import relative_time, time_tag

    # Every value written goes through Django's escaping first, so that the rows escape exactly
    # as the page around them does (`&#x27;`, not markupsafe's `&#39;`); what it returns is marked
    # safe, and Jinja2's own autoescaping leaves it as it is.
    options.setdefault("finalize", _escaped)
    env = Environment(extensions=["jinja2.ext.i18n"], **options)  # noqa: S701 - autoescape set by Django's backend
    env.install_gettext_callables(  # type: ignore[attr-defined]
        translation.gettext, translation.ngettext, newstyle=True
    )
    env.globals.update(url=_url, time_tag=time_tag, relative_time=relative_time)
    env.filters.update(date=_date, timesince=timesince_filter, localize=formats.localize)
    return env
