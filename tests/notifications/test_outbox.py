"""The outbox: rows written with the move, delivered once after commit, retried, swept, re-sent.

Tasks run eagerly here (no broker, as with `make run`) and mail goes to Django's locmem outbox.
"""

from __future__ import annotations

import datetime
import smtplib
from unittest import mock

import pytest
from django.contrib.admin.sites import AdminSite
from django.core import mail
from django.core.mail.backends import locmem
from django.db import transaction
from django.test import RequestFactory
from django.utils import timezone

from notifications import services, tasks
from notifications.admin import NotificationAdmin
from notifications.models import Notification, NotificationPreference
from tests.factories import TicketFactory, UserFactory
from tests.notifications.conftest import headline
from tickets import services as ticket_services
from tickets import workflow

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]


@pytest.fixture(autouse=True)
def _fast_retries(settings):
    settings.NOTIFICATION_RETRY_DELAY = 1
    settings.NOTIFICATION_MAX_ATTEMPTS = 3


def file_ticket(world, **kwargs):
    return ticket_services.ticket_create(
        requester=world.requester,
        category=world.category,
        subject=kwargs.get("subject", "Imprimante en panne"),
        description="Elle ne répond plus.",
    )


def test_a_move_writes_rows_and_sends_after_commit(world, django_capture_on_commit_callbacks):
    """Filing a ticket writes one pending row per recipient; the emails leave after commit."""
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        ticket = file_ticket(world)
    rows = Notification.objects.filter(event__ticket=ticket)
    assert rows.count() == 5  # requester, three agents, the alert address
    assert set(rows.values_list("status", flat=True)) == {"pending"}
    assert mail.outbox == []
    # One task for the five rows (the queues' counts are renewed on commit too: not emails).
    sending = [c for c in callbacks if c.__module__ != "tickets.queue_cache"]
    assert len(sending) == 1
    for callback in sending:
        callback()
    assert len(mail.outbox) == 5
    assert set(rows.values_list("status", flat=True)) == {"sent"}


def test_the_rows_of_a_move_are_complete_and_in_order(world, django_capture_on_commit_callbacks):
    """The rows of a move, written in one statement, hold what a saved model would: the event,
    its key, each recipient's address, kind and language, pending and due now, no payload; the
    rows returned carry the ids the database gave them, one per recipient, in order."""
    NotificationPreference.objects.create(
        user=world.agent2, new_ticket_delivery=NotificationPreference.NewTicketDelivery.DIGEST
    )
    before = timezone.now()
    with django_capture_on_commit_callbacks(execute=False):
        ticket = ticket_services.ticket_create(
            requester=world.requester,
            category=world.category,
            subject="Imprimante en panne",
            description="Elle ne répond plus.",
        )
        event = ticket.events.get(action="created")
        # Written again, to see what `notify` returns.
        Notification.objects.filter(event=event).delete()
        written = services.notify(event)
    stored = {row.pk: row for row in Notification.objects.filter(pk__in=[r.pk for r in written])}
    assert [row.email for row in written] == [stored[row.pk].email for row in written]
    expected = {
        ("camille@univ.example", "ticket_created", "fr", world.requester.pk),
        ("alex@univ.example", "new_ticket", "en", world.assignee.pk),
        ("sam@univ.example", "new_ticket", world.head.language, world.head.pk),
        ("it-alerts@univ.example", "new_ticket", "fr", None),
    }
    assert {(r.email, r.kind, r.language, r.recipient_id) for r in stored.values()} == expected
    for row in stored.values():
        assert row.event_id == event.pk
        assert row.dedup_key == f"event-{event.pk}"
        assert row.status == Notification.Status.PENDING
        assert (row.attempts, row.last_error, row.message_id, row.payload) == (0, "", "", {})
        assert row.sent_at is None
        assert before <= row.created_at == row.due_at <= timezone.now()
    for row in written:
        assert row._state.adding is False
        assert (row.recipient_id, row.email) == (stored[row.pk].recipient_id, stored[row.pk].email)


def test_a_rolled_back_move_sends_nothing(world, django_capture_on_commit_callbacks):
    """The rows belong to the move's transaction: no move, no email."""
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        sid = transaction.savepoint()
        file_ticket(world)
        transaction.savepoint_rollback(sid)
    assert Notification.objects.count() == 0
    assert mail.outbox == []


