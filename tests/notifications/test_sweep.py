"""The sweep's timing: an email whose task was lost leaves within a minute, still once.

A row is re-queued by the first sweep that finds it pending more than NOTIFICATION_STALE_SECONDS
after it was due and not claimed (locked) by a sender; beat runs the sweep every few seconds.
"""

from __future__ import annotations

import datetime
import threading
from unittest import mock

import pytest
from django.core import mail
from django.db import connection, transaction
from django.utils import timezone

from notifications import services, tasks
from notifications.models import Notification
from tests.support import wait_until
from tickets import workflow

# From the moment the broker and a worker are back, an email whose task was lost must leave
# within this many seconds.
RECOVERY_SECONDS = 60


def test_the_sweep_schedule_and_delay_recover_within_a_minute(settings):
    """A row becomes stale NOTIFICATION_STALE_SECONDS after it was due and the next sweep comes
    at most one interval later: together well under a minute, leaving time to send."""
    entry = settings.CELERY_BEAT_SCHEDULE["notifications-sweep"]
    interval = entry["schedule"]
    assert interval <= 30
    # A sweep still queued when the next is due is dropped: none pile up while no worker runs.
    assert entry["options"]["expires"] <= interval
    assert settings.NOTIFICATION_STALE_SECONDS + interval <= RECOVERY_SECONDS - 10


def lost_rows(world, ticket, capture) -> list[Notification]:
    """The rows of a move made while the broker was down: written, their task never queued."""
    with (
        mock.patch.object(tasks.send_notifications, "delay", side_effect=OSError("no broker")),
        capture(execute=True),
    ):
        workflow.take(ticket=ticket, actor=world.assignee)
    rows = list(Notification.objects.filter(event__ticket=ticket, status="pending"))
    assert rows
    return rows


def test_a_row_whose_task_was_lost_is_picked_once_it_is_stale(
    world, ticket, settings, django_capture_on_commit_callbacks
):
    """Not before NOTIFICATION_STALE_SECONDS after it was due (its message may only be late),
    by the first sweep after; then sent once, and the next sweeps leave it alone."""
    (row,) = lost_rows(world, ticket, django_capture_on_commit_callbacks)
    stale = datetime.timedelta(seconds=settings.NOTIFICATION_STALE_SECONDS)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.sweep(now=row.due_at + stale - datetime.timedelta(seconds=1)) == 0
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        assert services.sweep(now=row.due_at + stale + datetime.timedelta(seconds=1)) == 1
    row.refresh_from_db()
    assert row.status == "sent"
    assert len(mail.outbox) == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert services.sweep(now=timezone.now() + 10 * stale) == 0
    assert len(mail.outbox) == 1


def test_a_requeued_row_whose_new_task_is_lost_too_is_picked_again(
    world, ticket, settings, django_capture_on_commit_callbacks
):
    """The sweep's own message can be lost (the broker went down again): the row is picked again
    NOTIFICATION_STALE_SECONDS later, not sooner."""
    (row,) = lost_rows(world, ticket, django_capture_on_commit_callbacks)
    stale = datetime.timedelta(seconds=settings.NOTIFICATION_STALE_SECONDS)
    first = row.due_at + stale + datetime.timedelta(seconds=1)
    with (
        mock.patch.object(tasks.send_notifications, "delay", side_effect=OSError("no broker")),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert services.sweep(now=first) == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert services.sweep(now=first + stale - datetime.timedelta(seconds=1)) == 0
        assert services.sweep(now=first + stale + datetime.timedelta(seconds=1)) == 1
    assert len(mail.outbox) == 1


def test_rows_a_dead_worker_left_in_its_batch_are_picked_and_sent_once(
    world, ticket, settings, django_capture_on_commit_callbacks
):
    """A worker died after sending the first rows of its batch: the sweep picks the others only
    (the sent ones stay sent), and each email leaves once."""
    with django_capture_on_commit_callbacks(execute=False):  # queued, never run
        workflow.take(ticket=ticket, actor=world.assignee)
        workflow.request_info(ticket=ticket, actor=world.assignee, question="Quel navigateur ?")
    rows = list(Notification.objects.filter(event__ticket=ticket).order_by("pk"))
    assert len(rows) >= 2
    assert services.deliver(rows[0].pk).outcome is services.Outcome.SENT  # then the worker died
    stale = datetime.timedelta(seconds=settings.NOTIFICATION_STALE_SECONDS + 1)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.sweep(now=timezone.now() + stale) == len(rows) - 1
    assert Notification.objects.filter(event__ticket=ticket, status="sent").count() == len(rows)
    recipients = sorted(message.to[0] for message in mail.outbox)
    assert recipients == sorted(row.email for row in rows)


@pytest.mark.django_db(transaction=True)
def test_a_claimed_row_is_left_alone_until_its_claim_ends_with_its_worker(
    postgres, world, ticket, settings
):
    """While a worker holds a row (its lock, from claim to 'sent') the sweep skips it, however
    late; once that worker's connection is gone (it died: the transaction is rolled back), the
    next sweep picks the row and it is sent once."""
    with mock.patch.object(tasks.send_notifications, "delay", side_effect=OSError("no broker")):
        workflow.take(ticket=ticket, actor=world.assignee)
    row = Notification.objects.get(event__ticket=ticket)
    claimed, died = threading.Event(), threading.Event()

    def worker() -> None:
        try:
            with transaction.atomic():
                Notification.objects.select_for_update().get(pk=row.pk)
                claimed.set()
                died.wait(30)
                raise RuntimeError("the worker dies")  # its transaction is rolled back
        except RuntimeError:
            pass
        finally:
            connection.close()

    thread = threading.Thread(target=worker)
    thread.start()
    try:
        assert claimed.wait(10)
        late = timezone.now() + datetime.timedelta(seconds=settings.NOTIFICATION_STALE_SECONDS + 1)
        assert services.sweep(now=late) == 0
    finally:
        died.set()
        thread.join()
    swept = []
    assert wait_until(lambda: swept.append(services.sweep(now=late)) or swept[-1] == 1, 10)
    row.refresh_from_db()
    assert row.status == "sent"
    assert len(mail.outbox) == 1
