"""The workers' database connections: kept from task to task, and checked like a request's.

Celery's Django fixup closes the connection before and after every task unless CELERY_DB_REUSE_MAX
is set: each email then paid for a new PostgreSQL connection (a third of its time here).
With reuse on, the app's own signal handler does what Django does around a request.
"""

from __future__ import annotations

import time
from types import SimpleNamespace

import pytest
from celery.fixups.django import DjangoWorkerFixup
from django.db import connection

from helpdesk.celery import app, recycle_database_connections
from notifications import tasks

pytestmark = pytest.mark.django_db(transaction=True)


def worker_task(is_eager: bool = False) -> SimpleNamespace:
    return SimpleNamespace(request=SimpleNamespace(is_eager=is_eager))


def test_the_workers_fixup_keeps_the_connection_between_tasks():
    fixup = DjangoWorkerFixup(app)
    connection.ensure_connection()
    opened = connection.connection
    for _ in range(10):
        fixup.on_task_prerun(sender=tasks.send_notifications)
        fixup.on_task_postrun(sender=tasks.send_notifications)
    assert connection.connection is opened


@pytest.mark.postgres
def test_a_connection_past_its_age_is_closed_around_a_task(postgres):
    # SQLite's in-memory test database ignores close(): only a server connection can show it.
    connection.ensure_connection()
    recycle_database_connections(task=worker_task())
    assert connection.connection is not None  # young and healthy: kept
    connection.close_at = time.monotonic() - 1
    recycle_database_connections(task=worker_task())
    assert connection.connection is None


def test_a_task_run_in_process_leaves_the_callers_connection_alone():
    connection.ensure_connection()
    connection.close_at = time.monotonic() - 1
    recycle_database_connections(task=worker_task(is_eager=True))
    assert connection.connection is not None
