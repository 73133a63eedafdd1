"""Reading a real Dovecot: every message once, whatever crashes, renumbering or limits."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from mailgateway import imap, services, tasks
from mailgateway.models import InboundMessage, Mailbox
from notifications.reply_address import reply_address
from tests.mailgateway.conftest import answers, message
from tickets.models import Ticket

pytestmark = pytest.mark.django_db

SEEN = b"\\Seen"


class Crash(BaseException):
    """The worker dies here: no handler of the application catches it."""


def reply(world, text: str = "Réponse par courriel") -> bytes:
    return message(
        sender=world.requester.email,
        to=reply_address(world.ticket.pk, world.requester.pk),
        text=text,
    )


def comment_count(ticket: Ticket) -> int:
    return ticket.events.filter(action="comment").count()


def test_a_poll_applies_new_messages_flags_them_and_remembers_where_it_stopped(
    world, imap_mailbox, dovecot_server
):
    dovecot_server.append(imap_mailbox.folder, reply(world, "Un"), reply(world, "Deux"))

    result = imap.poll(imap_mailbox)

    assert (result.read, result.processed) == (2, 2)
    assert comment_count(world.ticket) == 2
    assert all(SEEN in flags for flags in dovecot_server.flags(imap_mailbox.folder).values())
    imap_mailbox.refresh_from_db()
    assert imap_mailbox.last_uid == 2 and imap_mailbox.last_polled_at is not None
    assert imap.poll(imap_mailbox).read == 0


def test_a_crash_before_the_commit_leaves_the_message_to_be_read_again(
    world, imap_mailbox, dovecot_server, monkeypatch
):
    dovecot_server.append(imap_mailbox.folder, reply(world))

    def crash(*args, **kwargs):
        raise Crash

    with monkeypatch.context() as patch:
        patch.setattr(services, "_apply", crash)
        with pytest.raises(Crash):
            imap.poll(imap_mailbox)

    assert InboundMessage.objects.count() == 0 and comment_count(world.ticket) == 0
    assert SEEN not in dovecot_server.flags(imap_mailbox.folder)[1]
    imap_mailbox.refresh_from_db()
    imap.poll(imap_mailbox)
    assert comment_count(world.ticket) == 1


def test_a_crash_after_the_commit_does_not_apply_the_message_twice(
    world, imap_mailbox, dovecot_server, monkeypatch
):
    dovecot_server.append(imap_mailbox.folder, reply(world))

    def crash(*args, **kwargs):
        raise Crash

    with monkeypatch.context() as patch:
        patch.setattr(imap, "mark_read", crash)
        with pytest.raises(Crash):
            imap.poll(imap_mailbox)
    assert comment_count(world.ticket) == 1
    assert SEEN not in dovecot_server.flags(imap_mailbox.folder)[1]

    # Even read again from the start, the recorded message is not applied twice.
    Mailbox.objects.filter(pk=imap_mailbox.pk).update(last_uid=0)
    imap_mailbox.refresh_from_db()
    imap.poll(imap_mailbox)

    assert comment_count(world.ticket) == 1
    assert InboundMessage.objects.count() == 1


def test_a_new_uidvalidity_reads_the_folder_again_without_applying_copies(
    world, imap_mailbox, dovecot_server
):
    first = reply(world, "Premier")
    dovecot_server.append(imap_mailbox.folder, first)
    imap.poll(imap_mailbox)
    imap_mailbox.refresh_from_db()
    old_validity = imap_mailbox.uidvalidity

    dovecot_server.recreate(imap_mailbox.folder)
    dovecot_server.append(imap_mailbox.folder, first, reply(world, "Second"))
    imap.poll(imap_mailbox)

    imap_mailbox.refresh_from_db()
    assert imap_mailbox.uidvalidity != old_validity
    assert imap_mailbox.last_uid == 2
    assert comment_count(world.ticket) == 2
    statuses = sorted(InboundMessage.objects.values_list("status", flat=True))
    assert statuses == ["ignored", "processed", "processed"]


def test_a_message_over_the_size_limit_is_not_downloaded_and_gets_an_answer(
    world, imap_mailbox, dovecot_server, settings
):
    settings.INBOUND_MAX_BYTES = 4000
    dovecot_server.append(imap_mailbox.folder, reply(world, "x" * 20_000))

    imap.poll(imap_mailbox)

    [inbound] = InboundMessage.objects.all()
    assert inbound.status == InboundMessage.Status.REFUSED
    assert inbound.size > 20_000
    assert comment_count(world.ticket) == 0
    assert answers(world.requester.email)[0].payload["context"]["reason"] == "too_large"


def test_a_new_message_in_the_mailbox_files_a_ticket(world, imap_mailbox, dovecot_server):
    dovecot_server.append(
        imap_mailbox.folder, message(sender="dominique@univ.example", subject="Wifi en panne")
    )

    call_command("poll_mailboxes", stdout=StringIO())

    ticket = Ticket.objects.get(subject="Wifi en panne")
    assert ticket.origin == Ticket.Origin.EMAIL
    assert ticket.requester.email == "dominique@univ.example"


def test_without_an_active_mailbox_nothing_is_read(db):
    assert tasks.poll_mailboxes() == {"mailboxes": 0, "read": 0, "processed": 0}


def test_an_inactive_mailbox_is_not_read(world, imap_mailbox, dovecot_server):
    dovecot_server.append(imap_mailbox.folder, reply(world))
    Mailbox.objects.filter(pk=imap_mailbox.pk).update(is_active=False)

    assert tasks.poll_mailboxes()["read"] == 0
    assert comment_count(world.ticket) == 0


def test_a_mailbox_that_cannot_be_read_records_its_error_and_others_are_read(
    world, imap_mailbox, dovecot_server, monkeypatch
):
    broken = Mailbox.objects.create(
        service=world.service,
        name="Broken",
        host="127.0.0.1",
        port=dovecot_server.port,
        security=Mailbox.Security.NONE,
        username="helpdesk",
        password_env="MAILGATEWAY_TEST_NO_SUCH_VARIABLE",
        category=world.category,
    )
    monkeypatch.delenv("MAILGATEWAY_TEST_NO_SUCH_VARIABLE", raising=False)
    dovecot_server.append(imap_mailbox.folder, reply(world))

    totals = tasks.poll_mailboxes()

    assert totals["processed"] == 1
    broken.refresh_from_db()
    assert "MAILGATEWAY_TEST_NO_SUCH_VARIABLE" in broken.last_error
    assert not broken.password_is_set and imap_mailbox.password_is_set


def test_checking_a_connection_counts_the_folders_messages(world, imap_mailbox, dovecot_server):
    dovecot_server.append(imap_mailbox.folder, reply(world))

    assert imap.check_connection(imap_mailbox) == 1
    assert SEEN not in dovecot_server.flags(imap_mailbox.folder)[1]
