"""`{{ text|markdown }}`: what someone typed, formatted and sanitized (see tickets/markdown.py)."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from tickets import markdown as markdown_module

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text: str | None) -> SafeString:
    """Markdown to sanitized HTML; plain text keeps its paragraphs and line breaks."""
    return markdown_module.render(text)
