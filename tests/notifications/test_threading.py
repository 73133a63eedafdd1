"""What keeps a ticket's emails together and readable in every mail client: one subject per
ticket, the event as the body's first line, the reader's thread root, the language header.

`test_emails.py` says what the emails say; `test_replies.py` how they invite replies;
`test_unsubscribe.py` how optional ones are switched off.
"""

from __future__ import annotations

import pytest
from django.core import mail

from notifications import emails
from notifications.models import Notification
from notifications.preferences import KIND_PREFERENCE
from tests.notifications.conftest import ALERT, headline
from tickets import services as ticket_services
from tickets import workflow
from tickets.models import TicketEvent

pytestmark = pytest.mark.django_db

SITE = "https://helpdesk.univ.example"
TICKET_KINDS = sorted(kind for kind in KIND_PREFERENCE if kind != emails.DIGEST_KIND)


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE
    settings.SITE_NAME = "Helpdesk de l'université"
    settings.EMAIL_SUBJECT_TAG = "Helpdesk"


def row_of_kind(ticket, recipient, kind: str, language: str) -> Notification:
    """An outbox row of the given kind about the ticket, as `notify` would write it."""
    event = TicketEvent.objects.create(
        ticket=ticket, kind=TicketEvent.Kind.COMMENT, action="comment", text="Un message."
    )
    return Notification.objects.create(
        recipient=recipient,
        email=recipient.email,
        event=event,
        kind=kind,
        language=language,
        dedup_key=f"event-{event.pk}",
    )


# --- One subject per ticket -------------------------------------------------------------------


@pytest.mark.parametrize("kind", TICKET_KINDS)
@pytest.mark.parametrize(
    ("language", "hello"), [("fr", "Bonjour Camille Martin,"), ("en", "Hello Camille Martin,")]
)
def test_every_kind_has_the_ticket_tag_and_subject(world, ticket, kind, language, hello):
    """Whatever happened, the subject is `[Helpdesk #N] <ticket subject>` and the event is the
    body's first line, in the reader's language."""
    message = emails.build_message(row_of_kind(ticket, world.requester, kind, language))
    assert message.subject == f"[Helpdesk #{ticket.pk}] Mot de passe <oublié>"
    first = message.body.splitlines()[0]
    assert first.endswith("Mot de passe <oublié>") and first != "Mot de passe <oublié>"
    assert hello in message.body
    assert f'<html lang="{language}">' in emails_html(message)
    assert message.extra_headers["Content-Language"] == language


def test_the_tag_is_a_setting(settings, world, ticket):
    settings.EMAIL_SUBJECT_TAG = "DSI Lille"
    message = emails.build_message(row_of_kind(ticket, world.requester, "ticket_taken", "fr"))
    assert message.subject == f"[DSI Lille #{ticket.pk}] Mot de passe <oublié>"
    assert emails.ticket_id_in_subject(f"Re: {message.subject}") == ticket.pk


def test_headlines_are_translated(world, ticket):
    row = row_of_kind(ticket, world.requester, "info_requested", "fr")
    assert headline(emails.build_message(row)) == "Information demandée : Mot de passe <oublié>"
    row.language = "en"
    assert headline(emails.build_message(row)) == "Information requested: Mot de passe <oublié>"


@pytest.mark.parametrize(
    ("subject", "ticket_id"),
    [
        ("[Helpdesk #12] Imprimante", 12),
        ("RE: TR: [Helpdesk #12] Imprimante", 12),
        ("Re: [helpdesk #12] Imprimante", 12),
        ("Re: [ Helpdesk  # 12 ] Imprimante", 12),
        ("Réf. [Helpdesk #7] et [Helpdesk #9]", 7),
        ("Helpdesk #12", None),
        ("[Other #12] Imprimante", None),
        ("[Helpdesk #] Imprimante", None),
        ("", None),
    ],
)
def test_the_gateway_reads_the_tag_back(subject, ticket_id):
    """Mail clients prefix the subject and some change its case; the tag still names the
    ticket."""
    assert emails.ticket_id_in_subject(subject) == ticket_id
    assert bool(emails.subject_tag_regex().search(subject)) is (ticket_id is not None)


def test_subject_tag_function():
    assert emails.subject_tag(12) == "[Helpdesk #12]"


