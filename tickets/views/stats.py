"""Statistics pages of the service desk, and the CSV exports of their tables and of the queues.

A requester who is not in any service gets a 404 (the pages do not exist for them); an agent asking
for a service they do not work in gets a 404 too.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from categories.models import Service
from helpdesk import db_router
from tickets import charts, exports, forms_agent, permissions
from tickets.selectors import queues
from tickets.selectors.stats import figures, periods, results

PERIOD_CHOICES = (
    ("7", gettext_lazy("Last 7 days")),
    ("30", gettext_lazy("Last 30 days")),
    ("90", gettext_lazy("Last 90 days")),
    ("365", gettext_lazy("Last 365 days")),
    (periods.CUSTOM, gettext_lazy("Custom dates")),
)
HEAT_LEVELS = 5


class StatsFilterForm(forms_agent.DeskForm):
    """The service and period of the statistics, read from the query string (bookmarkable)."""

    service = forms.ModelChoiceField(
        label=gettext_lazy("Service"), queryset=Service.objects.none(), empty_label=None
    )
    period = forms.ChoiceField(
        label=gettext_lazy("Period"), choices=PERIOD_CHOICES, initial=periods.DEFAULT_PERIOD
    )
    start = forms.DateField(
        label=gettext_lazy("From"), required=False, widget=forms_agent.DateInput
    )
    end = forms.DateField(label=gettext_lazy("Until"), required=False, widget=forms_agent.DateInput)

    def __init__(self, *args: Any, services: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = services

    def clean(self) -> dict:
        data = super().clean()
        if data.get("period") != periods.CUSTOM:
            return data
        start, end = data.get("start"), data.get("end")
        if not start:
            self.add_error("start", _("Give the first day of the period."))
        if not end:
            self.add_error("end", _("Give the last day of the period."))
        if start and end:
            if end < start:
                self.add_error("end", _("The last day must not be before the first day."))
            elif (end - start).days + 1 > periods.MAX_DAYS:
                self.add_error(
                    "end",
                    _("A period may not be longer than %(days)s days.")
                    % {"days": periods.MAX_DAYS},
                )
        return data

    def period_value(self) -> periods.Period:
        data = self.cleaned_data
        return periods.Period.from_choice(data["period"], data.get("start"), data.get("end"))


def _stats_form(request: HttpRequest) -> StatsFilterForm:
    """The bound form; 404 for people without statistics or asking for a service not theirs."""
    if not permissions.can_read_stats(request.user):
        raise Http404
    services = figures.services_for(request.user).order_by("name")
    data = request.GET.copy()
    data.setdefault("period", periods.DEFAULT_PERIOD)
    if not data.get("service"):
        first = services.first()
        if first is None:
            raise Http404
        data["service"] = str(first.pk)
    form = StatsFilterForm(data, services=services)
    form.is_valid()
    if "service" in form.errors:
        raise Http404
    return form


def _day(day: date) -> str:
    return formats.date_format(day, "SHORT_DATE_FORMAT")


def _bucket_label(row: results.TimelineRow, weekly: bool) -> str:
    if not weekly:
        return _day(row.bucket)
    return _("Week of %(day)s") % {"day": _day(row.bucket)}


def _duration(value: timedelta | None) -> str:
    """A delay as people say it: "2 d 3 h", "3 h 20 min", "12 min"."""
    if value is None:
        return "—"
    minutes = round(value.total_seconds() / 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days and not hours:
        return _("%(days)s d") % {"days": days}
    if days:
        return _("%(days)s d %(hours)s h") % {"days": days, "hours": hours}
    if hours:
        return _("%(hours)s h %(minutes)s min") % {"hours": hours, "minutes": minutes}
    return _("%(minutes)s min") % {"minutes": minutes}


def _heat_rows(data: results.ServiceStats) -> list[dict]:
    """The weekday × hour table with a shade level (0-5) per cell, for the CSS classes."""
    top = data.heat_max
    rows = []
    for index, counts in enumerate(data.heat):
        cells = [
            {"count": count, "level": 0 if not count else max(1, round(HEAT_LEVELS * count / top))}
            for count in counts
        ]
        rows.append({"day": periods.WEEKDAYS[index], "cells": cells, "total": sum(counts)})
    return rows


def _charts(data: results.ServiceStats) -> dict[str, Any]:
    weekly = data.period.weekly
    # Day and month only ("2 déc."): short labels fit more of them on the axis; the table beside
    # the chart gives each full date.
    labels = [formats.date_format(row.bucket, "MONTH_DAY_FORMAT") for row in data.timeline]
    flow = charts.responsive(
        charts.line_chart,
        title=_("Tickets created and closed per week")
        if weekly
        else _("Tickets created and closed per day"),
        summary=_(
            "%(created)s created, %(closed)s closed, %(ended)s cancelled or rejected, "
            "%(reopened)s reopened."
        )
        % {
            "created": data.created,
            "closed": data.closed,
            "ended": data.ended,
            "reopened": data.reopened,
        },
        labels=labels,
        series=[
            charts.Series(_("Created"), [row.created for row in data.timeline]),
            charts.Series(_("Closed"), [row.closed for row in data.timeline]),
            charts.Series(_("Cancelled or rejected"), [row.ended for row in data.timeline]),
        ],
    )
    backlog = charts.responsive(
        charts.line_chart,
        title=_("Open tickets at the end of each week")
        if weekly
        else _("Open tickets at the end of each day"),
        summary=_("%(start)s open tickets at the start of the period, %(end)s at its end.")
        % {"start": data.backlog_start, "end": data.backlog_end},
        labels=labels,
        series=[charts.Series(_("Open tickets"), [row.backlog for row in data.timeline])],
    )
    categories = charts.responsive(
        charts.bar_chart,
        title=_("Tickets per category"),
        summary=_("%(count)s tickets in %(categories)s categories; the largest: %(top)s.")
        % {
            "count": data.created,
            "categories": len(data.categories),
            "top": data.categories[0].name if data.categories else "—",
        },
        labels=[group.name for group in data.categories],
        values=[group.count for group in data.categories],
    )
    return {"flow": flow, "backlog": backlog, "categories": categories}


@login_required
@require_GET
@db_router.reads_from_replica
def page(request: HttpRequest) -> HttpResponse:
    """The statistics of one service over a period: flow, backlog, categories, delays, workload,
    busy hours and recurring problems, each chart with its table and a CSV export."""
    form = _stats_form(request)
    context: dict[str, Any] = {"form": form, "desk_page": "stats"}
    if not form.is_valid():
        return render(request, "tickets/stats/page.html", context, status=400)
    data = figures.cached_service_stats(form.cleaned_data["service"], form.period_value())
    query = request.GET.copy()
    query["service"] = str(data.service.pk)
    query.setdefault("period", data.period.key)
    context.update(
        {
            "data": data,
            "charts": _charts(data),
            "timeline_rows": [
                {"label": _bucket_label(row, data.period.weekly), "row": row}
                for row in data.timeline
            ],
            "heat_rows": _heat_rows(data),
            "hours": range(24),
            "hour_totals": [sum(day[hour] for day in data.heat) for hour in range(24)],
            "first_response": {
                "median": _duration(data.first_response.median),
                "p90": _duration(data.first_response.p90),
            },
            "resolution": {
                "median": _duration(data.resolution.median),
                "p90": _duration(data.resolution.p90),
            },
            "postponed": {
                "median": _duration(data.postponed.median),
                "p90": _duration(data.postponed.p90),
            },
            "export_query": query.urlencode(),
            "tables": exports.STATS_TABLES,
        }
    )
    return render(request, "tickets/stats/page.html", context)


@login_required
@require_GET
@db_router.reads_from_replica
def export(request: HttpRequest) -> StreamingHttpResponse:
    """One table of the statistics page as CSV (?table=..., same service and period)."""
    form = _stats_form(request)
    table = request.GET.get("table", "")
    if table not in exports.STATS_TABLES or not form.is_valid():
        raise Http404
    data = figures.cached_service_stats(form.cleaned_data["service"], form.period_value())
    period = data.period
    filename = f"stats-{data.service.slug}-{table}-{period.first_day}-{period.last_day}.csv"
    return exports.csv_response(exports.stats_rows(data, table), filename)


@login_required
@require_GET
@db_router.reads_from_replica
def queue_export(request: HttpRequest) -> StreamingHttpResponse:
    """The tickets of a queue tab with the same filters as the page, as CSV, streamed."""
    user = request.user
    if not permissions.can_use_desk(user):
        raise Http404
    key = request.GET.get("tab", queues.DEFAULT_QUEUE)
    if key not in queues.QUEUES_BY_KEY:
        key = queues.DEFAULT_QUEUE
    form = forms_agent.QueueFilterForm(request.GET, user=user)
    tickets, _sort = queues.queue_tickets(user, key, form.filters(), request.GET.get("sort"))
    filename = f"tickets-{key}-{timezone.localdate().isoformat()}.csv"
    return exports.csv_response(exports.ticket_rows(tickets), filename)
