"""How long tickets wait: for the first agent response, and until they are closed as solved.

Medians and 90th percentiles are computed by PostgreSQL (percentile_cont); other databases fetch
the durations in one query and interpolate them the same way (`helpdesk.numbers.percentile`).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import connection
from django.db.models import Aggregate, Count, DurationField, ExpressionWrapper, F, Q, QuerySet

from helpdesk import numbers
from tickets.models import Ticket
from tickets.selectors.stats.periods import Period
from tickets.selectors.stats.results import Durations


class PercentileCont(Aggregate):
    """PostgreSQL's percentile_cont: the value at a fraction, interpolated between neighbours."""

    function = "percentile_cont"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = DurationField()

    def __init__(self, expression: Any, fraction: float, **extra: Any) -> None:
        if not 0 <= fraction <= 1:
            raise ValueError("fraction must be between 0 and 1")
        super().__init__(expression, fraction=float(fraction), **extra)


def durations(tickets: QuerySet[Ticket], period: Period) -> tuple[Durations, Durations, Durations]:
    """Time to the first agent response (tickets created in the period), to closure (tickets
    closed as solved in the period) and the time those spent postponed; one query.

    The time to closure leaves out the time a ticket was postponed (a supplier, the start of
    term): it is the service's handling time, and the postponed time is reported apart, over the
    closed tickets that were postponed."""
    created = Q(created_at__gte=period.start, created_at__lt=period.end)
    closed = Q(status=Ticket.Status.CLOSED, closed_at__gte=period.start, closed_at__lt=period.end)
    answered = created & Q(first_response_at__isnull=False)
    if connection.vendor == "postgresql":
        response = ExpressionWrapper(
            F("first_response_at") - F("created_at"), output_field=DurationField()
        )
        resolution = ExpressionWrapper(
            F("closed_at") - F("created_at") - F("postponed_for"), output_field=DurationField()
        )
        postponed = closed & Q(postponed_for__gt=timedelta())
        # The WHERE clause lets the (service, created_at) and (service, closed_at) indexes
        # pick the period's tickets; the filters then split them.
        figures = tickets.filter(created | closed).aggregate(
            answered=Count("pk", filter=answered),
            unanswered=Count("pk", filter=created & Q(first_response_at__isnull=True)),
            response_median=PercentileCont(response, 0.5, filter=answered),
            response_p90=PercentileCont(response, 0.9, filter=answered),
            closed=Count("pk", filter=closed),
            resolution_median=PercentileCont(resolution, 0.5, filter=closed),
            resolution_p90=PercentileCont(resolution, 0.9, filter=closed),
            postponed=Count("pk", filter=postponed),
            postponed_median=PercentileCont("postponed_for", 0.5, filter=postponed),
            postponed_p90=PercentileCont("postponed_for", 0.9, filter=postponed),
        )
        return (
            Durations(
                figures["answered"],
                figures["response_median"],
                figures["response_p90"],
                figures["unanswered"],
            ),
            Durations(figures["closed"], figures["resolution_median"], figures["resolution_p90"]),
            Durations(figures["postponed"], figures["postponed_median"], figures["postponed_p90"]),
        )
    responses: list[timedelta] = []
    resolutions: list[timedelta] = []
    postponements: list[timedelta] = []
    unanswered = 0
    start, end = period.start, period.end
    rows = tickets.filter(created | closed).values_list(
        "created_at", "first_response_at", "closed_at", "status", "postponed_for"
    )
    for created_at, first_response_at, closed_at, status, postponed_for in rows:
        if start <= created_at < end:
            if first_response_at is None:
                unanswered += 1
            else:
                responses.append(first_response_at - created_at)
        if status == Ticket.Status.CLOSED and closed_at and start <= closed_at < end:
            resolutions.append(closed_at - created_at - (postponed_for or timedelta()))
            if postponed_for:
                postponements.append(postponed_for)
    return (
        Durations(
            len(responses),
            numbers.percentile(responses, 0.5),
            numbers.percentile(responses, 0.9),
            unanswered,
        ),
        Durations(
            len(resolutions),
            numbers.percentile(resolutions, 0.5),
            numbers.percentile(resolutions, 0.9),
        ),
        Durations(
            len(postponements),
            numbers.percentile(postponements, 0.5),
            numbers.percentile(postponements, 0.9),
        ),
    )
