"""What becomes of an incoming message: a comment, a new ticket, an automatic answer, or nothing.

Messages are handed to `mailgateway.services.receive` as a poll hands them (tests/mailgateway/
test_imap.py reads them from a real Dovecot); every refusal is read back from the outbox.
"""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from categories.models import ServiceMembership
from mailgateway.models import FailingAddress, InboundMessage, Mailbox
from notifications.reply_address import reply_address
from tests.factories import UserFactory
from tests.mailgateway.conftest import REPLY_ADDRESS, answers, message, receive
from tickets import workflow
from tickets.models import Ticket, TicketEvent

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
Status = InboundMessage.Status


def comments(ticket: Ticket) -> list[TicketEvent]:
    return list(ticket.events.filter(action="comment").order_by("pk"))


def token_reply(world, person, text: str = "Voici ma réponse.", **kwargs) -> bytes:
    return message(
        sender=person.email, to=reply_address(world.ticket.pk, person.pk), text=text, **kwargs
    )


# --- Replies -----------------------------------------------------------------------------------


def test_a_reply_to_the_reply_address_becomes_the_requesters_comment(world):
    inbound = receive(world.mailbox, token_reply(world, world.requester))

    assert inbound.status == Status.PROCESSED
    [comment] = comments(world.ticket)
    assert comment.actor == world.requester
    assert "Voici ma réponse." in comment.text
    assert inbound.ticket == world.ticket and inbound.event == comment
    assert answers() == []


def test_the_requesters_answer_to_a_question_moves_the_ticket_back_as_on_the_page(world):
    workflow.take(ticket=world.ticket, actor=world.agent)
    workflow.request_info(ticket=world.ticket, actor=world.agent, question="Quel navigateur ?")

    receive(world.mailbox, token_reply(world, world.requester, text="Firefox 128."))

    world.ticket.refresh_from_db()
    assert world.ticket.status == Ticket.Status.IN_PROGRESS
    assert "Firefox 128." in comments(world.ticket)[0].text


def test_an_agents_reply_is_a_public_reply(world):
    workflow.take(ticket=world.ticket, actor=world.agent)

    receive(world.mailbox, token_reply(world, world.agent, text="Please restart."))

    [comment] = comments(world.ticket)
    assert comment.actor == world.agent and not comment.is_internal


@pytest.mark.parametrize(
    "ours",
    [
        "<notification-41.ticket-{ticket}@helpdesk.univ.example>",
        "<ticket-{ticket}.u{person}@helpdesk.univ.example>",
    ],
    ids=["a notification", "the thread's root"],
)
def test_a_reply_to_one_of_our_emails_is_matched_by_in_reply_to(world, ours):
    ours = ours.format(ticket=world.ticket.pk, person=world.requester.pk)
    raw = message(sender=world.requester.email, headers={"In-Reply-To": ours, "References": ours})

    receive(world.mailbox, raw)

    assert [c.actor for c in comments(world.ticket)] == [world.requester]


def test_a_reply_is_matched_by_the_subject_tag(world):
    raw = message(
        sender="Camille <CAMILLE@univ.example>",
        subject=f"RE: [Helpdesk #{world.ticket.pk}] Plus de courriel",
    )
    receive(world.mailbox, raw)

    assert [c.actor for c in comments(world.ticket)] == [world.requester]


def test_thread_and_subject_match_only_someone_who_may_comment(world):
    """A stranger quoting the ticket's number files their own ticket, not a comment on this one."""
    ours = f"<ticket-{world.ticket.pk}@helpdesk.univ.example>"
    raw = message(
        sender="stranger@elsewhere.example",
        subject=f"[Helpdesk #{world.ticket.pk}] hello",
        headers={"In-Reply-To": ours},
    )

    inbound = receive(world.mailbox, raw)

    assert comments(world.ticket) == []
    assert inbound.ticket != world.ticket
    assert inbound.ticket.requester.email == "stranger@elsewhere.example"


# --- Refusals: an automatic answer, nothing else changes ------------------------------------------


def test_a_reply_address_used_by_another_sender_is_refused_with_an_answer(world):
    raw = message(
        sender="mallory@elsewhere.example", to=reply_address(world.ticket.pk, world.requester.pk)
    )

    inbound = receive(world.mailbox, raw)

    assert inbound.status == Status.REFUSED
    assert comments(world.ticket) == []
    [answer] = answers()
    assert answer.email == "mallory@elsewhere.example"
    assert answer.kind == "inbound_refused"
    assert answer.payload["context"]["reason"] == "forged"


def test_a_reply_to_a_closed_ticket_is_refused_with_what_to_do(world):
    workflow.cancel(ticket=world.ticket, actor=world.requester, reason="Réglé")

    inbound = receive(world.mailbox, token_reply(world, world.requester))

    assert inbound.status == Status.REFUSED
    assert comments(world.ticket) == []
    [answer] = answers(world.requester.email)
    context = answer.payload["context"]
    assert context["reason"] == "closed"
    assert context["ticket_url"].endswith(f"/tickets/{world.ticket.pk}/")


