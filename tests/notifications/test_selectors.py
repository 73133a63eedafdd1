"""The outbox's figures for operators: backlog, oldest pending age, failures in the last hour."""

from __future__ import annotations

import datetime

import pytest

from notifications import selectors
from notifications.models import Notification
from tests.factories import outbox_row

pytestmark = pytest.mark.django_db


def test_an_empty_outbox_has_no_backlog():
    health = selectors.outbox_health()
    assert health == selectors.OutboxHealth(pending=0, oldest_pending_seconds=0, failed_last_hour=0)


def test_the_backlog_its_oldest_row_and_the_last_hour_s_failures():
    outbox_row(1, status=Notification.Status.PENDING, age=datetime.timedelta(minutes=10))
    outbox_row(2, status=Notification.Status.PENDING, age=datetime.timedelta(seconds=5))
    outbox_row(3, status=Notification.Status.SENT, age=datetime.timedelta(days=2))
    outbox_row(4, status=Notification.Status.FAILED, age=datetime.timedelta(minutes=40))
    # Given up more than an hour ago: no longer counted.
    outbox_row(5, status=Notification.Status.FAILED, age=datetime.timedelta(hours=3))
    health = selectors.outbox_health()
    assert health.pending == 2
    assert 600 <= health.oldest_pending_seconds < 660
    assert health.failed_last_hour == 1


@pytest.mark.parametrize("rows", [1, 50])
def test_the_figures_cost_one_query(rows, django_assert_num_queries):
    """One query, whatever the size of the outbox."""
    for n in range(rows):
        outbox_row(n, status=Notification.Status.PENDING, age=datetime.timedelta(minutes=n))
    with django_assert_num_queries(1):
        selectors.outbox_health()