def test_running_the_task_twice_sends_one_email(world, ticket, django_capture_on_commit_callbacks):
    """A sent row is not sent again, whoever runs the task again."""
    with django_capture_on_commit_callbacks(execute=True):
        workflow.take(ticket=ticket, actor=world.assignee)
    row = Notification.objects.get(event__ticket=ticket)
    assert len(mail.outbox) == 1
    assert tasks.send_notification.apply(args=[row.pk]).get() == "skipped"
    assert services.deliver(row.pk).outcome is services.Outcome.SKIPPED
    assert len(mail.outbox) == 1
    row.refresh_from_db()
    assert row.status == "sent" and row.attempts == 1 and row.sent_at is not None


def test_an_smtp_error_is_retried(world, ticket, django_capture_on_commit_callbacks):
    """The mail server fails once: the task tries again and the email leaves once."""
    real_send = mail.EmailMultiAlternatives.send
    calls = []

    def flaky_send(message, *args, **kwargs):
        calls.append(message)
        if len(calls) == 1:
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return real_send(message, *args, **kwargs)

    with (
        mock.patch.object(mail.EmailMultiAlternatives, "send", flaky_send),
        django_capture_on_commit_callbacks(execute=True),
    ):
        workflow.take(ticket=ticket, actor=world.assignee)
    row = Notification.objects.get(event__ticket=ticket)
    assert len(calls) == 2
    assert len(mail.outbox) == 1
    assert row.status == "pending" or row.refresh_from_db() is None
    assert row.status == "sent" and row.attempts == 2
    assert "SMTPServerDisconnected" not in row.last_error


def test_retry_delay_doubles(settings):
    """The back-off doubles after each failed attempt."""
    settings.NOTIFICATION_RETRY_DELAY = 60
    assert [services.retry_delay(n) for n in (1, 2, 3, 4)] == [60, 120, 240, 480]


def test_a_connection_refused_marks_the_row_failed_after_the_last_attempt(
    world, ticket, django_capture_on_commit_callbacks
):
    """The mail server never answers: after the last attempt the row is failed, with the error."""
    with (
        mock.patch.object(
            mail.EmailMultiAlternatives, "send", side_effect=ConnectionRefusedError(111, "refused")
        ) as send,
        django_capture_on_commit_callbacks(execute=True),
    ):
        workflow.take(ticket=ticket, actor=world.assignee)
    row = Notification.objects.get(event__ticket=ticket)
    assert send.call_count == 3
    assert row.status == "failed"
    assert row.attempts == 3
    assert "ConnectionRefusedError" in row.last_error


def test_a_broken_template_fails_at_once(world, ticket, django_capture_on_commit_callbacks):
    """An error that waiting will not cure (a template error) fails the row without retrying."""
    with (
        mock.patch("notifications.emails.render_to_string", side_effect=ValueError("broken")),
        django_capture_on_commit_callbacks(execute=True),
    ):
        workflow.take(ticket=ticket, actor=world.assignee)
    row = Notification.objects.get(event__ticket=ticket)
    assert (row.status, row.attempts) == ("failed", 1)
    assert "broken" in row.last_error


def test_the_broker_being_down_does_not_break_the_move(
    world, ticket, django_capture_on_commit_callbacks
):
    """If the task cannot be queued, the move still succeeds and the row waits for the sweep."""
    with (
        mock.patch.object(tasks.send_notifications, "delay", side_effect=OSError("no broker")),
        django_capture_on_commit_callbacks(execute=True),
    ):
        workflow.take(ticket=ticket, actor=world.assignee)
    ticket.refresh_from_db()
    assert ticket.status == "in_progress"
    assert Notification.objects.get(event__ticket=ticket).status == "pending"


