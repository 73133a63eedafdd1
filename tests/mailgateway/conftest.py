"""The mail gateway's world: a service with its mailbox, a requester and an agent, messages shaped
as mail clients write them, and a private Dovecot for the tests that read over IMAP."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from types import SimpleNamespace

import pytest
from django.utils import timezone

from mailgateway.models import Mailbox
from notifications.models import Notification
from tests.conftest import require_service
from tests.factories import CategoryFactory, ServiceFactory, TicketFactory, UserFactory, agent_of
from tests.mailgateway.dovecot import Dovecot, available

REPLY_ADDRESS = "helpdesk@univ.example"
PASSWORD_ENV = "MAILGATEWAY_TEST_PASSWORD"
_uids = itertools.count(1)


@pytest.fixture(autouse=True)
def _gateway_settings(settings) -> None:
    settings.INBOUND_REPLY_ADDRESS = REPLY_ADDRESS
    settings.SITE_URL = "https://helpdesk.univ.example"
    settings.DEFAULT_FROM_EMAIL = "Helpdesk <noreply@univ.example>"
    settings.EMAIL_SUBJECT_TAG = "Helpdesk"
    settings.INBOUND_SENDER_RATE = "20/1h"
    settings.INBOUND_MAX_BYTES = 1024 * 1024


@pytest.fixture
def world(db):
    """A service "Informatique" with its mailbox (policy: create an account), a French requester
    and an English agent, and a ticket of the requester's."""
    service = ServiceFactory(name="Informatique")
    category = CategoryFactory(name="Messagerie", service=service)
    requester = UserFactory(email="camille@univ.example", full_name="Camille Martin")
    agent = agent_of(
        service,
        user=UserFactory(email="alex@univ.example", full_name="Alex", preferred_language="en"),
    )
    mailbox = Mailbox.objects.create(
        service=service,
        name="Support",
        host="127.0.0.1",
        port=143,
        security=Mailbox.Security.NONE,
        username="helpdesk",
        password_env=PASSWORD_ENV,
        category=category,
        unknown_sender_policy=Mailbox.UnknownSenderPolicy.CREATE_ACCOUNT,
    )
    ticket = TicketFactory(requester=requester, category=category, subject="Plus de courriel")
    return SimpleNamespace(
        service=service,
        category=category,
        requester=requester,
        agent=agent,
        mailbox=mailbox,
        ticket=ticket,
    )


def message(
    *,
    sender: str,
    to: str = REPLY_ADDRESS,
    subject: str = "Re: votre demande",
    text: str = "Voici ma réponse.",
    headers: dict[str, str] | None = None,
    attachments: list[tuple[str, str, bytes]] = (),
    message_id: str | None = None,
) -> bytes:
    """A message as Thunderbird or Gmail sends it: plain text, optional files."""
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = to
    mail["Subject"] = subject
    mail["Date"] = format_datetime(timezone.now())
    mail["Message-ID"] = message_id or make_msgid(domain="mail.example")
    for name, value in (headers or {}).items():
        mail[name] = value
    mail.set_content(text)
    for name, content_type, content in attachments:
        maintype, subtype = content_type.split("/")
        mail.add_attachment(content, maintype=maintype, subtype=subtype, filename=name)
    return mail.as_bytes()


def gmail_reply(
    *, sender: str, to: str, subject: str, text: str, quoted: str, in_reply_to: str = ""
) -> bytes:
    """A reply written in Gmail: text and HTML, the answer above the quoted email."""
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = to
    mail["Subject"] = subject
    mail["Date"] = format_datetime(timezone.now())
    mail["Message-ID"] = make_msgid(domain="mail.gmail.com")
    if in_reply_to:
        mail["In-Reply-To"] = in_reply_to
        mail["References"] = in_reply_to
    quoted_lines = "\n".join("> " + line for line in quoted.splitlines())
    mail.set_content(f"{text}\n\nLe mer. 2 déc. 2026 à 10:00, Helpdesk a écrit :\n{quoted_lines}\n")
    mail.add_alternative(
        f'<div dir="ltr">{text}</div><br><div class="gmail_quote"><div class="gmail_attr">'
        f"Le mer. 2 déc. 2026 à 10:00, Helpdesk a écrit :<br></div>"
        f'<blockquote class="gmail_quote">{quoted}</blockquote></div>',
        subtype="html",
    )
    return mail.as_bytes()


def receive(mailbox: Mailbox, raw: bytes):
    """Hands a message to the gateway as a poll would (a new UID each time)."""
    from mailgateway import services

    return services.receive(mailbox=mailbox, uid=next(_uids), uidvalidity=1, raw=raw)


def answers(email: str | None = None) -> list[Notification]:
    """The automatic answers in the outbox (no event: not about a ticket's move)."""
    rows = Notification.objects.filter(event__isnull=True, kind__startswith="inbound_")
    if email:
        rows = rows.filter(email=email)
    return list(rows.order_by("pk"))


@pytest.fixture(scope="session")
def dovecot_server() -> Iterator[Dovecot]:
    require_service(available(), "needs Dovecot (apt install dovecot-imapd)")
    server = Dovecot()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def imap_mailbox(world, dovecot_server, monkeypatch) -> Mailbox:
    """The world's mailbox, reading a fresh folder of the private Dovecot."""
    monkeypatch.setenv(PASSWORD_ENV, dovecot_server.password)
    mailbox = world.mailbox
    mailbox.port = dovecot_server.port
    mailbox.username = dovecot_server.user
    mailbox.folder = dovecot_server.new_folder()
    mailbox.save()
    return mailbox
