"""What "every email once" means when a worker dies: the exact guarantee of notifications.services.

`deliver()` locks the row, sends the email, marks the row sent, and commits, in one transaction.
A worker that dies *before* the mail server accepted the message leaves the row pending and
nothing sent (test_faults.py kills a real worker to show it). A worker that dies in the short
window *after* the server accepted the message and *before* the commit leaves the row pending
too, so the email is sent again: delivery is at least once, and that duplicate carries the same
Message-ID, so mail clients show it once. These tests pin both halves.
"""

from __future__ import annotations

from unittest import mock

import pytest
from django.core import mail

from notifications import services
from notifications.models import Notification
from tests.factories import CategoryFactory, ServiceFactory, UserFactory, agent_of
from tickets import services as ticket_services

pytestmark = pytest.mark.django_db


class WorkerKilled(BaseException):
    """Stands for SIGKILL: nothing after it runs, the transaction is rolled back."""


@pytest.fixture
def row() -> Notification:
    service = ServiceFactory()
    agent_of(service)
    ticket_services.ticket_create(
        requester=UserFactory(),
        category=CategoryFactory(service=service),
        subject="Imprimante",
        description="Hors ligne.",
    )
    # Commit callbacks do not run inside the test's transaction: the rows stay pending.
    return Notification.objects.order_by("pk").first()


def test_a_worker_dying_before_the_server_accepts_leaves_the_row_pending(row):
    """The send fails midway (the connection drops): the row is pending, unchanged, for the
    sweep; no message left."""
    with (
        mock.patch("django.core.mail.EmailMultiAlternatives.send", side_effect=WorkerKilled),
        pytest.raises(WorkerKilled),
    ):
        services.deliver(row.pk)
    row.refresh_from_db()
    assert (row.status, row.attempts, row.message_id) == ("pending", 0, "")
    assert mail.outbox == []
    assert services.deliver(row.pk).outcome is services.Outcome.SENT
    assert len(mail.outbox) == 1


def test_a_worker_dying_after_the_server_accepted_sends_again_with_the_same_message_id(row):
    """The window between the server's acceptance and the commit: the row is still pending, so
    the email goes out a second time, under the same Message-ID."""
    save = Notification.save

    def killed_when_marking_sent(self, *args, **kwargs):
        if self.status == Notification.Status.SENT:
            raise WorkerKilled
        return save(self, *args, **kwargs)

    with (
        mock.patch.object(Notification, "save", killed_when_marking_sent),
        pytest.raises(WorkerKilled),
    ):
        services.deliver(row.pk)
    row.refresh_from_db()
    assert row.status == "pending"
    assert len(mail.outbox) == 1

    assert services.deliver(row.pk).outcome is services.Outcome.SENT
    assert services.deliver(row.pk).outcome is services.Outcome.SKIPPED
    assert len(mail.outbox) == 2
    first, second = (message.extra_headers["Message-ID"] for message in mail.outbox)
    assert first == second == Notification.objects.get(pk=row.pk).message_id
