"""Emails that invite a reply: when replies by email are on, each email about a ticket to someone
who may comment on it names that ticket and person in its Reply-To, starts with the marker above
which the reply is read, and says that replying works; otherwise nothing changes."""

from __future__ import annotations

import pytest
from django.core import mail

from notifications import emails, reply_address
from tests.notifications.conftest import ALERT
from tickets import services as ticket_services
from tickets import workflow

pytestmark = pytest.mark.django_db

MARKER = "##- Please type your reply above this line -##"
FRENCH_MARKER = "##- Veuillez écrire votre réponse au-dessus de cette ligne -##"
DO_NOT_REPLY = "merci de ne pas y répondre par courriel"
REPLY_WORKS = "votre réponse est ajoutée au ticket"


@pytest.fixture
def replies_on(settings):
    settings.INBOUND_REPLY_ADDRESS = "helpdesk@univ.example"


@pytest.fixture
def replies_off(settings):
    settings.INBOUND_REPLY_ADDRESS = ""


def html_of(message) -> str:
    (html, _), *_ = message.alternatives
    return html


def to(address: str) -> list:
    return [m for m in mail.outbox if m.to == [address]]


def file_ticket(world):
    return ticket_services.ticket_create(
        requester=world.requester, category=world.category, subject="Écran", description="."
    )


def test_the_requester_and_the_agents_get_their_own_reply_address(
    replies_on, world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ticket = file_ticket(world)
    (receipt,) = to(world.requester.email)
    assert receipt.reply_to == [reply_address.reply_address(ticket.pk, world.requester.pk)]
    assert receipt.message()["Reply-To"] == receipt.reply_to[0]
    (to_agent,) = to(world.agent2.email)
    assert to_agent.reply_to == [reply_address.reply_address(ticket.pk, world.agent2.pk)]
    assert reply_address.read_token(to_agent.reply_to[0]) == reply_address.ReplyToken(
        ticket.pk, world.agent2.pk
    )


def test_the_body_starts_with_the_marker_and_says_replying_works(
    replies_on, world, django_capture_on_commit_callbacks
):
    """The French reader sees the marker in English (what the gateway looks for) and in French."""
    with django_capture_on_commit_callbacks(execute=True):
        file_ticket(world)
    (receipt,) = to(world.requester.email)
    first, second, *_ = receipt.body.splitlines()
    assert (first, second) == (MARKER, FRENCH_MARKER)
    assert REPLY_WORKS in receipt.body and DO_NOT_REPLY not in receipt.body
    html = html_of(receipt)
    assert MARKER in html and FRENCH_MARKER in html and REPLY_WORKS in html
    (to_english_agent,) = to(world.assignee.email)
    assert to_english_agent.body.splitlines()[:2] == [MARKER, ""]
    assert "your reply is added to the ticket" in to_english_agent.body


def test_the_marker_comes_from_the_gateway():
    """What the emails write is what the gateway looks for."""
    from mailgateway.parsing import REPLY_MARKER

    assert emails.reply_marker() == REPLY_MARKER == MARKER


def test_replies_off_no_reply_to_and_do_not_reply(
    replies_off, world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        file_ticket(world)
    assert mail.outbox
    for message in mail.outbox:
        assert message.reply_to == []
        assert "Reply-To" not in message.message()
        assert "##-" not in message.body and "##-" not in html_of(message)
    (receipt,) = to(world.requester.email)
    assert DO_NOT_REPLY in receipt.body and REPLY_WORKS not in receipt.body


def test_the_alert_address_gets_no_reply_address(
    replies_on, world, django_capture_on_commit_callbacks
):
    """Nobody in particular reads it: a reply could not be told apart from anyone's."""
    with django_capture_on_commit_callbacks(execute=True):
        file_ticket(world)
    (alert,) = to(ALERT)
    assert alert.reply_to == []
    assert "##-" not in alert.body
    assert DO_NOT_REPLY in alert.body


def test_no_reply_address_on_a_ticket_nobody_may_comment(
    replies_on, world, ticket, django_capture_on_commit_callbacks
):
    """A closed ticket takes no more messages: its last email does not invite one."""
    with django_capture_on_commit_callbacks(execute=True):
        workflow.take(ticket=ticket, actor=world.assignee)
        workflow.request_closure(ticket=ticket, actor=world.assignee, resolution="Fait.")
    closure = to(world.requester.email)[-1]
    assert closure.reply_to == [reply_address.reply_address(ticket.pk, world.requester.pk)]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        workflow.approve_closure(ticket=ticket, actor=world.requester)
    (to_agent,) = to(world.assignee.email)
    assert to_agent.reply_to == []
    assert DO_NOT_REPLY not in to_agent.body  # English reader
    assert "please do not reply to it by email" in to_agent.body


def test_only_people_who_may_comment_get_a_reply_address(replies_on, world, ticket):
    """The check is the ticket's own permission, read when the email is written."""
    from notifications.models import Notification
    from tickets.models import TicketEvent

    event = TicketEvent.objects.create(ticket=ticket, kind="comment", action="comment", text=".")
    for person, expected in [
        (world.requester, True),
        (world.agent2, True),
        (world.other_agent, False),  # another service's agent
    ]:
        row = Notification(
            recipient=person,
            email=person.email,
            event=event,
            kind="agent_reply",
            language="fr",
            dedup_key="x",
        )
        assert bool(emails.reply_to_for(row)) is expected, person