def test_a_move_the_page_would_refuse_is_refused_with_its_reason(world):
    """An agent who left the service replies to an old email: the page would refuse them."""
    workflow.take(ticket=world.ticket, actor=world.agent)
    raw = token_reply(world, world.agent, text="Late answer")
    ServiceMembership.objects.filter(user=world.agent).delete()

    inbound = receive(world.mailbox, raw)

    assert inbound.status == Status.REFUSED
    assert comments(world.ticket) == []
    [answer] = answers(world.agent.email)
    assert answer.payload["context"]["reason"] == "refused_move"
    assert answer.payload["context"]["detail"]


def test_a_reply_with_nothing_in_it_is_refused(world):
    inbound = receive(world.mailbox, token_reply(world, world.requester, text="\n"))

    assert inbound.status == Status.REFUSED
    assert answers()[0].payload["context"]["reason"] == "empty"


def test_a_reply_about_a_closure_is_a_comment_and_the_answer_links_the_decision(world):
    workflow.take(ticket=world.ticket, actor=world.agent)
    workflow.request_closure(ticket=world.ticket, actor=world.agent, resolution="Boîte réparée.")

    receive(world.mailbox, token_reply(world, world.requester, text="J'approuve."))

    world.ticket.refresh_from_db()
    assert world.ticket.status == Ticket.Status.CLOSURE_PENDING
    assert [c.text for c in comments(world.ticket)] == ["J'approuve."]
    [answer] = answers(world.requester.email)
    assert answer.kind == "inbound_received"
    assert answer.payload["context"]["closure_url"].endswith(f"/tickets/{world.ticket.pk}/closure/")


def test_files_pass_the_upload_checks_and_refused_ones_are_listed_in_the_answer(world):
    raw = token_reply(
        world,
        world.requester,
        attachments=[
            ("capture.png", "image/png", PNG),
            ("setup.exe", "application/octet-stream", b"MZ" + b"\x00" * 64),
        ],
    )

    receive(world.mailbox, raw)

    assert [a.original_name for a in world.ticket.attachments.all()] == ["capture.png"]
    [answer] = answers(world.requester.email)
    [refused] = answer.payload["context"]["refused_files"]
    assert refused["name"] == "setup.exe" and refused["reason"]


# --- Loops and abuse ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        {"Auto-Submitted": "auto-replied"},
        {"Auto-Submitted": "auto-generated"},
        {"Precedence": "bulk", "List-Id": "<news.univ.example>"},
    ],
)
def test_automatic_messages_are_never_comments_nor_answered(world, headers):
    inbound = receive(world.mailbox, token_reply(world, world.requester, headers=headers))

    assert inbound.status == Status.IGNORED
    assert comments(world.ticket) == []
    assert answers() == []


def test_our_own_messages_are_never_read_back(world):
    raw = message(
        sender="Helpdesk <noreply@univ.example>",
        message_id=f"<notification-7.ticket-{world.ticket.pk}@helpdesk.univ.example>",
    )

    inbound = receive(world.mailbox, raw)

    assert inbound.status == Status.IGNORED
    assert Ticket.objects.count() == 1 and answers() == []


def bounce(recipient: str) -> bytes:
    return (
        "From: Mail Delivery System <MAILER-DAEMON@mx.univ.example>\r\n"
        f"To: {REPLY_ADDRESS}\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        "Message-ID: <bounce-1@mx.univ.example>\r\n"
        "Auto-Submitted: auto-replied\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n\r\n'
        "--B\r\nContent-Type: text/plain\r\n\r\nThe mail system: user unknown.\r\n"
        "--B\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.univ.example\r\n\r\n"
        f"Final-Recipient: rfc822; {recipient}\r\nAction: failed\r\nStatus: 5.1.1\r\n"
        "--B--\r\n"
    ).encode()


def test_a_bounce_marks_the_address_failing_for_agents(world):
    inbound = receive(world.mailbox, bounce("camille@univ.example"))
    receive(world.mailbox, bounce("camille@univ.example").replace(b"bounce-1", b"bounce-2"))

    assert inbound.status == Status.IGNORED
    failing = FailingAddress.objects.get(email="camille@univ.example")
    assert failing.count == 2
    assert comments(world.ticket) == [] and answers() == []
    with translation.override("en"):
        shown = Template("{% load failing_addresses %}{% failing_address email %}").render(
            Context({"email": "camille@univ.example"})
        )
    assert "Emails to this address bounce" in shown and "2 bounces" in shown


def test_agents_see_on_the_ticket_page_that_the_requesters_address_bounces(world, client):
    receive(world.mailbox, bounce("camille@univ.example"))
    client.force_login(world.agent)

    page = client.get(reverse("desk:detail", args=[world.ticket.pk])).content.decode()

    assert "Emails to this address bounce" in page


def test_a_failing_address_gets_no_automatic_answer(world):
    FailingAddress.objects.create(email="mallory@elsewhere.example")
    raw = message(
        sender="mallory@elsewhere.example", to=reply_address(world.ticket.pk, world.requester.pk)
    )

    assert receive(world.mailbox, raw).status == Status.REFUSED
    assert answers() == []


