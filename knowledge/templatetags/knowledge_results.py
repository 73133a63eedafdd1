"""`{% result_items links filing text %}`: a page of the answers' list, written by Jinja2
(knowledge/result_items.py)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString

from knowledge import result_items as items_module

register = template.Library()


@register.simple_tag
def result_items(links: Any, filing: Any, text: str) -> SafeString:
    return items_module.render_items(links, filing or None, text)
