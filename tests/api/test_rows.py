"""The plain rows of "my tickets" are the rows the schema promises: `api.selectors.ticket_rows`
gives, for every status, exactly what `TicketRowSerializer` gives for the same tickets."""

from __future__ import annotations

import pytest
from django.utils import translation

from api import selectors
from api.serializers import TicketRowSerializer
from tests.factories import CategoryFactory, UserFactory, agent_of
from tickets import services, workflow
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language", ["fr", "en"])
def test_rows_are_the_serializers_rows(language):
    category = CategoryFactory()
    agent = agent_of(category.service)
    requester = UserFactory()
    tickets = [
        services.ticket_create(
            requester=requester, category=category, subject=f"Problem {n}", description="D"
        )
        for n in range(4)
    ]
    workflow.take(ticket=tickets[1], actor=agent)
    workflow.take(ticket=tickets[2], actor=agent)
    workflow.request_info(ticket=tickets[2], actor=agent, question="Which room?")
    workflow.cancel(ticket=tickets[3], actor=requester, reason="Solved by itself")
    with translation.override(language):
        rows = selectors.ticket_rows(
            selectors.my_ticket_rows(requester).order_by("-updated_at", "-pk")
        )
        objects = Ticket.objects.filter(requester=requester).select_related("category", "service")
        expected = TicketRowSerializer(objects.order_by("-updated_at", "-pk"), many=True).data
    assert rows == [dict(row) for row in expected]
    assert {row["status"] for row in rows} == {"open", "in_progress", "info_requested", "cancelled"}
    assert [row["waiting_for_requester"] for row in rows if row["status"] == "info_requested"] == [
        True
    ]


def test_states_split_the_tickets():
    category = CategoryFactory()
    requester = UserFactory()
    kept, withdrawn = (
        services.ticket_create(requester=requester, category=category, subject=s, description="D")
        for s in ("Kept", "Withdrawn")
    )
    workflow.cancel(ticket=withdrawn, actor=requester, reason="No longer needed")
    UserFactory()  # another person's tickets never show
    assert [r["id"] for r in selectors.my_ticket_rows(requester, state="open")] == [kept.pk]
    assert [r["id"] for r in selectors.my_ticket_rows(requester, state="closed")] == [withdrawn.pk]
    assert len(selectors.my_ticket_rows(requester)) == 2


@pytest.mark.parametrize("zone", ["UTC", "Europe/Paris", "America/Montreal"])
def test_dates_read_as_the_serializers_field_writes_them(zone):
    """A page's dates, written with the time zone looked up once, are the field's own text:
    in UTC (with its "Z"), in summer and winter time, with and without microseconds, and naive
    or empty values left to the field."""
    from datetime import UTC, datetime

    from django.utils import timezone
    from rest_framework import serializers

    field = serializers.DateTimeField()
    values = [
        datetime(2026, 1, 15, 8, 30, tzinfo=UTC),
        datetime(2026, 7, 15, 23, 59, 59, 123456, tzinfo=UTC),
        datetime(2026, 3, 29, 1, 0, tzinfo=UTC),
        timezone.make_naive(datetime(2026, 7, 15, 12, 0, tzinfo=UTC), UTC),
        None,
    ]
    with timezone.override(zone):
        as_text = selectors.datetime_text()
        assert [as_text(value) for value in values] == [
            field.to_representation(value) for value in values
        ]


def test_the_category_to_file_in_is_the_filing_pages():
    """`fileable_category_id` accepts exactly the categories the filing page accepts
    (`selectable_category` and `accepts_tickets`): active, under active parents only, handled by
    an active service; any other slug, or an unknown one, gives None."""
    from categories.models import Category
    from tickets.selectors import requester_pages

    root = CategoryFactory(slug="root")
    child = CategoryFactory(slug="child", parent=root)
    grandchild = CategoryFactory(slug="grandchild", parent=child)
    closed_root = CategoryFactory(slug="closed-root")
    below_closed = CategoryFactory(slug="below-closed", parent=closed_root)
    CategoryFactory(slug="deep-below-closed", parent=below_closed)
    Category.objects.filter(pk=closed_root.pk).update(is_active=False)
    off = CategoryFactory(slug="off")
    Category.objects.filter(pk=off.pk).update(is_active=False)
    idle_service = CategoryFactory(slug="idle-service")
    idle_service.service.is_active = False
    idle_service.service.save()

    def page_says(slug):
        category = requester_pages.selectable_category(slug)
        if category is None or not requester_pages.accepts_tickets(category):
            return None
        return category.pk

    slugs = [c.slug for c in Category.objects.all()] + ["unknown"]
    assert {slug: selectors.fileable_category_id(slug) for slug in slugs} == {
        slug: page_says(slug) for slug in slugs
    }
    assert selectors.fileable_category_id("grandchild") == grandchild.pk
    assert selectors.fileable_category_id("deep-below-closed") is None


def test_the_open_tickets_index_exists():
    """On PostgreSQL, where it matters (SQLite rebuilds a table it alters, without it)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    with connection.cursor() as cursor:
        names = {
            index
            for index, _info in connection.introspection.get_constraints(
                cursor, "tickets_ticket"
            ).items()
        }
    assert "ticket_requester_open" in names
