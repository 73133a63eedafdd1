"""The demo has one past and one ongoing incident, on the demo's tickets, loaded once."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command

from incidents.models import Incident
from tickets.moves import Move

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_past_and_an_ongoing_incident(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("load_demo_data", force=True, stdout=StringIO())
    mail.outbox.clear()
    out = StringIO()
    call_command("load_demo_incidents", stdout=out)
    assert "2 new" in out.getvalue()
    statuses = dict(Incident.objects.values_list("status", "title"))
    assert set(statuses) == {Incident.Status.ONGOING, Incident.Status.RESOLVED}
    for incident in Incident.objects.all():
        assert incident.links.exists() and incident.affected.exists()
        link = incident.links.first()
        assert link.ticket.events.filter(action=Move.LINK_INCIDENT).exists()
    assert not mail.outbox  # history, not news
    call_command("load_demo_incidents", stdout=StringIO())
    assert Incident.objects.count() == 2
