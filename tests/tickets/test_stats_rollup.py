"""The statistics' daily rollup: the page's figures are the same whether a day is read from the
rollup or computed from the tickets, after transfers, reopenings, merges and corrections too; the
beat task is idempotent; the check command finds and repairs a tampered row.

The history is the one of test_stats.py (March 2026, Europe/Paris), with a few more moves.
"""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import CategoryFactory, TicketFactory, agent_of
from tests.tickets.test_stats import PARIS, PERIOD, History, at, stats_url
from tickets import rollup, tasks, workflow
from tickets.models import (
    StatsRollupDay,
    TicketDailyFigures,
    TicketDayMoves,
    TicketEvent,
    TicketHourlyFigures,
)
from tickets.selectors.stats import figures, periods

pytestmark = pytest.mark.django_db

WEEKLY = periods.Period(date(2025, 12, 1), date(2026, 3, 8))
RECENT = periods.Period.last_days(7)


@pytest.fixture
def history() -> History:
    history = History()
    # A duplicate merged into t4 on 6 March, and a ticket of the period postponed then closed.
    history.ticket("t14", history.wifi, "Wifi coupé", at(5, 9), events=[("merge", at(6, 9))])
    history.ticket(
        "t15",
        history.impression,
        "Imprimante en attente",
        at(4, 10),
        status="closed",
        closed_at=at(7, 10),
        postponed_for=timedelta(days=1),
        events=[("postpone", at(4, 11)), ("resume", at(5, 11)), ("mark_solved", at(7, 10))],
    )
    return history


def figures_of(service, period) -> dict:
    """Every figure of the page but the moment it was computed."""
    data = dataclasses.asdict(figures.service_stats(service, period))
    data.pop("computed_at")
    return data


def live(monkeypatch, service, period) -> dict:
    """The figures computed from the tickets alone, as if nothing were rolled up."""
    with monkeypatch.context() as patch:
        patch.setattr(rollup, "rolled_days", lambda *args, **kwargs: [])
        return figures_of(service, period)


def table() -> set[tuple]:
    daily = TicketDailyFigures.objects.values_list(
        "service_id", "day", "category_id", "origin", *rollup.DAILY_COUNTERS
    )
    hourly = TicketHourlyFigures.objects.values_list("service_id", "day", "hour", "created")
    moves = TicketDayMoves.objects.values_list(
        "service_id", "day", "ticket_id", *rollup.RATE_COUNTERS
    )
    return set(daily) | set(hourly) | set(moves)


def test_rolled_up_figures_are_the_figures_computed_from_the_tickets(history, monkeypatch):
    """Every figure, for both services, by day and by week, is the same once rolled up."""
    cases = [
        (service, period)
        for service in (history.service, history.other_service)
        for period in (PERIOD, WEEKLY, RECENT)
    ]
    before = [figures_of(service, period) for service, period in cases]
    assert rollup.rebuild() == [(date(2026, 2, 24), timezone.localdate() - timedelta(days=1))]
    assert TicketDailyFigures.objects.exists()
    after = [figures_of(service, period) for service, period in cases]
    assert after == before


def test_a_partial_rollup_gives_the_same_figures(history, monkeypatch):
    """Days rolled up and days computed from the tickets mix within one period."""
    rollup.recompute(date(2026, 3, 3), date(2026, 3, 5))
    rollup.recompute(date(2026, 2, 25), date(2026, 2, 25))
    for period in (PERIOD, WEEKLY):
        assert figures_of(history.service, period) == live(monkeypatch, history.service, period)


def test_figures_of_a_rolled_up_day_count_moves_per_service_category_and_origin(history):
    rollup.recompute(date(2026, 3, 5), date(2026, 3, 5))
    rows = {
        (row.category_id, row.created, row.closed, row.ended, row.reopened, row.automatic_closures)
        for row in TicketDailyFigures.objects.filter(service=history.service)
    }
    # t14 created; t2 closed automatically; t3 reopened.
    assert rows == {(history.wifi.pk, 1, 0, 0, 1, 0), (history.impression.pk, 0, 1, 0, 0, 1)}
    assert list(TicketHourlyFigures.objects.values_list("day", "hour", "created")) == [
        (date(2026, 3, 5), 9, 1)
    ]
    assert rollup.rolled_days() == [date(2026, 3, 5)]


def test_a_transfer_moves_the_past_once_the_task_has_run(history, monkeypatch):
    """A ticket transferred after its days were rolled up counts, with its whole history, for
    its new service as soon as the beat task has run."""
    rollup.rebuild()
    t3 = history.tickets["t3"]
    workflow.transfer(ticket=t3, actor=history.alice, category=history.comptes)
    stale = rollup.differences(date(2026, 3, 1), date(2026, 3, 8))
    assert {difference.key[1] for difference in stale} == {date(2026, 3, d) for d in (3, 4, 5)}
    tasks.refresh_stats_rollup()
    assert rollup.differences(date(2026, 2, 1), timezone.localdate()) == []
    for service in (history.service, history.other_service):
        assert figures_of(service, PERIOD) == live(monkeypatch, service, PERIOD)
    assert figures_of(history.other_service, PERIOD)["closure_requested"] == 1


