"""An incident's writes (incidents/services.py): each checks who acts, and what a linked ticket
sees of it goes through that ticket's own moves, one ticket at a time."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from incidents import services
from incidents.models import AffectedPerson, Incident, IncidentLink, IncidentUpdate
from notifications.models import Notification
from tests.factories import TicketFactory
from tickets import workflow
from tickets.exceptions import TransitionRefused
from tickets.models import Ticket
from tickets.moves import Move

S = Ticket.Status
pytestmark = pytest.mark.django_db


def reached(update: IncidentUpdate) -> list[dict]:
    """What became of each linked ticket, as the task stored it."""
    update.refresh_from_db()
    assert update.reached_at is not None
    return update.results


# --- Declaring --------------------------------------------------------------------------------


def test_an_agent_declares_an_incident_on_the_services_categories(scene):
    incident = scene.incident()
    assert incident.status == Incident.Status.ONGOING
    assert incident.declared_by == scene.agent
    assert list(incident.categories.all()) == [scene.wifi]
    assert incident.reference == f"INC-{incident.pk}"


@pytest.mark.parametrize("who", ["student", "other_agent"])
def test_only_the_services_people_declare(scene, who):
    with pytest.raises(TransitionRefused) as refused:
        scene.incident(actor=getattr(scene, who))
    assert refused.value.status_code == 403
    assert not Incident.objects.exists()


def test_a_declaration_needs_its_public_words_and_the_services_categories(scene):
    with pytest.raises(ValidationError):
        scene.incident(title="  ")
    with pytest.raises(ValidationError):
        scene.incident(categories=[])
    with pytest.raises(ValidationError):
        scene.incident(categories=[scene.other_category])
    assert not Incident.objects.exists()


def test_a_start_in_the_future_is_brought_back_to_now(scene):
    incident = scene.incident(started_at=timezone.now() + timezone.timedelta(days=1))
    assert incident.started_at <= timezone.now()


def test_declared_from_a_ticket_the_ticket_is_its_first_link(scene):
    ticket = scene.ticket()
    incident = scene.incident(from_ticket=ticket)
    link = IncidentLink.objects.get(incident=incident)
    assert (link.ticket, link.via) == (ticket, IncidentLink.Via.DECLARATION)
    event = ticket.events.get(action=Move.LINK_INCIDENT)
    assert event.after == incident.label and event.actor == scene.agent


# --- Links ------------------------------------------------------------------------------------


def test_links_are_made_one_ticket_at_a_time_with_a_result_each(scene):
    incident = scene.incident()
    mine, again, foreign = (
        scene.ticket(),
        scene.ticket(),
        TicketFactory(category=scene.other_category),
    )
    services.link_tickets(incident=incident, actor=scene.agent, ticket_ids=[again.pk])
    results = services.link_tickets(
        incident=incident, actor=scene.agent, ticket_ids=[mine.pk, again.pk, foreign.pk, 999999]
    )
    assert [(r.ticket_id, r.done) for r in results] == [
        (mine.pk, True),
        (again.pk, False),
        (foreign.pk, False),
        (999999, False),
    ]
    assert "déjà rattaché" in results[1].message
    assert set(incident.links.values_list("ticket_id", flat=True)) == {mine.pk, again.pk}
    assert not foreign.events.filter(action=Move.LINK_INCIDENT).exists()


def test_a_closed_ticket_cannot_be_linked_and_stays_unlinked(scene):
    incident = scene.incident()
    ticket = scene.ticket()
    workflow.mark_solved(ticket=ticket, actor=scene.student)
    (result,) = services.link_tickets(incident=incident, actor=scene.agent, ticket_ids=[ticket.pk])
    assert not result.done
    assert not incident.links.exists()


def test_a_resolved_incident_takes_no_more_links(scene):
    incident = scene.incident()
    services.resolve(incident=incident, actor=scene.agent, text="Réparé.")
    incident.refresh_from_db()
    with pytest.raises(TransitionRefused) as refused:
        services.link_tickets(incident=incident, actor=scene.agent, ticket_ids=[scene.ticket().pk])
    assert refused.value.status_code == 409


def test_a_ticket_filed_from_the_banner_is_linked_by_its_requester(scene):
    incident = scene.incident(categories=[scene.network])  # affects Wi-Fi below it too
    ticket = scene.ticket()
    assert services.link_filed_ticket(incident=incident, ticket=ticket, actor=scene.student)
    event = ticket.events.get(action=Move.LINK_INCIDENT)
    assert event.actor == scene.student
    # Not emailed about their own link.
    assert not Notification.objects.filter(event=event).exists()
    other = TicketFactory(requester=scene.student, category=scene.other_category)
    assert not services.link_filed_ticket(incident=incident, ticket=other, actor=scene.student)


# --- People affected --------------------------------------------------------------------------


def test_anyone_signed_in_says_they_are_affected_once(scene):
    incident = scene.incident()
    assert services.subscribe(incident=incident, user=scene.student)
    assert not services.subscribe(incident=incident, user=scene.student)
    assert AffectedPerson.objects.filter(incident=incident).count() == 1
    assert services.unsubscribe(incident=incident, user=scene.student)
    assert not AffectedPerson.objects.exists()


# --- One update reaches everyone --------------------------------------------------------------


def test_an_update_reaches_every_linked_ticket_and_every_affected_person(
    scene, django_capture_on_commit_callbacks, mailoutbox
):
    incident = scene.incident()
    student_ticket, teacher_ticket = scene.ticket(), scene.ticket(requester=scene.teacher)
    services.link_tickets(
        incident=incident, actor=scene.agent, ticket_ids=[student_ticket.pk, teacher_ticket.pk]
    )
    bystander_fr = scene.other_agent  # affected, no ticket: hears it as an announcement
    services.subscribe(incident=incident, user=bystander_fr)
    services.subscribe(incident=incident, user=scene.teacher)  # has a ticket: one email only
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        update = services.post_update(
            incident=incident, actor=scene.agent, text="Retour prévu vers 14 h."
        )
    results = reached(update)
    assert all(r["done"] for r in results) and len(results) == 2
    for ticket in (student_ticket, teacher_ticket):
        event = ticket.events.get(action=Move.INCIDENT_UPDATE)
        assert event.text == "Retour prévu vers 14 h." and event.after == incident.label
    assert IncidentUpdate.objects.filter(incident=incident, is_resolution=False).count() == 1
    by_address = {message.to[0]: message for message in mailoutbox}
    assert set(by_address) == {scene.student.email, scene.teacher.email, bystander_fr.email}
    assert "Incident update" in by_address[scene.teacher.email].body  # English
    assert "Mise à jour de l’incident" in by_address[bystander_fr.email].body
    assert "Retour prévu vers 14 h." in by_address[bystander_fr.email].body
    assert f"#{teacher_ticket.pk}]" in by_address[scene.teacher.email].subject
    assert "List-Unsubscribe" not in by_address[bystander_fr.email].extra_headers


def test_an_update_needs_a_text_and_the_services_people(scene):
    incident = scene.incident()
    with pytest.raises(ValidationError):
        services.post_update(incident=incident, actor=scene.agent, text=" ")
    with pytest.raises(TransitionRefused):
        services.post_update(incident=incident, actor=scene.other_agent, text="Hello")
    assert not incident.updates.exists()


def test_a_ticket_transferred_away_is_refused_alone(scene, django_capture_on_commit_callbacks):
    incident = scene.incident()
    stays, leaves = scene.ticket(), scene.ticket()
    services.link_tickets(incident=incident, actor=scene.agent, ticket_ids=[stays.pk, leaves.pk])
    workflow.transfer(ticket=leaves, actor=scene.agent, category=scene.other_category)
    with django_capture_on_commit_callbacks(execute=True):
        update = services.post_update(
            incident=incident, actor=scene.agent, text="Toujours en panne."
        )
    done = {r["ticket_id"]: r["done"] for r in reached(update)}
    assert done == {stays.pk: True, leaves.pk: False}


def test_an_update_reaches_the_tickets_once(scene, django_capture_on_commit_callbacks):
    """The task may run twice (a lost acknowledgement): the second run writes nothing."""
    incident = scene.incident()
    ticket = scene.ticket()
    services.link_tickets(incident=incident, actor=scene.agent, ticket_ids=[ticket.pk])
    with django_capture_on_commit_callbacks(execute=True):
        update = services.post_update(incident=incident, actor=scene.agent, text="En cours.")
    assert services.reach_linked_tickets(update.pk) == []
    assert ticket.events.filter(action=Move.INCIDENT_UPDATE).count() == 1


def test_the_tickets_are_reached_after_the_commit_only(scene, django_capture_on_commit_callbacks):
    incident = scene.incident()
    ticket = scene.ticket()
    services.link_tickets(incident=incident, actor=scene.agent, ticket_ids=[ticket.pk])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        update = services.post_update(incident=incident, actor=scene.agent, text="En cours.")
    assert not ticket.events.filter(action=Move.INCIDENT_UPDATE).exists()
    assert len(callbacks) == 1
    callbacks[0]()
    update.refresh_from_db()
    assert update.reached_at and ticket.events.filter(action=Move.INCIDENT_UPDATE).exists()


# --- Resolution -------------------------------------------------------------------------------


def test_resolving_requests_closure_of_each_linked_ticket_through_the_workflow(
    scene, django_capture_on_commit_callbacks
):
    """Untaken tickets are taken then proposed for closure; a ticket whose status refuses it
    keeps its status and says why; the resolution is on every timeline."""
    incident = scene.incident()
    untaken = scene.ticket()
    mine = workflow.take(ticket=scene.ticket(), actor=scene.agent)
    colleague = workflow.take(ticket=scene.ticket(), actor=scene.head)
    waiting = workflow.request_closure(
        ticket=workflow.take(ticket=scene.ticket(), actor=scene.agent),
        actor=scene.agent,
        resolution="Câble changé.",
    )
    ids = [untaken.pk, mine.pk, colleague.pk, waiting.pk]
    services.link_tickets(incident=incident, actor=scene.agent, ticket_ids=ids)

    with django_capture_on_commit_callbacks(execute=True):
        update = services.resolve(
            incident=incident,
            actor=scene.agent,
            text="Le contrôleur est remplacé.",
            request_closure=True,
        )

    done = {r["ticket_id"]: r["done"] for r in reached(update)}
    assert done == {untaken.pk: True, mine.pk: True, colleague.pk: False, waiting.pk: False}
    statuses = dict(Ticket.objects.filter(pk__in=ids).values_list("pk", "status"))
    assert statuses == {
        untaken.pk: S.CLOSURE_PENDING,
        mine.pk: S.CLOSURE_PENDING,
        colleague.pk: S.IN_PROGRESS,
        waiting.pk: S.CLOSURE_PENDING,
    }
    assert Ticket.objects.get(pk=untaken.pk).assignee == scene.agent
    assert Ticket.objects.get(pk=untaken.pk).resolution == "Le contrôleur est remplacé."
    for pk in ids:
        assert Ticket.objects.get(pk=pk).events.filter(action=Move.INCIDENT_RESOLVED).exists()
    incident.refresh_from_db()
    assert incident.status == Incident.Status.RESOLVED and incident.resolved_at
    assert incident.updates.get(is_resolution=True).text == "Le contrôleur est remplacé."


def test_resolving_without_closure_leaves_the_tickets_as_they_are(
    scene, django_capture_on_commit_callbacks
):
    incident = scene.incident()
    ticket = scene.ticket()
    services.link_tickets(incident=incident, actor=scene.agent, ticket_ids=[ticket.pk])
    with django_capture_on_commit_callbacks(execute=True):
        update = services.resolve(incident=incident, actor=scene.agent, text="Réparé.")
    (result,) = reached(update)
    assert result["done"]
    ticket.refresh_from_db()
    assert ticket.status == S.OPEN


def test_an_incident_is_resolved_once(scene):
    incident = scene.incident()
    services.resolve(incident=incident, actor=scene.agent, text="Réparé.")
    with pytest.raises(TransitionRefused) as refused:
        services.resolve(incident=incident, actor=scene.agent, text="Encore.")
    assert refused.value.status_code == 409
    with pytest.raises(TransitionRefused):
        services.subscribe(incident=Incident.objects.get(), user=scene.student)


def test_a_persons_data_lists_the_incidents_that_affect_them(scene):
    from accounts import personal_data

    incident = scene.incident()
    services.subscribe(incident=incident, user=scene.student)
    exported = personal_data.export(scene.student)["incidents"]
    assert exported["affected_by"][0]["incident"] == incident.reference
    assert personal_data.export(scene.agent)["incidents"]["declared"][0]["title"] == incident.title


def test_an_update_whose_task_was_lost_is_queued_again(scene, django_capture_on_commit_callbacks):
    incident = scene.incident()
    ticket = scene.ticket()
    services.link_tickets(incident=incident, actor=scene.agent, ticket_ids=[ticket.pk])
    update = services.post_update(incident=incident, actor=scene.agent, text="En cours.")
    assert services.requeue_stranded_updates() == 0  # not late yet
    later = timezone.now() + timezone.timedelta(minutes=2)
    assert services.requeue_stranded_updates(now=later) == 1  # the task runs (eager here)
    update.refresh_from_db()
    assert update.reached_at and ticket.events.filter(action=Move.INCIDENT_UPDATE).exists()
    assert services.requeue_stranded_updates(now=later) == 0
