"""Who may do what with an incident (incidents/permissions.py's table)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from incidents import permissions, services
from incidents.permissions import Action

pytestmark = pytest.mark.django_db

PEOPLE = ("agent", "head", "superuser", "other_agent", "student")
SERVICE_SIDE = {"agent", "head", "superuser"}


@pytest.mark.parametrize("person", PEOPLE)
def test_the_table_while_ongoing_and_once_resolved(scene, person):
    user = getattr(scene, person)
    incident = scene.incident()
    assert permissions.may(Action.DECLARE, user, service=scene.service.pk) == (
        person in SERVICE_SIDE
    )
    for action in (Action.LINK, Action.POST_UPDATE, Action.RESOLVE):
        assert permissions.may(action, user, incident) == (person in SERVICE_SIDE), action
    assert permissions.may(Action.SUBSCRIBE, user, incident)
    assert permissions.can_manage(incident, user) == (person in SERVICE_SIDE)
    incident.status = incident.Status.RESOLVED
    for action in (Action.LINK, Action.POST_UPDATE, Action.RESOLVE, Action.SUBSCRIBE):
        assert not permissions.may(action, user, incident), action
    assert permissions.can_manage(incident, user) == (person in SERVICE_SIDE)


def test_nobody_signed_out_says_they_are_affected(scene):
    assert not permissions.may(Action.SUBSCRIBE, AnonymousUser(), scene.incident())


def test_the_desk_page_reads_the_same_queries_for_1_or_10_linked_tickets(
    client, scene, django_assert_num_queries
):
    """Linked tickets, updates and proposals are read in a fixed number of queries."""
    incident = scene.incident()
    services.link_tickets(incident=incident, actor=scene.agent, ticket_ids=[scene.ticket().pk])
    services.post_update(incident=incident, actor=scene.agent, text="Intervention en cours.")
    client.force_login(scene.agent)
    url = reverse("incidents:detail", kwargs={"incident_pk": incident.pk})
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    ids = [scene.ticket(requester=scene.teacher).pk for _n in range(9)]
    services.link_tickets(incident=incident, actor=scene.agent, ticket_ids=ids)
    with django_assert_num_queries(len(one.captured_queries)):
        client.get(url)
