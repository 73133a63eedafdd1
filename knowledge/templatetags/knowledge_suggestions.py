"""`{% suggestion_items articles category subject %}`: the answers suggested while filing,
written by Jinja2 (knowledge/suggestion_items.py)."""

from __future__ import annotations

from typing import Any

from django import template
from django.template.defaulttags import CsrfTokenNode
from django.utils.safestring import SafeString

from knowledge import suggestion_items as items_module

register = template.Library()


@register.simple_tag(takes_context=True)
def suggestion_items(
    context: template.Context, articles: Any, category: Any, subject: str
) -> SafeString:
    # The field `{% csrf_token %}` writes, from this page's context: the page's own token.
    token_field = CsrfTokenNode().render(context)
    return items_module.render_items(articles, category, subject, token_field)
