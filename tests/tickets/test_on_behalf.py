"""Filing on someone's behalf: an agent files the ticket of a caller, a visitor at the counter or
an email's sender. The person owns it, gets the receipt and sees who filed it; the origin is
recorded and the agent's internal note stays with the service."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core import mail
from django.urls import reverse

from tests.factories import UserFactory
from tests.tickets.lifecycle import Cast, make_cast
from tickets import permissions, services
from tickets.models import Ticket, TicketEvent

pytestmark = pytest.mark.django_db
URL = "/desk/file/"


@pytest.fixture
def cast(fast_passwords) -> Cast:
    return make_cast()


@pytest.fixture
def emails(settings) -> Iterator[list]:
    from helpdesk.celery import app

    saved = app.conf.task_always_eager
    settings.CELERY_TASK_ALWAYS_EAGER = True
    app.conf.task_always_eager = True
    yield mail.outbox
    app.conf.task_always_eager = saved


def form(cast: Cast, **changes: str) -> dict[str, object]:
    data: dict[str, object] = {
        "who": "Rita Requester",
        "category": cast.category.pk,
        "origin": "phone",
        "subject": "Imprimante bloquée",
        "description": "Elle a appelé : l’imprimante du 2e étage affiche une erreur.",
        "internal_note": "Rappeler après 14 h.",
    }
    data.update(changes)
    return data


def test_the_url():
    assert reverse("desk:file_for") == URL


def test_an_agent_files_for_a_caller(client, cast, emails, django_capture_on_commit_callbacks):
    client.force_login(cast.agent)
    assert client.get(URL).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, form(cast))
    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("desk:detail", args=[ticket.pk])
    assert ticket.requester == cast.requester
    assert ticket.filed_by == cast.agent
    assert ticket.origin == Ticket.Origin.PHONE
    created = ticket.events.get(action="created")
    assert created.actor == cast.agent
    note = ticket.events.get(action="internal_note")
    assert note.visibility == TicketEvent.Visibility.INTERNAL
    assert note.text == "Rappeler après 14 h."
    # The person gets the receipt, saying who filed it; never the internal note.
    receipts = [m for m in emails if cast.requester.email in m.to]
    assert len(receipts) == 1
    assert "Alice Agent l’a saisi pour vous" in receipts[0].body
    assert all("Rappeler" not in m.body for m in receipts)


def test_the_person_owns_it_and_sees_who_filed_it(client, cast, notified):
    ticket = services.ticket_create(
        requester=cast.requester,
        category=cast.category,
        subject="Badge",
        description="Mon badge ne marche plus",
        origin=Ticket.Origin.COUNTER,
        filed_by=cast.agent,
        internal_note="Vu au guichet",
    )
    assert permissions.can_cancel(ticket, cast.requester)
    client.force_login(cast.requester)
    page = client.get(ticket.get_absolute_url()).content.decode()
    assert "Saisi par Alice Agent (Guichet)" in page
    assert "Vu au guichet" not in page
    assert ticket.subject in client.get(reverse("tickets:mine")).content.decode()


def test_an_unknown_address_gets_a_pending_account(client, cast, notified):
    client.force_login(cast.agent)
    response = client.post(URL, form(cast, who="nouvel.etudiant@univ.example", origin="email"))
    assert response.status_code == 302
    ticket = Ticket.objects.get()
    assert ticket.requester.email == "nouvel.etudiant@univ.example"
    assert not ticket.requester.has_usable_password()
    assert ticket.origin == Ticket.Origin.EMAIL


def test_several_people_of_that_name_are_listed_to_choose_from(client, cast, notified):
    UserFactory(full_name="Jean Dupont", email="jean.dupont@univ.example")
    second = UserFactory(full_name="Jean Dupont", email="jean.dupont2@univ.example")
    client.force_login(cast.agent)
    response = client.post(URL, form(cast, who="Jean Dupont"))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'name="person"' in body and "jean.dupont2@univ.example" in body
    # What was typed is kept.
    assert "Imprimante bloquée" in body
    assert not Ticket.objects.exists()
    response = client.post(URL, form(cast, who="Jean Dupont", person=second.email))
    assert response.status_code == 302
    assert Ticket.objects.get().requester == second


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"who": "Personne Inconnue"}, "Personne n’a été trouvé avec ce nom"),
        ({"who": "pas@une@adresse"}, "n’est pas une adresse électronique valide"),
        ({"subject": ""}, "Ce champ est obligatoire"),
        ({"origin": "web"}, "Sélectionnez un choix valide"),
        ({"category": "999999"}, "Sélectionnez un choix valide"),
    ],
)
def test_bad_input_is_a_clear_400_keeping_what_was_typed(client, cast, notified, changes, message):
    client.force_login(cast.agent)
    response = client.post(URL, form(cast, **changes))
    assert response.status_code == 400
    body = response.content.decode()
    assert message in body
    assert "Elle a appelé" in body
    assert not Ticket.objects.exists()


def test_an_inactive_category_is_refused(client, cast, notified):
    client.force_login(cast.agent)
    cast.category.is_active = False
    cast.category.save()
    response = client.post(URL, form(cast))
    assert response.status_code == 400
    assert not Ticket.objects.exists()


def test_filing_in_another_service_leads_back_to_the_form(client, cast, notified):
    """The agent may file in any service's category; they do not see the ticket afterwards."""
    client.force_login(cast.agent)
    response = client.post(URL, form(cast, category=cast.other_category.pk))
    assert response.status_code == 302
    assert response["Location"] == URL
    ticket = Ticket.objects.get()
    assert ticket.service == cast.other_service
    assert not permissions.can_view(ticket, cast.agent)


def test_requesters_and_visitors_do_not_reach_the_page(client, cast):
    client.force_login(cast.requester)
    assert client.get(URL).status_code == 404
    assert client.post(URL, form(cast)).status_code == 404
    client.logout()
    response = client.get(URL)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not Ticket.objects.exists()


@pytest.mark.parametrize(
    ("language", "title"),
    [("fr", "Saisir un ticket pour quelqu’un"), ("en", "File a ticket for someone")],
)
def test_the_page_in_both_languages(client, cast, language, title):
    cast.agent.preferred_language = language
    cast.agent.save()
    client.force_login(cast.agent)
    body = client.get(URL).content.decode()
    assert title in body
    assert f'lang="{language}"' in body
