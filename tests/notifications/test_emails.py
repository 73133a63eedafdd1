"""What the emails say: language, subject, links, thread headers, escaping, no internal text."""

from __future__ import annotations

import pytest
from django.core import mail

from notifications.models import Notification
from tests.notifications.conftest import ALERT, headline
from tickets import services as ticket_services
from tickets import workflow

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]

SITE = "https://helpdesk.univ.example"


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = SITE
    settings.SITE_NAME = "Helpdesk"


def html_of(message) -> str:
    (html, mimetype), *_ = message.alternatives
    assert mimetype == "text/html"
    return html


def sent_to(address: str) -> list:
    return [m for m in mail.outbox if m.to == [address]]


@pytest.fixture
def asked(world, ticket, django_capture_on_commit_callbacks):
    """The agent took the ticket and asked a question; only the question's email is kept."""
    with django_capture_on_commit_callbacks(execute=True):
        workflow.take(ticket=ticket, actor=world.assignee)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        workflow.request_info(
            ticket=ticket, actor=world.assignee, question="Quel navigateur <b>utilisez</b>-vous ?"
        )
    (message,) = mail.outbox
    return message


def test_question_email_in_french_with_subject_and_link(world, ticket, asked):
    """The requester (French) reads the question and a link that opens the ticket."""
    assert asked.to == [world.requester.email]
    assert asked.subject == f"[Helpdesk #{ticket.pk}] Mot de passe <oublié>"
    assert headline(asked) == "Information demandée : Mot de passe <oublié>"
    assert "Quel navigateur <b>utilisez</b>-vous ?" in asked.body
    assert "Bonjour Camille Martin," in asked.body
    assert "Ajouter commentaire" in asked.body
    assert f"{SITE}/tickets/{ticket.pk}/" in asked.body
    assert f'href="{SITE}/tickets/{ticket.pk}/"' in html_of(asked)
    assert '<html lang="fr">' in html_of(asked)


def test_html_escapes_what_people_typed(asked):
    """A ticket's subject and a question are text, never HTML, in the HTML part."""
    html = html_of(asked)
    assert "<b>utilisez</b>" not in html
    assert "&lt;b&gt;utilisez&lt;/b&gt;" in html
    assert "Mot de passe &lt;oublié&gt;" in html


def test_thread_headers(world, ticket, asked, django_capture_on_commit_callbacks):
    """Each email has its own stable Message-ID and points to the ticket's root id for its
    reader (tests/notifications/test_threading.py follows a whole conversation)."""
    row = Notification.objects.get(event__action="request_info")
    assert asked.extra_headers["Message-ID"] == (
        f"<notification-{row.pk}.ticket-{ticket.pk}@helpdesk.univ.example>"
    )
    assert row.message_id == asked.extra_headers["Message-ID"]
    root = f"<ticket-{ticket.pk}.u{world.requester.pk}@helpdesk.univ.example>"
    assert asked.extra_headers["In-Reply-To"] == root
    assert asked.extra_headers["References"] == root
    parsed = asked.message()
    assert parsed["Message-ID"] == row.message_id
    assert parsed["Auto-Submitted"] == "auto-generated"


def test_footer_links_to_the_preferences(asked):
    """Every email to a person says where to choose the emails they receive."""
    assert f"{SITE}/profile/#notifications" in asked.body
    assert f'href="{SITE}/profile/#notifications"' in html_of(asked)


def test_english_agent_reads_english(world, ticket, django_capture_on_commit_callbacks):
    """The same move, told to an English-speaking agent, is in English."""
    with django_capture_on_commit_callbacks(execute=True):
        workflow.assign(ticket=ticket, actor=world.head, agent=world.assignee)
    (message,) = sent_to(world.assignee.email)
    assert message.subject == f"[Helpdesk #{ticket.pk}] {ticket.subject}"
    assert headline(message) == f"Ticket assigned to you: {ticket.subject}"
    assert "Sam Head assigned the ticket" in message.body
    assert '<html lang="en">' in html_of(message)