def test_the_digest_keeps_its_own_subject(world, django_capture_on_commit_callbacks):
    from notifications import services
    from notifications.models import NotificationPreference

    NotificationPreference.objects.create(user=world.agent2, new_ticket_delivery="digest")
    ticket_services.ticket_create(
        requester=world.requester, category=world.category, subject="Wi-Fi", description="."
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.queue_digests()
    (digest,) = mail.outbox
    assert digest.subject == "[Helpdesk de l'université] 1 nouveau ticket dans vos services"
    assert "In-Reply-To" not in digest.extra_headers
    assert digest.extra_headers["Content-Language"] == "fr"


# --- Threading --------------------------------------------------------------------------------


def emails_html(message) -> str:
    (html, _), *_ = message.alternatives
    return html


def headers_of(message) -> dict[str, str | None]:
    parsed = message.message()
    return {name: parsed[name] for name in ("Message-ID", "In-Reply-To", "References")}


def test_the_first_email_is_the_root_every_later_one_references(
    world, django_capture_on_commit_callbacks
):
    """For each reader, the email that opened the ticket carries the root Message-ID, and every
    later email to them replies to it: clients that thread by References (Thunderbird, Apple
    Mail, Outlook) show one conversation whose first message is in the mailbox."""
    with django_capture_on_commit_callbacks(execute=True):
        ticket = ticket_services.ticket_create(
            requester=world.requester, category=world.category, subject="Écran", description="."
        )
    with django_capture_on_commit_callbacks(execute=True):
        workflow.take(ticket=ticket, actor=world.assignee)
        ticket_services.comment_add(ticket=ticket, author=world.assignee, text="Je regarde.")
        ticket_services.comment_add(ticket=ticket, author=world.requester, text="Merci.")
    to_requester = [m for m in mail.outbox if m.to == [world.requester.email]]
    receipt, *later = to_requester
    root = f"<ticket-{ticket.pk}.u{world.requester.pk}@helpdesk.univ.example>"
    assert headers_of(receipt) == {"Message-ID": root, "In-Reply-To": None, "References": None}
    assert len(later) == 2
    for message in later:
        headers = headers_of(message)
        assert headers["Message-ID"] != root
        assert headers["In-Reply-To"] == headers["References"] == root
    to_agent = [m for m in mail.outbox if m.to == [world.assignee.email]]
    agent_root = f"<ticket-{ticket.pk}.u{world.assignee.pk}@helpdesk.univ.example>"
    assert headers_of(to_agent[0])["Message-ID"] == agent_root
    assert headers_of(to_agent[-1])["In-Reply-To"] == agent_root
    message_ids = [m.extra_headers["Message-ID"] for m in mail.outbox]
    assert len(set(message_ids)) == len(message_ids), "a Message-ID names one message"


def test_the_alert_address_has_its_own_root(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        ticket = ticket_services.ticket_create(
            requester=world.requester, category=world.category, subject="Écran", description="."
        )
    (alert,) = [m for m in mail.outbox if m.to == [ALERT]]
    root = alert.extra_headers["Message-ID"]
    assert root.startswith(f"<ticket-{ticket.pk}.a") and root.endswith("@helpdesk.univ.example>")
    assert "In-Reply-To" not in alert.extra_headers
    assert emails.ticket_id_in_message_id(root) == ticket.pk


def test_the_root_is_stable_across_resends(world, django_capture_on_commit_callbacks):
    """A receipt sent again (after a failure) keeps its id: the thread does not split."""
    from notifications import services

    with django_capture_on_commit_callbacks(execute=True):
        ticket = ticket_services.ticket_create(
            requester=world.requester, category=world.category, subject="Écran", description="."
        )
    row = Notification.objects.get(kind="ticket_created")
    first = row.message_id
    Notification.objects.filter(pk=row.pk).update(status=Notification.Status.FAILED)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.resend(Notification.objects.filter(pk=row.pk))
    (again,) = mail.outbox
    assert again.extra_headers["Message-ID"] == first == emails.thread_id_for(ticket.pk, row)


def test_ticket_id_in_message_id():
    assert emails.ticket_id_in_message_id("<ticket-12.u3@helpdesk.univ.example>") == 12
    assert emails.ticket_id_in_message_id("<notification-5.ticket-12@helpdesk.univ.example>") == 12
    assert emails.ticket_id_in_message_id("<ticket-12.u3@elsewhere.example>") is None
    assert emails.ticket_id_in_message_id("<notification-5.new_tickets_digest@x>") is None
    assert emails.ticket_id_in_message_id("") is None
