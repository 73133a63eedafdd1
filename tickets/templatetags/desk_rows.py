"""`{% queue_rows rows %}`: a queue page's rows, written by Jinja2 (tickets/queue_rows.py)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString

from tickets import queue_rows as rows_module

register = template.Library()


@register.simple_tag(takes_context=True)
def queue_rows(context: template.Context, rows: Any) -> SafeString:
    return rows_module.render_rows(rows, context.get("request"))
