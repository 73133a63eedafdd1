"""Filters of the knowledge base's statistics."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def percent(value: float | None) -> str:
    """A share as a percentage with one decimal, or "—"."""
    return "—" if value is None else f"{value * 100:.1f} %"
