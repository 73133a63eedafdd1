"""The incidents' section of the statistics page (tickets/stats/page.html includes it)."""

from __future__ import annotations

from typing import Any

from django import template

from incidents import selectors
from tickets.views.stats import _duration

register = template.Library()


@register.simple_tag
def incident_figures(service: Any, period: Any) -> list[selectors.IncidentFigures]:
    """The service's incidents that started in the period, with their figures."""
    if service is None or period is None:
        return []
    return selectors.figures(service, period.start, period.end)


@register.filter
def minutes_to_text(value: Any) -> str:
    """A delay as people say it ("3 h 20 min"), or "—"."""
    return _duration(value)
