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
