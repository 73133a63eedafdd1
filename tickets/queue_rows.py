"""A queue page's rows, written by Jinja2 (`jinja2/tickets/agent/queue_rows.jinja`).

The rows are the one part of a queue page repeated 25 times; through Django's template engine
they were the largest share of the page's CPU (helpdesk/jinja.py says why Jinja2 is faster). The
row template's texts are here, so that the catalogues find them like any other Python string.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.http import HttpRequest
from django.template.loader import get_template
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from tickets.models import Ticket

TEMPLATE = "tickets/agent/queue_rows.jinja"


def _labels() -> dict[str, str]:
    return {
        "select": gettext("Select %(reference)s"),
        "new_activity": gettext("New activity"),
        "requester_answered": gettext("The requester answered"),
        "until": gettext("until %(date)s"),
        "nobody": gettext("Nobody"),
        "take": gettext("Take"),
    }


def render_rows(rows: Iterable[Ticket], request: HttpRequest | None = None) -> SafeString:
    """The `<tr>` of each ticket (from `queues.queue_rows`, with `unread`, `requester_answered`
    and `takeable` set by the view). Jinja2 escapes every value it writes."""
    html = get_template(TEMPLATE, using="jinja2").render(
        {"rows": rows, "labels": _labels()}, request
    )
    return mark_safe(html)  # noqa: S308 - autoescaped by the Jinja2 environment
