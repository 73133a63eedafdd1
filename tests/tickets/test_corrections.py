"""Agents correct a ticket's subject and its category within the service; each change is on the
timeline with the old and the new value, the status and the assignee stay."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import CategoryFactory
from tests.tickets.lifecycle import Cast, make_cast, ticket_in
from tickets import workflow
from tickets.exceptions import TextRequired, TransitionRefused
from tickets.models import Ticket, TicketEvent

S = Ticket.Status
pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(db, fast_passwords) -> Cast:
    return make_cast()


def test_the_subject_is_corrected_and_the_old_one_kept(cast, notified):
    ticket = ticket_in(S.IN_PROGRESS, cast)
    old = ticket.subject
    ticket = workflow.edit_subject(ticket=ticket, actor=cast.agent, subject="  Wi-Fi   en panne ")
    assert ticket.subject == "Wi-Fi en panne"
    assert (ticket.status, ticket.assignee) == (S.IN_PROGRESS, cast.assigned)
    event = ticket.events.get(action="edit_subject")
    assert (event.kind, event.before, event.after) == (
        TicketEvent.Kind.CORRECTED,
        old,
        "Wi-Fi en panne",
    )
    assert event.visibility == TicketEvent.Visibility.PUBLIC
    # The same subject again records nothing; an empty one is refused.
    workflow.edit_subject(ticket=ticket, actor=cast.agent, subject="Wi-Fi en panne")
    assert ticket.events.filter(action="edit_subject").count() == 1
    with pytest.raises(TextRequired):
        workflow.edit_subject(ticket=ticket, actor=cast.agent, subject="   ")


def test_the_category_is_corrected_within_the_service(cast, notified):
    ticket = ticket_in(S.IN_PROGRESS, cast)
    wifi = CategoryFactory(parent=cast.category, name="Wi-Fi")
    ticket = workflow.change_category(ticket=ticket, actor=cast.agent, category=wifi)
    assert (ticket.category, ticket.service, ticket.status) == (wifi, cast.service, S.IN_PROGRESS)
    event = ticket.events.get(action="change_category")
    assert (event.before, event.after) == ("Réseau", "Wi-Fi")


def test_another_services_category_is_a_transfer_not_a_correction(cast, notified):
    ticket = ticket_in(S.IN_PROGRESS, cast)
    with pytest.raises(TransitionRefused) as refused:
        workflow.change_category(ticket=ticket, actor=cast.agent, category=cast.other_category)
    assert refused.value.status_code == 400
    ticket.refresh_from_db()
    assert ticket.category == cast.category


def test_requesters_and_other_services_may_not_correct(cast, notified):
    ticket = ticket_in(S.IN_PROGRESS, cast)
    for person in (cast.requester, cast.other_agent):
        with pytest.raises(TransitionRefused) as refused:
            workflow.edit_subject(ticket=ticket, actor=person, subject="Autre")
        assert refused.value.status_code == 403


def test_the_forms_on_the_agents_page(client, cast, notified):
    ticket = ticket_in(S.IN_PROGRESS, cast)
    wifi = CategoryFactory(parent=cast.category, name="Wi-Fi")
    client.force_login(cast.agent)
    form = client.get(reverse("desk:move", kwargs={"pk": ticket.pk, "action": "edit_subject"}))
    assert ticket.subject.encode() in form.content
    form = client.get(reverse("desk:move", kwargs={"pk": ticket.pk, "action": "change_category"}))
    assert b"Wi-Fi" in form.content
    assert cast.other_category.name.encode() not in form.content
    url = reverse("desk:action", kwargs={"pk": ticket.pk, "action": "edit_subject"})
    assert client.post(url, {"edit_subject-subject": ""}).status_code == 400
    assert client.post(url, {"edit_subject-subject": "Borne Wi-Fi"}).status_code == 302
    url = reverse("desk:action", kwargs={"pk": ticket.pk, "action": "change_category"})
    assert client.post(url, {"change_category-category": wifi.pk}).status_code == 302
    ticket.refresh_from_db()
    assert (ticket.subject, ticket.category) == ("Borne Wi-Fi", wifi)
    page = client.get(reverse("desk:detail", kwargs={"pk": ticket.pk}))
    assert "a corrigé le sujet".encode() in page.content
