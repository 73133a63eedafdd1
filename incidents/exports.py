"""The incidents' figures as CSV, beside the statistics' own tables (same service and period)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from django.http import StreamingHttpResponse
from django.utils.translation import gettext as _

from incidents.selectors import IncidentFigures
from tickets import exports as ticket_exports


def rows(figures: list[IncidentFigures]) -> Iterator[Sequence[Any]]:
    """Header first; delays in minutes, times in the site's time zone."""
    yield (
        _("Incident"),
        _("Title"),
        _("Status"),
        _("Start"),
        _("Declared"),
        _("Resolved"),
        _("Tickets linked"),
        _("Tickets avoided"),
        _("First linked ticket"),
        _("Minutes from the first ticket to the declaration"),
    )
    for row in figures:
        incident = row.incident
        yield (
            incident.reference,
            incident.title,
            incident.get_status_display(),
            incident.started_at,
            incident.declared_at,
            incident.resolved_at,
            row.linked,
            row.avoided,
            row.first_ticket_at,
            round(row.to_declaration.total_seconds() / 60) if row.to_declaration else "",
        )


def csv_response(figures: list[IncidentFigures], filename: str) -> StreamingHttpResponse:
    return ticket_exports.csv_response(rows(figures), filename)
