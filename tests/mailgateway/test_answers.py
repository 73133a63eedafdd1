"""The automatic answers as their readers get them: each says what happened and what to do, in
the sender's language, marked as an automatic reply and threaded under the message answered."""

from __future__ import annotations

import pytest

from mailgateway.models import InboundMessage, Mailbox
from notifications.emails import build_message
from notifications.reply_address import reply_address
from tests.factories import UserFactory
from tests.mailgateway.conftest import answers, message, receive
from tickets import workflow

pytestmark = pytest.mark.django_db


def only_answer(email: str):
    [row] = answers(email)
    return build_message(row)


def body(mail) -> str:
    return mail.body


def test_a_refusal_for_a_closed_ticket_says_what_to_do_in_french(world):
    workflow.cancel(ticket=world.ticket, actor=world.requester, reason="Réglé")
    raw = message(
        sender=world.requester.email,
        to=reply_address(world.ticket.pk, world.requester.pk),
        message_id="<answered@mail.example>",
    )
    receive(world.mailbox, raw)

    mail = only_answer(world.requester.email)

    assert f"[Helpdesk #{world.ticket.pk}]" in mail.subject
    assert "ce ticket est clos" in body(mail)
    assert f"/tickets/{world.ticket.pk}/" in body(mail)
    assert mail.extra_headers["Auto-Submitted"] == "auto-replied"
    assert mail.extra_headers["In-Reply-To"] == "<answered@mail.example>"
    assert "ce ticket est clos" in mail.alternatives[0][0]


def test_a_forged_reply_address_is_explained_to_its_sender_in_english(world):
    UserFactory(email="mallory@elsewhere.example", preferred_language="en")
    raw = message(
        sender="mallory@elsewhere.example",
        to=reply_address(world.ticket.pk, world.requester.pk),
    )
    receive(world.mailbox, raw)

    text = body(only_answer("mallory@elsewhere.example"))

    assert "a reply address given to another person" in text


def test_an_unknown_sender_is_sent_the_filing_page(world):
    Mailbox.objects.filter(pk=world.mailbox.pk).update(
        unknown_sender_policy=Mailbox.UnknownSenderPolicy.EXPLAIN
    )
    world.mailbox.refresh_from_db()
    receive(world.mailbox, message(sender="dominique@univ.example", subject="Wifi"))

    mail = only_answer("dominique@univ.example")

    assert "Wifi" in mail.subject
    assert "https://helpdesk.univ.example/tickets/new/" in body(mail)


def test_refused_files_are_listed_with_their_reason(world):
    raw = message(
        sender=world.requester.email,
        to=reply_address(world.ticket.pk, world.requester.pk),
        attachments=[("setup.exe", "application/octet-stream", b"MZ" + b"\x00" * 64)],
    )
    inbound = receive(world.mailbox, raw)
    assert inbound.status == InboundMessage.Status.PROCESSED

    text = body(only_answer(world.requester.email))

    assert "setup.exe" in text
    assert "Votre message a été ajouté" in text