def test_the_sweep_requeues_old_pending_rows_only(
    world, ticket, django_capture_on_commit_callbacks
):
    """Rows pending long after they were due are queued again; recent ones and sent ones are not."""
    with django_capture_on_commit_callbacks(execute=False):
        workflow.take(ticket=ticket, actor=world.assignee)
        workflow.request_info(ticket=ticket, actor=world.assignee, question="Quel navigateur ?")
    old, recent = Notification.objects.filter(event__ticket=ticket).order_by("pk")
    Notification.objects.filter(pk=old.pk).update(
        due_at=timezone.now() - datetime.timedelta(hours=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert services.sweep() == 1
    old.refresh_from_db()
    recent.refresh_from_db()
    assert old.status == "sent"
    assert recent.status == "pending"
    assert len(mail.outbox) == 1
    # A second sweep finds nothing overdue, and running the old row's task again sends nothing.
    with django_capture_on_commit_callbacks(execute=True):
        assert services.sweep() == 0
    tasks.send_notification.apply(args=[old.pk])
    assert len(mail.outbox) == 1


def test_the_sweep_task_is_scheduled(settings):
    """Beat runs the sweep (every few seconds, tests/notifications/test_sweep.py) and the digest."""
    tasks_scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "notifications.tasks.sweep_pending_notifications" in tasks_scheduled
    assert "notifications.tasks.send_new_ticket_digests" in tasks_scheduled
    sweep = settings.CELERY_BEAT_SCHEDULE["notifications-sweep"]["schedule"]
    assert sweep <= 600


def test_the_admin_resends_failed_rows(world, ticket, django_capture_on_commit_callbacks):
    """An administrator selects failed rows and sends them again; sent rows are left alone."""
    with (
        mock.patch.object(
            mail.EmailMultiAlternatives, "send", side_effect=smtplib.SMTPException("down")
        ),
        django_capture_on_commit_callbacks(execute=True),
    ):
        workflow.take(ticket=ticket, actor=world.assignee)
    failed = Notification.objects.get(event__ticket=ticket)
    assert failed.status == "failed"
    admin = NotificationAdmin(Notification, AdminSite())
    request = RequestFactory().post("/admin/")
    request.user = UserFactory(is_staff=True, is_superuser=True)
    request._messages = mock.MagicMock()
    with django_capture_on_commit_callbacks(execute=True):
        admin.resend(request, Notification.objects.all())
    failed.refresh_from_db()
    assert failed.status == "sent"
    assert len(mail.outbox) == 1


def test_admin_lists_failed_rows_with_filters(admin_client, world, ticket):
    """The outbox page filters by status and kind."""
    Notification.objects.create(
        email="x@univ.example", kind="ticket_taken", language="fr", dedup_key="k", status="failed"
    )
    response = admin_client.get("/admin/notifications/notification/?status__exact=failed")
    assert response.status_code == 200
    assert "x@univ.example" in response.content.decode()


def test_preferences_are_respected(world, ticket, django_capture_on_commit_callbacks):
    """A requester who switched off progress emails is not told their ticket was taken."""
    NotificationPreference.objects.create(user=world.requester, ticket_progress=False)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.take(ticket=ticket, actor=world.assignee)
    assert mail.outbox == []
    assert not Notification.objects.filter(event__ticket=ticket).exists()


def test_essential_messages_cannot_be_switched_off(
    world, ticket, django_capture_on_commit_callbacks
):
    """A requester who switched every option off still gets the question and the closure."""
    NotificationPreference.objects.create(
        user=world.requester,
        ticket_acknowledgement=False,
        ticket_progress=False,
        agent_replies=False,
        ticket_outcome=False,
    )
    with django_capture_on_commit_callbacks(execute=True):
        workflow.take(ticket=ticket, actor=world.assignee)
        workflow.request_info(ticket=ticket, actor=world.assignee, question="Quel poste ?")
        ticket_services.comment_add(ticket=ticket, author=world.requester, text="Le PC-12.")
        workflow.request_closure(ticket=ticket, actor=world.assignee, resolution="Réparé.")
    to_requester = [m for m in mail.outbox if m.to == [world.requester.email]]
    assert len(to_requester) == 2
    assert headline(to_requester[0]).startswith("Information demandée")
    assert headline(to_requester[1]).startswith("Clôture à approuver")


def test_agents_choose_immediate_emails_or_the_digest(world, django_capture_on_commit_callbacks):
    """New tickets: agents on the digest get no email at once, then one summary a day."""
    NotificationPreference.objects.create(user=world.agent2, new_ticket_delivery="digest")
    NotificationPreference.objects.create(user=world.head, new_ticket_delivery="none")
    with django_capture_on_commit_callbacks(execute=True):
        first = file_ticket(world, subject="Wi-Fi coupé")
        second = file_ticket(world, subject="Imprimante")
    immediate = {m.to[0] for m in mail.outbox if headline(m).startswith("New ticket")}
    assert world.assignee.email in immediate
    assert world.agent2.email not in immediate and world.head.email not in immediate
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.send_new_ticket_digests.apply().get() == 1
        # Beat firing twice the same day sends nothing more.
        services.queue_digests()
    assert len(mail.outbox) == 1
    digest = mail.outbox[0]
    assert digest.to == [world.agent2.email]
    assert "2 nouveaux tickets" in digest.subject
    body = digest.body
    assert first.subject in body and second.subject in body
    assert f"http://127.0.0.1:8000/tickets/{first.pk}/" in body


def test_no_digest_without_new_tickets(world):
    """An agent on the digest gets nothing on a day without new tickets."""
    NotificationPreference.objects.create(user=world.agent2, new_ticket_delivery="digest")
    assert services.queue_digests() == []


def test_the_answer_to_a_question_is_emailed_once(
    world, ticket, django_capture_on_commit_callbacks
):
    """The requester's comment on a ticket waiting for information reaches the agent once,
    as an answer, with its text."""
    with django_capture_on_commit_callbacks(execute=True):
        workflow.take(ticket=ticket, actor=world.assignee)
        workflow.request_info(ticket=ticket, actor=world.assignee, question="Quel navigateur ?")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        ticket_services.comment_add(ticket=ticket, author=world.requester, text="Firefox 140")
    assert [m.to for m in mail.outbox] == [[world.assignee.email]]
    assert mail.outbox[0].subject == f"[Helpdesk #{ticket.pk}] {ticket.subject}"
    assert headline(mail.outbox[0]) == f"Answer received: {ticket.subject}"
    assert "Firefox 140" in mail.outbox[0].body


def test_whole_journey_sends_the_expected_emails(world, ticket, django_capture_on_commit_callbacks):
    """A ticket's life from take to approved closure: who got what, in order."""
    with django_capture_on_commit_callbacks(execute=True):
        workflow.take(ticket=ticket, actor=world.assignee)
        ticket_services.comment_add(ticket=ticket, author=world.assignee, text="Je regarde.")
        ticket_services.comment_add(
            ticket=ticket, author=world.assignee, text="Note", internal=True
        )
        workflow.request_closure(ticket=ticket, actor=world.assignee, resolution="Fait.")
        workflow.refuse_closure(ticket=ticket, actor=world.requester, reason="Toujours en panne.")
        workflow.request_closure(ticket=ticket, actor=world.assignee, resolution="Vraiment fait.")
        workflow.approve_closure(ticket=ticket, actor=world.requester)
    sent = [(m.to[0], headline(m).split(":")[0].strip()) for m in mail.outbox]
    r, a = world.requester.email, world.assignee.email
    assert sent == [
        (r, "Pris en charge"),
        (r, "Nouveau message"),
        (r, "Clôture à approuver"),
        (a, "Closure refused"),
        (r, "Clôture à approuver"),
        (a, "Closure approved"),
    ]


def test_an_unknown_row_is_skipped():
    """A task for a row that no longer exists does nothing."""
    assert services.deliver(987654).outcome is services.Outcome.SKIPPED


def test_ticket_factory_users_get_emails_in_their_language(db, django_capture_on_commit_callbacks):
    """An English-speaking requester reads English."""
    requester = UserFactory(preferred_language="en")
    ticket = TicketFactory(requester=requester)
    from tests.factories import agent_of

    agent = agent_of(ticket.service)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.take(ticket=ticket, actor=agent)
    assert mail.outbox[0].subject == f"[Helpdesk #{ticket.pk}] {ticket.subject}"
    assert headline(mail.outbox[0]) == f"Taken in charge: {ticket.subject}"


class CountingBackend(locmem.EmailBackend):
    """Django's test outbox, counting the connections opened."""

    opened = 0

    def open(self) -> bool:
        CountingBackend.opened += 1
        return super().open()


def test_rows_are_queued_in_batches_and_sent_through_one_connection(
    world, django_capture_on_commit_callbacks, settings, monkeypatch
):
    """A move that notifies many people queues one task per BATCH_SIZE rows, and each task sends
    its emails through one mail connection."""
    settings.EMAIL_BACKEND = "tests.notifications.test_outbox.CountingBackend"
    CountingBackend.opened = 0
    monkeypatch.setattr(services, "BATCH_SIZE", 2)
    with (
        mock.patch.object(tasks.send_notifications, "delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        ticket = file_ticket(world)
    rows = Notification.objects.filter(event__ticket=ticket)
    batches = [call.args[0] for call in delay.call_args_list]
    assert [len(batch) for batch in batches] == [2, 2, 1]
    assert sorted(pk for batch in batches for pk in batch) == sorted(r.pk for r in rows)
    assert mail.outbox == []

    assert tasks.send_notifications.apply(args=[batches[0]]).get() == 2
    assert len(mail.outbox) == 2
    assert CountingBackend.opened == 1


def test_a_row_refused_in_a_batch_is_retried_alone(world, django_capture_on_commit_callbacks):
    """The mail server refuses one email of a batch: the others are sent, and that row goes on
    with its own retries."""
    with django_capture_on_commit_callbacks(execute=False):
        ticket = file_ticket(world)
    rows = list(Notification.objects.filter(event__ticket=ticket).order_by("pk"))
    refused = rows[1]
    real_send = mail.EmailMessage.send

    def send(message, *args, **kwargs):
        if refused.email in message.to:
            raise smtplib.SMTPServerDisconnected("connection lost")
        return real_send(message, *args, **kwargs)

    with (
        mock.patch.object(mail.EmailMessage, "send", send),
        mock.patch.object(tasks.send_notification, "apply_async") as retry,
    ):
        sent = tasks.send_notifications.apply(args=[[row.pk for row in rows]]).get()
    assert sent == len(rows) - 1 == len(mail.outbox)
    assert retry.call_args.args == ((refused.pk,),)
    assert retry.call_args.kwargs["countdown"] == 1
    refused.refresh_from_db()
    assert (refused.status, refused.attempts) == ("pending", 1)
    assert "connection lost" in refused.last_error


def test_a_batch_reads_its_rows_once_then_claims_each(
    world, django_capture_on_commit_callbacks, django_assert_num_queries
):
    """A batch reads its rows, with the ticket, people and attachment their emails show, in one
    query; each row then costs its claim and its 'sent', whatever the email shows (plus the
    savepoint around each row that the test's own transaction turns its transaction into)."""
    with django_capture_on_commit_callbacks(execute=False):
        ticket = file_ticket(world)
    ids = list(Notification.objects.filter(event__ticket=ticket).values_list("pk", flat=True))
    with django_assert_num_queries(1 + 4 * len(ids)):
        sent = tasks.send_notifications.apply(args=[ids]).get()
    assert sent == len(ids) == len(mail.outbox) == 5
    assert "Imprimante en panne" in mail.outbox[0].subject


def test_a_row_claimed_elsewhere_after_the_batch_read_it_is_not_sent_again(
    world, django_capture_on_commit_callbacks, monkeypatch
):
    """Between the batch's read and a row's claim another worker may send the row, or fail to:
    the claim reads the row's state again, so it is skipped, or its attempts are counted on."""
    with django_capture_on_commit_callbacks(execute=False):
        ticket = file_ticket(world)
    rows = list(Notification.objects.filter(event__ticket=ticket).order_by("pk"))
    read_rows = services.rows_to_send

    def read_then_another_worker_moves(ids):
        found = read_rows(ids)
        Notification.objects.filter(pk=rows[0].pk).update(status=Notification.Status.SENT)
        Notification.objects.filter(pk=rows[1].pk).update(attempts=2, message_id="<kept@x>")
        return found

    monkeypatch.setattr(services, "rows_to_send", read_then_another_worker_moves)
    sent = tasks.send_notifications.apply(args=[[row.pk for row in rows]]).get()
    assert sent == len(rows) - 1 == len(mail.outbox)
    assert rows[0].email not in {address for message in mail.outbox for address in message.to}
    rows[1].refresh_from_db()
    assert (rows[1].status, rows[1].attempts, rows[1].message_id) == ("sent", 3, "<kept@x>")
