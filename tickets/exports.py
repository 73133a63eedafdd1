"""CSV exports: the tables of the statistics page and the ticket lists of the queues.

The format is chosen for the spreadsheets people use here (Excel and LibreOffice in French):
UTF-8 with a byte-order mark (without it Excel reads accents wrongly), `;` between fields (a French
Excel splits on `;`, and `,` is the decimal separator there), a header row, dates as
YYYY-MM-DD HH:MM in the site's time zone, decimals in the reader's language, delays in minutes.
Text cells that a spreadsheet would run as a formula (=, +, -, @) are prefixed with an apostrophe.
Lists are streamed, a few thousand rows at a time, so a large export does not fill the memory.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime, timedelta
from typing import Any

from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tickets.models import Ticket
from tickets.selectors.stats import periods, results

DELIMITER = ";"
BOM = "\ufeff"
CHUNK_SIZE = 2000
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

STATS_TABLES = {
    "timeline": gettext_lazy("Created, closed and open tickets"),
    "categories": gettext_lazy("Tickets per category"),
    "growth": gettext_lazy("Growing categories"),
    "delays": gettext_lazy("Response and closure times"),
    "closures": gettext_lazy("Closures"),
    "workload": gettext_lazy("Workload per agent"),
    "heat": gettext_lazy("Tickets created per weekday and hour"),
    "words": gettext_lazy("Frequent words"),
    "origins": gettext_lazy("Tickets created in the period, by origin"),
}


class _Echo:
    """A file that hands back what is written, so csv.writer can feed a generator."""

    def write(self, value: str) -> str:
        return value


def safe_cell(value: Any) -> Any:
    """A value as a spreadsheet should show it: text never starts a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, float):
        return formats.number_format(value, decimal_pos=1)
    if value is None:
        return ""
    return value


def csv_lines(rows: Iterable[Sequence[Any]], language: str | None = None) -> Iterator[str]:
    """The CSV text, line by line, starting with the byte-order mark.

    Rows are read while the response streams, after the view returned: the language the request
    was served in is set again for labels and decimal separators.
    """
    writer = csv.writer(_Echo(), delimiter=DELIMITER, lineterminator="\r\n")
    with translation.override(language):
        yield BOM
        for row in rows:
            yield writer.writerow([safe_cell(value) for value in row])