def test_one_sender_past_the_rate_limit_is_set_aside_without_answer(world, settings):
    settings.INBOUND_SENDER_RATE = "2/1h"

    results = [
        receive(world.mailbox, token_reply(world, world.requester, text=f"Message {n}"))
        for n in range(3)
    ]

    assert [r.status for r in results] == [Status.PROCESSED, Status.PROCESSED, Status.REFUSED]
    assert len(comments(world.ticket)) == 2
    assert answers() == []


def test_a_message_over_the_size_limit_is_refused_with_an_answer(world, settings):
    settings.INBOUND_MAX_BYTES = 2000
    raw = token_reply(world, world.requester, text="x" * 5000)

    inbound = receive(world.mailbox, raw)

    assert inbound.status == Status.REFUSED
    assert comments(world.ticket) == []
    assert answers(world.requester.email)[0].payload["context"]["reason"] == "too_large"


def test_a_second_copy_of_a_message_is_not_applied_twice(world):
    raw = token_reply(world, world.requester, message_id="<same@mail.example>")

    first = receive(world.mailbox, raw)
    copy = receive(world.mailbox, raw)

    assert first.status == Status.PROCESSED
    assert copy.status == Status.IGNORED and copy.duplicate_of == first
    assert len(comments(world.ticket)) == 1


# --- New tickets -------------------------------------------------------------------------------


def test_a_new_message_from_a_known_person_files_a_ticket_by_email_with_its_files(world):
    raw = message(
        sender="CAMILLE@univ.example",
        subject="Imprimante en panne",
        text="L'imprimante du 2e étage ne répond plus.",
        attachments=[("photo.png", "image/png", PNG)],
    )

    inbound = receive(world.mailbox, raw)

    ticket = inbound.ticket
    assert ticket.requester == world.requester
    assert ticket.origin == Ticket.Origin.EMAIL
    assert ticket.category == world.category
    assert ticket.subject == "Imprimante en panne"
    assert "ne répond plus" in ticket.description
    assert [a.original_name for a in ticket.attachments.all()] == ["photo.png"]
    # The receipt is the usual acknowledgement, which links the ticket's page.
    assert ticket.events.first().notifications.filter(kind="ticket_created").exists()


def test_an_unknown_sender_gets_an_account_under_the_create_account_policy(world):
    inbound = receive(world.mailbox, message(sender="Dominique Petit <dominique@univ.example>"))

    person = inbound.ticket.requester
    assert person.email == "dominique@univ.example"
    assert person.full_name == "Dominique Petit"
    assert not person.has_usable_password()


def test_an_unknown_sender_is_told_how_to_file_under_the_explain_policy(world):
    world.mailbox.unknown_sender_policy = Mailbox.UnknownSenderPolicy.EXPLAIN
    world.mailbox.save()

    inbound = receive(world.mailbox, message(sender="dominique@univ.example"))

    assert inbound.status == Status.REFUSED and inbound.ticket is None
    [answer] = answers("dominique@univ.example")
    assert answer.kind == "inbound_explain"
    assert answer.payload["context"]["create_url"].endswith("/tickets/new/")


def test_an_unknown_sender_waits_for_an_agent_under_the_hold_policy(world):
    from mailgateway import services

    world.mailbox.unknown_sender_policy = Mailbox.UnknownSenderPolicy.HOLD
    world.mailbox.save()

    held = receive(world.mailbox, message(sender="dominique@univ.example", subject="Wifi"))

    assert held.status == Status.HELD and held.raw
    assert Ticket.objects.count() == 1

    released = services.release(message=held, requester=world.requester)
    assert released.status == Status.PROCESSED and released.raw is None
    assert released.ticket.requester == world.requester
    assert released.ticket.subject == "Wifi"


def test_a_new_message_from_an_inactive_account_waits_for_an_agent(world):
    UserFactory(email="gone@univ.example", is_active=False)

    inbound = receive(world.mailbox, message(sender="gone@univ.example"))

    assert inbound.status == Status.HELD and inbound.ticket is None


def test_a_held_message_can_be_discarded(world):
    from mailgateway import services

    world.mailbox.unknown_sender_policy = Mailbox.UnknownSenderPolicy.HOLD
    world.mailbox.save()
    held = receive(world.mailbox, message(sender="dominique@univ.example"))

    discarded = services.discard(message=held)

    assert discarded.status == Status.IGNORED and discarded.raw is None


# --- Unsubscribing by email --------------------------------------------------------------------


def test_the_list_unsubscribe_mailto_switches_the_preference_off(world):
    from notifications import unsubscribe
    from notifications.models import NotificationPreference

    token = unsubscribe.token_for(world.requester.pk, "agent_replies")
    raw = message(sender=world.requester.email, subject=f"unsubscribe {token}", text="")

    inbound = receive(world.mailbox, raw)

    assert inbound.status == Status.PROCESSED
    assert not NotificationPreference.objects.get(user=world.requester).agent_replies
    assert Ticket.objects.count() == 1 and answers() == []
