"""`manage.py load_demo_data` builds a helpdesk with months of history to try, and can be run
again.

The demo is loaded twice, once for the module, inside a transaction rolled back at its end.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import timedelta
from io import StringIO

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone
from django.utils.html import escape

from categories.models import CannedResponse, Category, Service, ServiceMembership
from notifications.models import Notification
from tests.tickets.history_checks import timeline_mismatches
from tickets.generation import corpus, demo_corpus
from tickets.models import Attachment, Ticket, TicketEvent

DOMAIN = demo_corpus.DEMO_DOMAIN
PASSWORD = "demo-helpdesk-2026"


def run(**options) -> str:
    out = StringIO()
    call_command("load_demo_data", stdout=out, **options)
    return out.getvalue()


def counts() -> dict[str, int]:
    models = (Ticket, TicketEvent, Attachment, Category, Service, ServiceMembership)
    result = {model.__name__: model.objects.count() for model in models}
    result["users"] = get_user_model().objects.count()
    result["canned"] = CannedResponse.objects.count()
    return result


@dataclass
class Loaded:
    first: str
    second: str
    after_first: dict[str, int]
    after_second: dict[str, int]
    emails: int
    notifications: int


def media_settings(tmp_path_factory) -> dict:
    """The folder tests/conftest.py gives every test's uploads, so the files stay readable."""
    media = tmp_path_factory.getbasetemp() / "media"
    default = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": media},
    }
    return {"MEDIA_ROOT": media, "STORAGES": {**django_settings.STORAGES, "default": default}}


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo, loaded twice; rolled back after the module's tests."""
    with (
        django_db_blocker.unblock(),
        override_settings(
            DEBUG=True,
            EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
            **media_settings(tmp_path_factory),
        ),
        transaction.atomic(),
    ):
        mail.outbox = []
        first = run()
        after_first = counts()
        second = run()
        yield Loaded(
            first,
            second,
            after_first,
            counts(),
            emails=len(mail.outbox),
            notifications=Notification.objects.count(),
        )
        transaction.set_rollback(True)


@pytest.fixture
def demo(loaded, db, settings, tmp_path_factory) -> Loaded:
    for name, value in media_settings(tmp_path_factory).items():
        setattr(settings, name, value)
    return loaded


def person(key: str):
    return get_user_model().objects.get(email=f"{key}@{DOMAIN}")


def test_demo_accounts_are_printed_and_sign_in(demo):
    """The accounts exist with the printed password, the head heads, the admin administers."""
    for key, *_rest in demo_corpus.ACCOUNTS:
        assert f"{key}@{DOMAIN}" in demo.first
    assert PASSWORD in demo.first
    assert person("etudiant").check_password(PASSWORD)
    assert person("admin").is_superuser
    assert ServiceMembership.objects.filter(
        user=person("chef"), role=ServiceMembership.Role.HEAD
    ).exists()
    apogee = Category.objects.get(name="Applications de scolarité (Apogée)")
    assert apogee.help_text == "Support technique pour les applications de scolarité"
    assert apogee.parent is not None
    assert apogee.handling_service.name == "Direction du numérique"


def test_a_second_run_adds_nothing(demo):
    """Run again (as `make run` does), it creates no row and says so."""
    assert "360 new ticket(s)" in demo.first
    assert "0 new ticket(s)" in demo.second
    assert demo.after_second == demo.after_first


def test_the_history_covers_months_of_every_service_in_every_status(demo):
    """A few hundred tickets over about five months up to now, in five services, in every
    status, most of them closed."""
    now = timezone.now()
    tickets = Ticket.objects.all()
    assert 300 <= tickets.count() <= 400
    assert set(tickets.values_list("status", flat=True)) == set(Ticket.Status.values)
    per_service = Counter(tickets.values_list("service__slug", flat=True))
    assert len(per_service) == 5 and min(per_service.values()) >= 20
    oldest = tickets.order_by("created_at").first().created_at
    newest = tickets.order_by("-created_at").first().created_at
    assert now - timedelta(days=180) < oldest < now - timedelta(days=120)
    assert newest > now - timedelta(days=1)
    months = {(ticket.year, ticket.month) for ticket in tickets.dates("created_at", "month")}
    assert len(months) >= 5
    assert tickets.filter(status=Ticket.Status.CLOSED).count() > tickets.count() / 2