def test_a_correction_of_the_category_moves_the_past_too(history, monkeypatch):
    rollup.rebuild()
    t6 = history.tickets["t6"]
    workflow.change_category(ticket=t6, actor=history.alice, category=history.impression)
    tasks.refresh_stats_rollup()
    assert figures_of(history.service, PERIOD) == live(monkeypatch, history.service, PERIOD)


def test_the_beat_task_is_idempotent(history):
    """Run twice, or over days already rolled up, the task leaves the same rows."""
    service = history.service
    category = CategoryFactory(service=service)
    yesterday = timezone.localtime() - timedelta(days=1)
    for hour in (9, 10):
        ticket = TicketFactory(category=category)
        type(ticket).objects.filter(pk=ticket.pk).update(created_at=yesterday.replace(hour=hour))
        TicketEvent.objects.create(
            ticket=ticket, kind="status_changed", action="cancel", created_at=yesterday
        )
    rollup.rebuild()
    first = table()
    tasks.refresh_stats_rollup()
    tasks.refresh_stats_rollup()
    assert table() == first
    assert timezone.localdate() not in rollup.rolled_days()
    assert rollup.differences(date(2026, 2, 1), timezone.localdate()) == []


def test_the_task_catches_up_the_days_missed_while_beat_was_stopped(history):
    yesterday = timezone.localdate() - timedelta(days=1)
    rollup.rebuild(last_day=yesterday - timedelta(days=9))
    assert rollup.refresh() == [yesterday - timedelta(days=d) for d in range(8, -1, -1)]
    assert rollup.rolled_days()[-1] == yesterday
    assert rollup.differences(date(2026, 2, 1), yesterday) == []


def test_today_is_always_computed_from_the_tickets(history, monkeypatch):
    """A ticket filed a moment ago is on the page at once, the rollup notwithstanding."""
    rollup.rebuild()
    ticket = TicketFactory(category=history.wifi)
    data = figures_of(history.service, RECENT)
    assert data["timeline"][-1]["created"] == 1
    assert data == live(monkeypatch, history.service, RECENT)
    assert ticket.pk


def test_the_check_command_finds_and_repairs_a_tampered_row(history, capsys):
    rollup.rebuild()
    row = TicketDailyFigures.objects.filter(service=history.service, day=date(2026, 3, 4)).first()
    TicketDailyFigures.objects.filter(pk=row.pk).update(created=row.created + 5)
    TicketHourlyFigures.objects.filter(day=date(2026, 3, 6)).delete()
    with pytest.raises(CommandError):
        call_command("check_stats_rollup", "--from", "2026-03-01", "--until", "2026-03-08")
    out = capsys.readouterr().out
    assert "daily" in out and "2026, 3, 4" in out
    assert "hourly" in out and "2026, 3, 6" in out
    call_command("check_stats_rollup", "--from", "2026-03-01", "--until", "2026-03-08", "--repair")
    assert "2 day(s) recomputed" in capsys.readouterr().out
    assert rollup.differences(date(2026, 3, 1), date(2026, 3, 8)) == []


def test_rebuild_command_rolls_up_the_history(history, capsys):
    call_command("rebuild_stats_rollup", "--from", "2026-03-01", "--until", "2026-03-08")
    assert "2026-03-01" in capsys.readouterr().out
    assert rollup.rolled_days() == [date(2026, 3, d) for d in range(1, 9)]
    assert StatsRollupDay.objects.count() == 8
    StatsRollupDay.objects.filter(day=date(2026, 3, 4)).delete()
    call_command(
        "rebuild_stats_rollup", "--missing", "--from", "2026-03-01", "--until", "2026-03-08"
    )
    assert "from 2026-03-04 to 2026-03-04" in capsys.readouterr().out
    assert len(rollup.rolled_days()) == 8


def test_the_page_reads_the_rollup_with_the_same_query_count(client, settings):
    """Rolled up or not, the page runs the same queries, and reads the rollup for past days."""
    settings.STATS_CACHE_SECONDS = 0
    category = CategoryFactory()
    service = category.handling_service
    agent = agent_of(service)
    client.force_login(agent)
    for days in range(1, 12):
        ticket = TicketFactory(category=category)
        moment = timezone.localtime() - timedelta(days=days)
        type(ticket).objects.filter(pk=ticket.pk).update(created_at=moment)
    url = stats_url(service, period="30")
    client.get(url)
    with CaptureQueriesContext(connection) as computed:
        before = client.get(url).context["data"]
    rollup.rebuild()
    with CaptureQueriesContext(connection) as rolled:
        after = client.get(url).context["data"]
    assert len(rolled) == len(computed)
    assert any("ticketdailyfigures" in query["sql"] for query in rolled.captured_queries)
    assert (after.created, after.backlog_start, after.heat) == (
        before.created,
        before.backlog_start,
        before.heat,
    )
    assert after.created == 11
    assert PARIS


def test_beat_refreshes_the_rollup_every_five_minutes(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["stats-rollup"]
    assert entry["task"] == tasks.refresh_stats_rollup.name == "tickets.tasks.refresh_stats_rollup"
    assert entry["schedule"] == 300.0
