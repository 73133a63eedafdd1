"""Importing an esup-helpdesk database: what the university had is what it finds, page by page,
and running the import again changes nothing."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from accounts.models import User
from categories.models import Category, Service, ServiceMembership
from esupimport import sample
from esupimport.importer import Importer
from esupimport.models import SourceLink
from esupimport.source import Source, SourceError
from tickets.models import Attachment, Invitation, Ticket, TicketEvent, Watcher

pytestmark = pytest.mark.django_db

MODELS = (
    User,
    Service,
    ServiceMembership,
    Category,
    Ticket,
    TicketEvent,
    Attachment,
    Invitation,
    Watcher,
)


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def ticket_of(source_id: int) -> Ticket:
    link = SourceLink.objects.get(kind=SourceLink.Kind.TICKET, source_id=str(source_id))
    return Ticket.objects.select_related("requester", "category", "service").get(pk=link.target_id)


def run(url: str, **options) -> None:
    call_command("import_esup_helpdesk", url, **options)


@pytest.mark.postgres
def test_tickets_read_as_they_did_in_esup_helpdesk(pg_source, client):
    source, url = pg_source
    written = sample.fill(source, tickets=60)
    # Someone the helpdesk already knows keeps their account.
    marie = User.objects.create_user("marie.dupont@univ.example", full_name="Marie D.")

    run(url)

    assert Ticket.objects.count() == written.tickets + 5  # and the archived ones
    assert User.objects.filter(email="marie.dupont@univ.example").count() == 1
    marie.refresh_from_db()
    assert marie.directory_id == "mdupont"
    assert not User.objects.filter(is_superuser=True).exists()
    # Statuses, one ticket per esup-helpdesk history (the sample cycles through them).
    expected = {
        1: Ticket.Status.OPEN,
        2: Ticket.Status.IN_PROGRESS,
        3: Ticket.Status.INFO_REQUESTED,
        4: Ticket.Status.POSTPONED,
        5: Ticket.Status.CLOSED,
        6: Ticket.Status.CLOSED,
        8: Ticket.Status.CANCELLED,
        9: Ticket.Status.REJECTED,
    }
    for source_id, status in expected.items():
        assert ticket_of(source_id).status == status, source_id
    assert ticket_of(4).postponed_until is not None
    # The history in its order, with what managers only saw kept internal.
    approved = ticket_of(6)
    actions = list(approved.events.order_by("created_at", "pk").values_list("action", flat=True))
    assert actions == [
        "created",
        "take",
        "request_info",
        "receive_info",
        "invite",
        "request_closure",
        "refuse_closure",
        "request_closure",
        "approve_closure",
    ]
    note = ticket_of(2).events.get(action="internal_note")
    assert note.visibility == TicketEvent.Visibility.INTERNAL
    assert "quota" in note.text
    # The search finds tickets by their history's words.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT search_vector @@ plainto_tsquery('french', 'quota') FROM tickets_ticket "
            "WHERE id = %s",
            [ticket_of(2).pk],
        )
        assert cursor.fetchone()[0]
    # HTML became text; text that went through a wrong encoding reads right again.
    assert ticket_of(1).description.startswith("Bonjour,")
    assert "<p>" not in ticket_of(1).description
    assert ticket_of(11).description == "élève à l'étage"
    assert User.objects.get(directory_id="hgarcon").full_name == "Hélène Garçon"
    assert "\x07" not in ticket_of(13).subject
    # A deleted category, a virtual department, a deleted owner.
    assert not ticket_of(17).category.is_active
    assert ticket_of(29).service.name == "Direction du numérique"
    deleted = User.objects.get(email="deleted-user@esup-import.invalid")
    assert not deleted.is_active and deleted.requested_tickets.exists()
    # Categories keep their tree, confidentiality and hidden state.
    eduroam = Category.objects.get(name="Eduroam")
    assert eduroam.parent.name == "Réseau et Wi-Fi"
    assert Category.objects.get(name="Situation personnelle").is_confidential
    assert not Category.objects.get(name="Ancienne catégorie").is_active
    # The FAQ is in the knowledge base, with its visibility, and found by its search.
    from knowledge.models import Article

    password = Article.objects.get(title="Comment changer mon mot de passe ?")
    assert password.visibility == Article.Visibility.PUBLIC
    assert "sesame" in password.body and "<p>" not in password.body
    assert Article.objects.get(title="Procédure interne").visibility == Article.Visibility.AGENTS
    assert Article.objects.filter(search_vector="sesame").exists()
    # Managers are agents, the one who managed managers is the head.
    assert ServiceMembership.objects.get(
        user=marie, service__name="Direction du numérique"
    ).role == (ServiceMembership.Role.HEAD)

    # Page by page: the requester reads the public history, never the internal note.
    requester = ticket_of(2).requester
    requester.is_active = True
    requester.save()
    client.force_login(requester)
    page = client.get(reverse("tickets:detail", args=[ticket_of(2).pk]))
    assert page.status_code == 200
    assert "quota" not in page.content.decode()
    client.force_login(marie)
    desk = client.get(reverse("desk:detail", args=[ticket_of(2).pk]))
    assert desk.status_code == 200
    assert "quota" in desk.content.decode()


@pytest.mark.postgres
def test_files_are_downloadable_by_the_right_people_only(pg_source, client):
    source, url = pg_source
    sample.fill(source, tickets=16)
    run(url)

    public = (
        Attachment.objects.filter(visibility="public").select_related("ticket__requester").first()
    )
    internal = Attachment.objects.filter(visibility="internal").select_related("ticket").first()
    assert public is not None and internal is not None
    owner = public.ticket.requester
    owner.is_active = True
    owner.save()
    client.force_login(owner)
    answer = client.get(reverse("tickets:attachment", args=[public.ticket_id, public.pk]))
    assert answer.status_code == 200
    assert b"".join(answer.streaming_content if answer.streaming else [answer.content]).startswith(
        (b"%PDF", b"\x89PNG", b"requester file")
    )
    stranger = User.objects.create_user("stranger@univ.example")
    client.force_login(stranger)
    assert (
        client.get(reverse("tickets:attachment", args=[public.ticket_id, public.pk])).status_code
        == 404
    )
    client.force_login(internal.ticket.requester)
    assert (
        client.get(
            reverse("tickets:attachment", args=[internal.ticket_id, internal.pk])
        ).status_code
        == 404
    )


@pytest.mark.postgres
def test_running_it_again_changes_nothing(pg_source):
    source, url = pg_source
    sample.fill(source, tickets=30)
    run(url)
    before = counts()
    events = list(TicketEvent.objects.order_by("pk").values_list("pk", "text", "visibility"))

    importer = Importer(Source.open(url))
    report = importer.run()

    assert counts() == before
    assert (
        list(TicketEvent.objects.order_by("pk").values_list("pk", "text", "visibility")) == events
    )
    assert all(t.created == 0 and t.updated == 0 for t in report.tallies.values())


@pytest.mark.postgres
def test_a_change_in_esup_helpdesk_updates_the_ticket(pg_source):
    source, url = pg_source
    sample.fill(source, tickets=10)
    run(url)
    with source.connection.cursor() as cursor:
        cursor.execute("UPDATE h_tick SET labe = 'Sujet corrigé', stat = 'APPROVED' WHERE id = 1")

    report = Importer(Source.open(url)).run()

    assert ticket_of(1).subject == "Sujet corrigé"
    assert ticket_of(1).status == Ticket.Status.CLOSED
    assert report.tallies["tickets"].updated == 1
    assert Ticket.objects.count() == 15


@pytest.mark.postgres
def test_a_dry_run_writes_nothing_and_says_what_it_would_do(pg_source, capsys):
    source, url = pg_source
    sample.fill(source, tickets=12)
    before = counts()

    run(url, dry_run=True)

    assert counts() == before
    assert not SourceLink.objects.exists()
    out = capsys.readouterr().out
    assert "Dry run: nothing was written" in out
    assert "tickets" in out and "12" in out


class FailingSource(Source):
    """The source server goes away after the first batch of tickets."""

    calls = 0

    def rows_for(self, table, column, ids):
        if table == "h_acti":
            FailingSource.calls += 1
            if FailingSource.calls == 2:
                raise SourceError("server closed the connection unexpectedly")
        return super().rows_for(table, column, ids)


@pytest.mark.postgres
def test_an_interrupted_import_resumes_without_duplicates(pg_source):
    source, url = pg_source
    sample.fill(source, tickets=40)
    opened = Source.open(url)
    failing = FailingSource(opened.connection, opened.dialect)

    with pytest.raises(SourceError):
        Importer(failing, batch_size=15).run()
    assert Ticket.objects.count() == 15  # the first batch is saved

    Importer(Source.open(url), batch_size=15).run()

    assert Ticket.objects.count() == 45
    assert SourceLink.objects.filter(kind="ticket").count() == 40


def test_an_unreachable_source_is_a_clear_error():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="cannot connect"):
        run("postgres://nobody@127.0.0.1:1/esup")
    with pytest.raises(CommandError, match="unsupported"):
        run("oracle://x@127.0.0.1/esup")


def test_the_import_of_mariadb_matches(mariadb_source):
    source, url = mariadb_source
    written = sample.fill(source, tickets=24)

    run(url)

    assert Ticket.objects.count() == written.tickets + 5
    assert ticket_of(3).status == Ticket.Status.INFO_REQUESTED
    assert ticket_of(11).description == "élève à l'étage"
    assert TicketEvent.objects.filter(visibility="internal").exists()
    before = counts()
    run(url)
    assert counts() == before
