"""generate_data: a helpdesk history written by COPY, consistent with the models and repeatable."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from accounts.models import User
from categories.models import Category, Service, ServiceMembership
from tickets.models import Attachment, Ticket, TicketEvent

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

SMALL = {"requesters": 300, "agents": 40, "jobs": 1, "seed": 7}


def generate(tickets: int = 400, **options) -> None:
    call_command("generate_data", tickets=tickets, **{**SMALL, **options}, stdout=None)


def fingerprint() -> list[tuple]:
    return list(
        Ticket.objects.order_by("created_at", "subject").values_list(
            "subject", "status", "priority", "requester__email", "category__slug"
        )
    )


def test_fills_an_empty_database_with_a_consistent_history(postgres):
    """People, services, the category tree and tickets whose events match their status."""
    generate()
    assert Service.objects.count() == 15
    assert Category.objects.count() == 147
    assert ServiceMembership.objects.count() == 40
    assert User.objects.count() == 340
    assert Ticket.objects.count() == 400
    per_ticket = (
        TicketEvent.objects.values("ticket").annotate(n=models_count()).values_list("n", flat=True)
    )
    assert min(per_ticket) >= 3 and max(per_ticket) <= 10
    for ticket in Ticket.objects.filter(status=Ticket.Status.CLOSED)[:50]:
        assert ticket.closed_at is not None and ticket.assignee_id is not None
        assert ticket.events.order_by("created_at", "pk").first().action == "created"
    for ticket in Ticket.objects.filter(status=Ticket.Status.OPEN):
        assert ticket.assignee_id is None
    for category in Category.objects.select_related("parent"):
        assert category.handling_service_id is not None
        if category.parent_id:
            assert category.tree_path.startswith(category.parent.tree_path)
    # Events of attachments point at their file; internal notes are internal.
    assert all(event.attachment_id for event in TicketEvent.objects.filter(action="attachment"))
    assert not TicketEvent.objects.filter(action="internal_note", visibility="public").exists()
    assert Attachment.objects.count() == TicketEvent.objects.filter(action="attachment").count()


def test_most_tickets_are_closed_and_the_recent_ones_active(postgres):
    """Like a real helpdesk: tickets a few weeks old are closed, the newest ones are being
    handled (about 100,000 tickets a year: 8,000 tickets are a month of history)."""
    generate(tickets=8000)
    active = Ticket.objects.filter(status__in=Ticket.ACTIVE_STATUSES)
    assert 0 < active.count() < Ticket.objects.count() / 2
    month_ago = timezone.now() - timedelta(days=21)
    older = Ticket.objects.filter(created_at__lt=month_ago)
    assert older.filter(status__in=Ticket.ACTIVE_STATUSES).count() < older.count() * 0.2
    newest = Ticket.objects.order_by("-created_at")[:20]
    assert sum(ticket.status in Ticket.ACTIVE_STATUSES for ticket in newest) >= 10


def test_sequences_continue_after_the_generated_ids(postgres):
    """Rows created afterwards by the application get new ids."""
    generate(tickets=50)
    highest = Ticket.objects.order_by("-pk").first()
    ticket = Ticket.objects.create(
        requester=highest.requester,
        category=highest.category,
        service=highest.service,
        subject="Nouveau",
        description="Nouveau ticket.",
    )
    assert ticket.pk > highest.pk
    event = TicketEvent.objects.create(ticket=ticket, kind="created", action="created")
    assert event.pk > TicketEvent.objects.exclude(pk=event.pk).order_by("-pk").first().pk


def test_the_same_seed_gives_the_same_data(postgres):
    """Repeatable: a second run with the same seed writes the same tickets."""
    generate(tickets=300)
    first = fingerprint()
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE tickets_ticketevent, tickets_attachment, tickets_ticket, "
            "categories_servicemembership, categories_category, categories_service, "
            "accounts_user CASCADE"
        )
    generate(tickets=300)
    assert fingerprint() == first
    with connection.cursor() as cursor:
        cursor.execute("SELECT tickets, seed FROM bench_dataset ORDER BY generated_at")
        assert cursor.fetchall()[-1] == (300, 7)


def test_refuses_a_database_that_already_has_tickets(postgres):
    generate(tickets=20)
    with pytest.raises(CommandError, match="empty"):
        generate(tickets=20)


def models_count():
    from django.db.models import Count

    return Count("pk")


def test_a_rare_word_is_found_in_the_reference_service_at_every_size(postgres):
    """One ticket in RARE_EVERY, the first early on, carries the rare sentence, in the service
    of the reference agent: the benchmark's rare-word search has a result at every size."""
    from tickets.management.commands import generate_data

    generate(tickets=400)
    rare = Ticket.objects.filter(description__icontains="sismographe")
    assert rare.count() == 1
    assert rare.get().service.slug == generate_data.REFERENCE_SERVICE
    with connection.cursor() as cursor:
        cursor.execute("SELECT info FROM bench_dataset")
        info = cursor.fetchone()[0]
    info = info if isinstance(info, dict) else json.loads(info)
    assert info["generator"] == generate_data.GENERATOR_VERSION
    agent = User.objects.get(email=info["agent"])
    assert agent.service_memberships.get().service.slug == generate_data.REFERENCE_SERVICE