def test_closure_email_links_to_the_closure_page(world, ticket, django_capture_on_commit_callbacks):
    """The closure request shows the resolution and links to the page with the two buttons."""
    with django_capture_on_commit_callbacks(execute=True):
        workflow.take(ticket=ticket, actor=world.assignee)
        workflow.request_closure(
            ticket=ticket, actor=world.assignee, resolution="Mot de passe réinitialisé."
        )
    message = sent_to(world.requester.email)[-1]
    assert headline(message).startswith("Clôture à approuver")
    assert "Mot de passe réinitialisé." in message.body
    assert f"{SITE}/tickets/{ticket.pk}/closure/" in message.body
    assert "« Approuver la clôture »" in message.body
    assert "« Refuser la clôture »" in message.body
    assert "14 jours" in message.body
    assert f'href="{SITE}/tickets/{ticket.pk}/closure/"' in html_of(message)


def test_new_ticket_reaches_the_alert_address_in_the_site_language(
    world, django_capture_on_commit_callbacks
):
    """The service's alert address is told of a new ticket, without a preferences link."""
    with django_capture_on_commit_callbacks(execute=True):
        ticket = ticket_services.ticket_create(
            requester=world.requester,
            category=world.category,
            subject="Écran noir",
            description="Mon écran reste noir.",
        )
    (message,) = sent_to(ALERT)
    assert message.subject == f"[Helpdesk #{ticket.pk}] Écran noir"
    assert headline(message) == "Nouveau ticket : Écran noir"
    assert "Mon écran reste noir." in message.body
    assert "Cette adresse reçoit les nouveaux tickets du service Informatique." in message.body
    assert "profile" not in message.body
    (receipt,) = sent_to(world.requester.email)
    assert receipt.subject == f"[Helpdesk #{ticket.pk}] Écran noir"
    assert headline(receipt) == "Ticket reçu : Écran noir"
    assert f"#{ticket.pk}" in receipt.body


def test_transfer_note_never_reaches_the_requester(
    world, ticket, django_capture_on_commit_callbacks
):
    """The requester learns the new service; only the new service's agents read the note."""
    with django_capture_on_commit_callbacks(execute=True):
        workflow.transfer(
            ticket=ticket,
            actor=world.assignee,
            category=world.other_category,
            note="Note interne : demandeur pénible",
        )
    (to_requester,) = sent_to(world.requester.email)
    assert headline(to_requester).startswith("Ticket transféré")
    assert "Scolarité" in to_requester.body
    assert "pénible" not in to_requester.body
    assert "pénible" not in html_of(to_requester)
    (to_agent,) = sent_to(world.other_agent.email)
    assert "pénible" in to_agent.body
    assert not sent_to(world.agent2.email)


def test_internal_note_emails_nobody(world, ticket, django_capture_on_commit_callbacks):
    """An internal note is written for the service only: no email at all, least of all to the
    requester."""
    with django_capture_on_commit_callbacks(execute=True):
        workflow.take(ticket=ticket, actor=world.assignee)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        ticket_services.comment_add(
            ticket=ticket, author=world.assignee, text="Secret interne", internal=True
        )
    assert mail.outbox == []


def test_automatic_closure_says_so(world, ticket, django_capture_on_commit_callbacks):
    """When the helpdesk closes a ticket by itself, the requester is told it was automatic."""
    import datetime

    from django.utils import timezone

    with django_capture_on_commit_callbacks(execute=True):
        workflow.take(ticket=ticket, actor=world.assignee)
        workflow.request_closure(ticket=ticket, actor=world.assignee, resolution="Fait.")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        workflow.expire_closure(ticket=ticket, now=timezone.now() + datetime.timedelta(days=15))
    (message,) = mail.outbox
    assert message.to == [world.requester.email]
    assert "clôturé automatiquement" in message.body
    assert "Le helpdesk" not in message.subject


def test_file_added_by_the_requester(world, ticket, django_capture_on_commit_callbacks):
    """The assigned agent hears of a file the requester adds, by its name."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    with django_capture_on_commit_callbacks(execute=True):
        workflow.take(ticket=ticket, actor=world.assignee)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        ticket_services.attachment_add(
            ticket=ticket,
            uploader=world.requester,
            file=SimpleUploadedFile("erreur.txt", b"Erreur 42", content_type="text/plain"),
        )
    (message,) = mail.outbox
    assert message.to == [world.assignee.email]
    assert "added the file “erreur.txt”" in message.body


def test_every_kind_has_its_three_templates():
    """Each email kind has a subject, a text and an HTML template."""
    from django.template.loader import get_template

    from notifications.preferences import KIND_PREFERENCE

    for kind in KIND_PREFERENCE:
        for suffix in ("subject.txt", "txt", "html"):
            get_template(f"emails/{kind}.{suffix}")
