"""Tickets in the admin are read-only: statuses change only through the workflow."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.tickets.lifecycle import make_cast, ticket_in
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


def test_tickets_are_listed_searchable_and_read_only(admin_client, notified):
    """The list shows references and statuses; the page shows the timeline; nothing can be
    added, changed or deleted."""
    cast = make_cast()
    ticket = ticket_in(Ticket.Status.IN_PROGRESS, cast)
    listing = admin_client.get(reverse("admin:tickets_ticket_changelist"), {"q": ticket.subject})
    assert listing.status_code == 200
    assert list(listing.context["cl"].result_list) == [ticket]
    assert f"#{ticket.pk}" in listing.content.decode()

    change_url = reverse("admin:tickets_ticket_change", args=[ticket.pk])
    page = admin_client.get(change_url)
    assert page.status_code == 200
    assert "Bob Assigned" in page.content.decode()

    admin_client.post(change_url, {"subject": "Changed", "status": "closed"})
    ticket.refresh_from_db()
    assert (ticket.subject, ticket.status) != ("Changed", "closed")
    assert ticket.status == Ticket.Status.IN_PROGRESS
    assert admin_client.get(reverse("admin:tickets_ticket_add")).status_code == 403
    delete_url = reverse("admin:tickets_ticket_delete", args=[ticket.pk])
    assert admin_client.post(delete_url, {"post": "yes"}).status_code == 403
    assert Ticket.objects.filter(pk=ticket.pk).exists()