def csv_response(rows: Iterable[Sequence[Any]], filename: str) -> StreamingHttpResponse:
    """A streamed CSV download, in the current language."""
    response = StreamingHttpResponse(
        csv_lines(rows, translation.get_language()), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _minutes(value: timedelta | None) -> int | None:
    return None if value is None else round(value.total_seconds() / 60)


def stats_rows(data: results.ServiceStats, table: str) -> Iterator[Sequence[Any]]:
    """One table of the statistics page, header first (see STATS_TABLES for the names)."""
    if table == "timeline":
        yield [
            _("First day"),
            _("Last day"),
            _("Created"),
            _("Closed"),
            _("Cancelled or rejected"),
            _("Reopened"),
            _("Open at the end"),
        ]
        for row in data.timeline:
            yield [
                row.bucket.isoformat(),
                row.last_day.isoformat(),
                row.created,
                row.closed,
                row.ended,
                row.reopened,
                row.backlog,
            ]
    elif table == "categories":
        yield [_("Category"), _("Sub-category"), _("Tickets"), _("Previous period")]
        for group in data.categories:
            for row in group.rows:
                yield [group.name, "" if row.is_root else row.name, row.count, row.previous]
    elif table == "growth":
        yield [_("Category"), _("Tickets"), _("Previous period"), _("Growth")]
        for growth in data.growing:
            yield [growth.name, growth.count, growth.previous, growth.growth]
    elif table == "delays":
        yield [
            _("Measure"),
            _("Tickets"),
            _("Median (minutes)"),
            _("90th percentile (minutes)"),
            _("Without response"),
        ]
        first, closure = data.first_response, data.resolution
        yield [
            _("Time to first response"),
            first.count,
            _minutes(first.median),
            _minutes(first.p90),
            first.missing,
        ]
        yield [
            _("Time to closure"),
            closure.count,
            _minutes(closure.median),
            _minutes(closure.p90),
            "",
        ]
        postponed = data.postponed
        yield [
            _("Time postponed"),
            postponed.count,
            _minutes(postponed.median),
            _minutes(postponed.p90),
            "",
        ]
    elif table == "closures":
        yield [_("Measure"), _("Value")]
        yield [_("Tickets whose closure was requested"), data.closure_requested]
        yield [_("Tickets whose closure was refused"), data.closure_refused]
        yield [_("Closure refusal rate (%)"), data.refusal_rate]
        yield [_("Tickets closed"), data.closed_tickets]
        yield [_("Tickets reopened"), data.reopened_tickets]
        yield [_("Reopen rate (%)"), data.reopen_rate]
        yield [_("Automatic closures"), data.automatic_closures]
        yield [_("Share of automatic closures (%)"), data.automatic_share]
    elif table == "workload":
        yield [_("Agent"), _("Member of the service"), _("Open now"), _("Closed in the period")]
        for agent in data.workload:
            name = agent.name if agent.user_id else _("Not assigned")
            member = _("yes") if agent.is_member else _("no")
            yield [name, member, agent.open, agent.closed]
    elif table == "heat":
        yield [_("Day"), *(f"{hour:02d}h" for hour in range(24)), _("Total")]
        for index, counts in enumerate(data.heat):
            yield [str(periods.WEEKDAYS[index]), *counts, sum(counts)]
    elif table == "words":
        yield [_("Word"), _("Tickets")]
        for word in data.words:
            yield [word.word, word.tickets]
    elif table == "origins":
        yield [_("Origin"), _("Tickets"), _("Share (%)")]
        for origin in data.origins:
            yield [origin.label, origin.count, origin.share]
    else:
        raise ValueError(f"unknown table {table!r}")


TICKET_COLUMNS = (
    "pk",
    "subject",
    "status",
    "priority",
    "service__name",
    "category__name",
    "requester__full_name",
    "requester__email",
    "assignee__full_name",
    "assignee__email",
    "created_at",
    "updated_at",
    "first_response_at",
    "closed_at",
    "origin",
)


def ticket_rows(tickets: QuerySet[Ticket]) -> Iterator[Sequence[Any]]:
    """A ticket list as rows, header first, read in chunks (one query per chunk at most)."""
    yield [
        _("Reference"),
        _("Subject"),
        _("Status"),
        _("Priority"),
        _("Service"),
        _("Category"),
        _("Requester"),
        _("Requester's email"),
        _("Assigned agent"),
        _("Created"),
        _("Last activity"),
        _("First agent response"),
        _("Closed"),
        # Last, so that the columns people's spreadsheets already read keep their place.
        _("Origin"),
    ]
    statuses = {value: str(label) for value, label in Ticket.Status.choices}
    priorities = {value: str(label) for value, label in Ticket.Priority.choices}
    origins = {value: str(label) for value, label in Ticket.Origin.choices}
    rows = tickets.values_list(*TICKET_COLUMNS).iterator(chunk_size=CHUNK_SIZE)
    for (
        pk,
        subject,
        status,
        priority,
        service,
        category,
        requester_name,
        requester_email,
        assignee_name,
        assignee_email,
        created_at,
        updated_at,
        first_response_at,
        closed_at,
        origin,
    ) in rows:
        yield [
            f"#{pk}",
            subject,
            statuses.get(status, status),
            priorities.get(priority, priority),
            service,
            category,
            requester_name or requester_email,
            requester_email,
            assignee_name or assignee_email or "",
            created_at,
            updated_at,
            first_response_at,
            closed_at,
            origins.get(origin, origin),
        ]
