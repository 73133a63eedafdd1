"""`manage.py load_demo_data` builds a helpdesk to try, and can be run again."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from categories.models import Category, ServiceMembership
from tickets.models import Ticket, TicketEvent

pytestmark = pytest.mark.django_db


def run(**options) -> str:
    out = StringIO()
    call_command("load_demo_data", stdout=out, **options)
    return out.getvalue()


def test_demo_data_creates_accounts_tree_and_tickets(settings):
    """The accounts exist with the printed password; tickets went through the workflow."""
    settings.DEBUG = True
    output = run()
    users = get_user_model().objects
    for email in ("etudiant", "personnel", "agent", "agent2", "chef", "admin"):
        assert f"{email}@demo.univ.example" in output
        assert users.filter(email=f"{email}@demo.univ.example").exists()
    assert "demo-helpdesk-2026" in output
    student = users.get(email="etudiant@demo.univ.example")
    assert student.check_password("demo-helpdesk-2026")
    assert users.get(email="admin@demo.univ.example").is_superuser
    assert ServiceMembership.objects.filter(
        user__email="chef@demo.univ.example", role=ServiceMembership.Role.HEAD
    ).exists()
    apogee = Category.objects.get(name="Applications de scolarité (Apogée)")
    assert apogee.help_text == "Support technique pour les applications de scolarité"
    assert apogee.parent is not None
    assert apogee.handling_service.name == "Direction du numérique"
    statuses = set(Ticket.objects.values_list("status", flat=True))
    assert {"open", "in_progress", "info_requested", "closure_pending", "closed"} <= statuses
    assert TicketEvent.objects.filter(action="request_info").exists()


def test_demo_data_runs_twice(settings):
    """A second run adds nothing and fails on nothing."""
    settings.DEBUG = True
    run()
    counts = (Ticket.objects.count(), Category.objects.count(), get_user_model().objects.count())
    output = run()
    assert "0 new ticket" in output
    assert counts == (
        Ticket.objects.count(),
        Category.objects.count(),
        get_user_model().objects.count(),
    )


def test_demo_data_refuses_production(settings):
    """With DEBUG off, public demo passwords are not created unless forced."""
    settings.DEBUG = False
    with pytest.raises(CommandError):
        run()
