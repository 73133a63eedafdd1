"""Personal data (RGPD): an administrator exports everything held about a person, and anonymizes a
person who left while their tickets, timelines and statistics stay as they were."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import astuple
from types import SimpleNamespace

import pytest
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount, SocialToken
from django.contrib import messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts import personal_data
from accounts.models import User
from notifications.models import Notification, NotificationPreference
from tests.factories import DEFAULT_PASSWORD, CategoryFactory, ServiceFactory, UserFactory, agent_of
from tickets import services, workflow
from tickets.models import Attachment, Ticket, TicketEvent
from tickets.selectors.stats import figures, periods

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:accounts_user_changelist"


@pytest.fixture(autouse=True)
def _tasks_in_process(settings) -> Iterator[None]:
    """No broker: outbox rows are written and stay pending (commit callbacks do not run inside a
    test's transaction), which gives the person both pending and, once marked, sent emails."""
    from helpdesk.celery import app

    saved = app.conf.task_always_eager
    settings.CELERY_TASK_ALWAYS_EAGER = True
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = saved


@pytest.fixture
def world() -> SimpleNamespace:
    """Camille files two tickets and lives a whole exchange with Alex, an agent of the service;
    Dominique files a ticket Alex answers too. Camille signs in through the SSO."""
    service = ServiceFactory(name="Informatique")
    category = CategoryFactory(name="Messagerie", service=service)
    camille = UserFactory(email="camille.martin@univ.example", full_name="Camille Martin")
    dominique = UserFactory(email="dominique@univ.example", full_name="Dominique Durand")
    alex = agent_of(service, user=UserFactory(email="alex@univ.example", full_name="Alex Agent"))

    first = services.ticket_create(
        requester=camille,
        category=category,
        subject="Messagerie inaccessible",
        description="Je ne reçois plus mes courriels depuis lundi.",
        files=[SimpleUploadedFile("erreur.txt", b"Erreur 550\n", content_type="text/plain")],
    )
    workflow.take(ticket=first, actor=alex)
    workflow.request_info(ticket=first, actor=alex, question="Quel navigateur utilisez-vous ?")
    services.comment_add(ticket=first, author=camille, text="Firefox, sur mon portable.")
    workflow.request_closure(ticket=first, actor=alex, resolution="Boîte débloquée.")
    workflow.approve_closure(ticket=first, actor=camille)
    second = services.ticket_create(
        requester=camille,
        category=category,
        subject="Quota de la boîte",
        description="Ma boîte est pleine.",
    )
    other = services.ticket_create(
        requester=dominique,
        category=category,
        subject="Imprimante",
        description="L'imprimante du bâtiment B est hors ligne.",
    )
    workflow.take(ticket=other, actor=alex)
    services.comment_add(ticket=other, author=alex, text="Un technicien passe demain.")

    NotificationPreference.objects.create(user=camille, agent_replies=False)
    account = SocialAccount.objects.create(
        user=camille, provider="openid_connect_univ", uid="cmartin-4711", extra_data={}
    )
    SocialToken.objects.create(account=account, token="secret-access-token")  # noqa: S106
    EmailAddress.objects.create(user=camille, email=camille.email, verified=True, primary=True)
    # Some emails went out, the others are still in the outbox.
    sent = Notification.objects.filter(recipient=camille).order_by("pk")[:2]
    Notification.objects.filter(pk__in=[row.pk for row in sent]).update(
        status=Notification.Status.SENT, sent_at=timezone.now(), message_id="<m@helpdesk>"
    )
    return SimpleNamespace(
        service=service,
        category=category,
        camille=camille,
        dominique=dominique,
        alex=alex,
        first=first,
        second=second,
        other=other,
    )


def encoded(data: dict) -> dict:
    """The export as the downloaded file holds it."""
    from django.core.serializers.json import DjangoJSONEncoder

    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


# --- Export ----------------------------------------------------------------------------------


def test_export_holds_the_profile_tickets_timelines_and_files(world):
    """A requester's export has their profile and each ticket they filed, with its whole timeline
    (their words and the agent's) and the metadata of its files."""
    data = encoded(personal_data.export(world.camille))

    assert data["format"] == "helpdesk-personal-data"
    assert data["profile"]["email"] == "camille.martin@univ.example"
    assert data["profile"]["full_name"] == "Camille Martin"
    assert [t["subject"] for t in data["tickets_filed"]] == [
        "Messagerie inaccessible",
        "Quota de la boîte",
    ]
    first = data["tickets_filed"][0]
    assert first["status"] == Ticket.Status.CLOSED
    assert first["assignee"] == "Alex Agent"
    actions = [event["action"] for event in first["events"]]
    assert actions[0] == "created"
    for action in ("take", "request_info", "comment", "request_closure", "approve_closure"):
        assert action in actions
    texts = [event["text"] for event in first["events"]]
    assert "Firefox, sur mon portable." in texts
    assert "Quel navigateur utilisez-vous ?" in texts
    assert first["attachments"] == [
        {
            "id": first["attachments"][0]["id"],
            "name": "erreur.txt",
            "content_type": "text/plain",
            "size": len(b"Erreur 550\n"),
            "visibility": "public",
            "created_at": first["attachments"][0]["created_at"],
            "uploaded_by_id": world.camille.pk,
        }
    ]
    # Dominique's ticket is none of Camille's business.
    assert "Imprimante" not in json.dumps(data)


def test_export_holds_preferences_emails_and_sign_in_identities_without_tokens(world):
    """Email preferences, every email sent or waiting for the person, their addresses and their
    SSO identities (provider and identifier) are exported; access tokens never are."""
    data = encoded(personal_data.export(world.camille))

    assert data["notification_preferences"]["agent_replies"] is False
    assert data["notification_preferences"]["ticket_progress"] is True
    rows = Notification.objects.filter(recipient=world.camille)
    assert len(data["notifications"]) == rows.count() > 2
    assert {n["status"] for n in data["notifications"]} == {"sent", "pending"}
    assert all(n["email"] == "camille.martin@univ.example" for n in data["notifications"])
    assert data["social_accounts"] == [
        {
            "provider": "openid_connect_univ",
            "uid": "cmartin-4711",
            "date_joined": data["social_accounts"][0]["date_joined"],
            "last_login": data["social_accounts"][0]["last_login"],
        }
    ]
    assert data["email_addresses"] == [
        {"email": "camille.martin@univ.example", "verified": True, "primary": True}
    ]
    assert "secret-access-token" not in json.dumps(data)


def test_export_of_an_agent_holds_what_they_did_on_other_peoples_tickets(world):
    """An agent's export lists their memberships and every event they wrote on tickets filed by
    others, with the ticket it belongs to."""
    data = encoded(personal_data.export(world.alex))

    assert data["tickets_filed"] == []
    assert data["service_memberships"] == [
        {
            "service": "Informatique",
            "role": "agent",
            "is_available": True,
            "last_auto_assigned_at": None,
        }
    ]
    assert data["notification_preferences"] is None
    written = [(e["ticket"]["id"], e["action"]) for e in data["events_on_other_tickets"]]
    assert (world.first.pk, "take") in written
    assert (world.first.pk, "request_closure") in written
    assert (world.other.pk, "comment") in written
    assert all(e["actor"] == "Alex Agent" for e in data["events_on_other_tickets"])
    assert sorted(data["tickets_assigned"]) == [world.first.pk, world.other.pk]


def test_export_costs_the_same_number_of_queries_for_one_or_many_tickets(
    world, django_assert_max_num_queries
):
    """The export reads a fixed number of queries, however many tickets the person filed."""
    with django_assert_max_num_queries(22) as few:
        personal_data.export(world.camille)
    for n in range(5):
        services.ticket_create(
            requester=world.camille,
            category=world.category,
            subject=f"Encore un problème {n}",
            description="Détails.",
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        personal_data.export(world.camille)


# --- Anonymization ---------------------------------------------------------------------------


def test_anonymization_replaces_the_person_and_removes_what_reached_them(world):
    """Name and address become a pseudonym; the password, the account, SSO identities and their
    tokens, addresses, preferences and pending emails are gone; sent emails stay counted under
    the pseudonymous address."""
    camille = world.camille
    sent_before = Notification.objects.filter(recipient=camille, status="sent").count()

    personal_data.anonymize(camille)

    camille.refresh_from_db()
    assert camille.full_name == f"Personne anonymisée {camille.pk}"
    assert camille.email == f"anonymized-{camille.pk}@anonymized.invalid"
    assert not camille.has_usable_password()
    assert not camille.is_active
    assert not SocialAccount.objects.filter(user=camille).exists()
    assert not SocialToken.objects.exists()
    assert not EmailAddress.objects.filter(user=camille).exists()
    assert not NotificationPreference.objects.filter(user=camille).exists()
    rows = Notification.objects.filter(recipient=camille)
    assert rows.count() == sent_before == 2
    assert set(rows.values_list("status", flat=True)) == {"sent"}
    assert set(rows.values_list("email", flat=True)) == {camille.email}
    assert not Notification.objects.filter(email__icontains="camille").exists()
    assert not Client().login(email="camille.martin@univ.example", password=DEFAULT_PASSWORD)


def test_anonymization_keeps_tickets_texts_and_files(world):
    """Tickets, their events and their attachments stay, with the words written for them;
    the tickets are now filed by the pseudonym."""
    counts = (Ticket.objects.count(), TicketEvent.objects.count(), Attachment.objects.count())
    texts = sorted(TicketEvent.objects.values_list("text", flat=True))

    personal_data.anonymize(world.camille)

    assert counts == (
        Ticket.objects.count(),
        TicketEvent.objects.count(),
        Attachment.objects.count(),
    )
    assert sorted(TicketEvent.objects.values_list("text", flat=True)) == texts
    first = Ticket.objects.get(pk=world.first.pk)
    assert first.requester_id == world.camille.pk
    assert str(first.requester) == f"Personne anonymisée {world.camille.pk}"
    assert first.description == "Je ne reçois plus mes courriels depuis lundi."
    assert first.attachments.get().original_name == "erreur.txt"


def test_an_anonymized_agent_is_renamed_in_the_assignment_events(world):
    """Assignment events record the agent's name; after anonymization they carry the pseudonym,
    and no event or ticket still names the agent."""
    personal_data.anonymize(world.alex)

    name = f"Personne anonymisée {world.alex.pk}"
    takes = TicketEvent.objects.filter(action="take")
    assert set(takes.values_list("after", flat=True)) == {name}
    assert not TicketEvent.objects.filter(before__contains="Alex Agent").exists()
    assert not TicketEvent.objects.filter(after__contains="Alex Agent").exists()
    assert Ticket.objects.filter(assignee=world.alex).count() == 2


@pytest.mark.parametrize("period_days", [7, 365])
def test_statistics_are_the_same_before_and_after(world, period_days):
    """Every figure of the service's statistics is unchanged when the requester and the agent
    are anonymized: only the agent's name in the workload table changes."""
    period = periods.Period.last_days(period_days)

    def every_figure() -> tuple:
        result = figures.service_stats(world.service, period)
        return (
            [astuple(row) for row in result.timeline],
            result.backlog_start,
            [(g.name, g.count, [astuple(r) for r in g.rows]) for g in result.categories],
            [astuple(g) for g in result.growing],
            astuple(result.first_response),
            astuple(result.resolution),
            result.closure_requested,
            result.closure_refused,
            result.closed_tickets,
            result.reopened_tickets,
            result.automatic_closures,
            [(r.user_id, r.is_member, r.open, r.closed) for r in result.workload],
            result.heat,
            [astuple(w) for w in result.words],
        )

    before = every_figure()
    assert before[8] == 1  # one closed ticket, so the comparison has something to compare
    personal_data.anonymize(world.camille)
    personal_data.anonymize(world.alex)
    assert every_figure() == before
    workload = figures.service_stats(world.service, period).workload
    assert [r.name for r in workload if r.user_id == world.alex.pk] == [
        f"Personne anonymisée {world.alex.pk}"
    ]


def test_anonymizing_twice_changes_nothing_more(world):
    """A second run finds nothing left to remove and keeps the same pseudonym (only the random
    unusable password is drawn again)."""
    fields = ["email", "full_name", "is_active", "is_staff", "is_superuser"]
    personal_data.anonymize(world.camille)
    first = User.objects.values(*fields).get(pk=world.camille.pk)
    personal_data.anonymize(world.camille)
    assert User.objects.values(*fields).get(pk=world.camille.pk) == first
    assert personal_data.is_anonymized(User.objects.get(pk=world.camille.pk))


def test_emails_received_under_two_addresses_are_readdressed_without_collision(world):
    """A person who changed address may hold two sent rows for one event; once both carry the
    pseudonym, one remains (an address holds one row per event)."""
    camille = world.camille
    row = Notification.objects.filter(recipient=camille, status="sent").first()
    Notification.objects.create(
        recipient=camille,
        email="c.martin@old.example",
        event=row.event,
        kind=row.kind,
        language="fr",
        dedup_key=row.dedup_key,
        status=Notification.Status.SENT,
    )
    personal_data.anonymize(camille)
    assert Notification.objects.filter(recipient=camille, dedup_key=row.dedup_key).count() == 1


# --- The admin -------------------------------------------------------------------------------


def run_action(client: Client, action: str, users: list, **extra: str):
    data = {"action": action, ACTION_CHECKBOX_NAME: [u.pk for u in users], **extra}
    return client.post(reverse(CHANGELIST), data)


def test_admin_downloads_one_persons_data_as_a_json_file(world, admin_client):
    """The action “Exporter les données personnelles (JSON)” downloads a file named after the
    person's number, and the person's history records the export."""
    response = run_action(admin_client, "export_personal_data", [world.camille])

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    disposition = response["Content-Disposition"]
    assert disposition.startswith(f'attachment; filename="personal-data-{world.camille.pk}-')
    assert "martin" not in disposition.lower()
    data = json.loads(response.content)
    assert data["profile"]["email"] == "camille.martin@univ.example"
    assert len(data["tickets_filed"]) == 2
    assert LogEntry.objects.filter(object_id=str(world.camille.pk)).exists()


def test_admin_export_needs_exactly_one_person(world, admin_client):
    """Selecting several people exports nothing and says why."""
    response = run_action(admin_client, "export_personal_data", [world.camille, world.alex])
    assert response.status_code == 302
    page = admin_client.get(response["Location"])
    assert [m.level for m in page.context["messages"]] == [messages.WARNING]
    assert not LogEntry.objects.exists()


def test_admin_anonymization_asks_for_confirmation_first(world, admin_client):
    """The action first shows who each person becomes and what is kept; nothing changes until
    the administrator confirms."""
    world.first.refresh_from_db()
    page = run_action(admin_client, "anonymize", [world.camille, world.alex])

    assert page.status_code == 200
    html = page.content.decode()
    assert f"Anonymized person {world.camille.pk}" not in html  # stored in the site's language
    assert f"Personne anonymisée {world.camille.pk}" in html
    assert "camille.martin@univ.example" in html
    assert User.objects.get(pk=world.camille.pk).is_active
    assert page.context["rows"][1]["assigned"] == 1  # Dominique's ticket is still Alex's

    done = run_action(admin_client, "anonymize", [world.camille, world.alex], post="yes")
    assert done.status_code == 302
    assert not User.objects.filter(pk__in=[world.camille.pk, world.alex.pk], is_active=True)
    follow = admin_client.get(done["Location"])
    assert [m.level for m in follow.context["messages"]] == [messages.SUCCESS]


def test_admin_cannot_anonymize_themselves(world, admin_client, admin_user):
    """An administrator's own account is refused, and nobody in the selection is touched."""
    response = run_action(admin_client, "anonymize", [admin_user, world.camille], post="yes")
    assert response.status_code == 302
    page = admin_client.get(response["Location"])
    assert [m.level for m in page.context["messages"]] == [messages.ERROR]
    assert User.objects.get(pk=admin_user.pk).is_active
    assert User.objects.get(pk=world.camille.pk).is_active


def test_staff_who_may_only_view_people_get_neither_action(world, client):
    """Exporting and anonymizing need the right to change people, not only to view them."""
    from django.contrib.auth.models import Permission

    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_user"))
    client.force_login(viewer)
    page = client.get(reverse(CHANGELIST))
    assert page.status_code == 200
    form = page.context["action_form"]  # None: no action at all is offered
    offered = {name for name, _label in form.fields["action"].choices} if form else set()
    assert not offered & {"export_personal_data", "anonymize"}
    response = run_action(client, "export_personal_data", [world.camille])
    assert response.get("Content-Type", "").startswith("text/html")
    assert User.objects.get(pk=world.camille.pk).is_active