def test_ticket_fields_follow_their_timelines(demo):
    """Status, last activity, first response, closure request and closure agree with the
    events, as if every move had been made through the workflow."""
    assert timeline_mismatches(Ticket.objects.all()) == []


def test_questions_refusals_and_automatic_closures(demo):
    """Services ask and requesters answer; some closures are refused with a reason; others
    close by themselves once the service's delay has passed."""
    events = TicketEvent.objects.all()
    assert events.filter(action="request_info").exists()
    assert events.filter(action="receive_info").exists()
    refusals = events.filter(action="refuse_closure")
    assert refusals.count() >= 5
    assert not refusals.filter(text="").exists()
    expiries = events.filter(action="expire_closure").select_related("ticket__service")
    assert expiries.count() >= 5
    for expiry in expiries:
        assert expiry.actor_id is None
        asked = expiry.ticket.closure_requested_at
        assert expiry.created_at - asked >= timedelta(
            days=expiry.ticket.service.closure_approval_days
        )
    for pending in Ticket.objects.filter(status=Ticket.Status.CLOSURE_PENDING):
        assert timezone.now() - pending.closure_requested_at < timedelta(days=14)


def test_some_people_read_english(demo):
    """Generated people and the staff requester read English, and write their tickets in it."""
    english = get_user_model().objects.filter(preferred_language="en")
    assert english.count() >= 10
    assert person("personnel").preferred_language == "en"
    openings = tuple(corpus.OPENINGS_EN)
    english_tickets = Ticket.objects.filter(requester__in=english)
    assert english_tickets.count() >= 10
    assert all(ticket.description.startswith(openings) for ticket in english_tickets)


def test_every_service_has_canned_responses(demo):
    for service in Service.objects.all():
        assert service.canned_responses.filter(is_active=True).count() >= 2, service


def test_attachments_are_small_real_files(demo):
    """Each attachment's file is in the storage, of its size and of its type."""
    attachments = Attachment.objects.all()
    assert 5 <= attachments.count() <= 60
    for attachment in attachments:
        with attachment.file.open("rb") as handle:
            content = handle.read()
        assert len(content) == attachment.size > 0
        signature = {"image/png": b"\x89PNG", "application/pdf": b"%PDF"}[attachment.content_type]
        assert content.startswith(signature)
        assert attachment.events.get().action == "attachment"


def test_the_demo_accounts_own_tickets(demo):
    """The student waits on the service and the service on them; the agents have work."""
    student = Counter(
        Ticket.objects.filter(requester=person("etudiant")).values_list("status", flat=True)
    )
    assert student["info_requested"] >= 1 and student["closure_pending"] >= 1
    assert student["open"] >= 1 and student["in_progress"] >= 1 and student["closed"] >= 1
    for key in ("agent", "agent2", "chef"):
        assert Ticket.objects.filter(
            assignee=person(key), status=Ticket.Status.IN_PROGRESS
        ).exists(), key
    refused = TicketEvent.objects.filter(action="refuse_closure", actor=person("etudiant"))
    assert refused.exists()


def test_the_history_sent_no_email(demo):
    """Generated tickets happened in the past: nobody is notified of them."""
    assert demo.emails == 0
    assert demo.notifications == 0


def test_the_pages_answer_with_the_demo_data(demo, client):
    """The requester's list, the agent's queue and the head's statistics over months."""
    client.force_login(person("etudiant"))
    assert client.get("/tickets/").status_code == 200
    attachment = Attachment.objects.filter(ticket__requester=person("etudiant")).first()
    if attachment is not None:
        response = client.get(attachment.get_absolute_url())
        assert response.status_code == 200
        assert b"".join(response.streaming_content)[:4] in (b"\x89PNG", b"%PDF")
    agent = person("agent")
    client.force_login(agent)
    assert client.get("/desk/queue/").status_code == 200
    mine = client.get("/desk/queue/?tab=mine")
    for ticket in Ticket.objects.filter(assignee=agent, status=Ticket.Status.IN_PROGRESS):
        assert escape(ticket.subject) in mine.content.decode()
    client.force_login(person("chef"))
    assert client.get("/desk/queue/?tab=all").status_code == 200
    assert client.get("/desk/stats/").status_code == 200
    year = client.get("/desk/stats/?period=365")
    assert year.status_code == 200
    assert year.context["data"].created > 100


def test_demo_data_refuses_production(settings):
    """With DEBUG off, public demo passwords are not created unless forced."""
    settings.DEBUG = False
    with pytest.raises(CommandError):
        run()
