"""Related tickets: an agent links two tickets they see as an agent; the link shows on both
agents' pages and both timelines record it, for the agents only."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import TicketFactory
from tests.tickets.lifecycle import Cast, make_cast
from tickets import workflow
from tickets.exceptions import TransitionRefused
from tickets.models import Ticket, TicketEvent, TicketLink
from tickets.selectors import ticket_pages

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(db, fast_passwords) -> Cast:
    return make_cast()


@pytest.fixture
def pair(cast) -> tuple[Ticket, Ticket]:
    return (
        TicketFactory(requester=cast.requester, category=cast.category),
        TicketFactory(requester=cast.other_requester, category=cast.category),
    )


def test_a_link_shows_on_both_tickets(cast, pair, notified):
    first, second = pair
    workflow.link(ticket=second, actor=cast.agent, other=first)
    assert TicketLink.objects.get().from_ticket == first  # stored once, lower id first
    assert ticket_pages.related_tickets(first) == [second]
    assert ticket_pages.related_tickets(second) == [first]
    for ticket, other in ((first, second), (second, first)):
        event = ticket.events.get(action="link")
        assert event.visibility == TicketEvent.Visibility.INTERNAL
        assert other.reference in event.after


def test_linking_twice_or_to_itself_is_refused(cast, pair, notified):
    first, second = pair
    workflow.link(ticket=first, actor=cast.agent, other=second)
    with pytest.raises(TransitionRefused) as refused:
        workflow.link(ticket=second, actor=cast.agent, other=first)
    assert refused.value.status_code == 409
    with pytest.raises(TransitionRefused) as refused:
        workflow.link(ticket=first, actor=cast.agent, other=first)
    assert refused.value.status_code == 400


def test_a_ticket_of_another_service_is_not_offered(cast, pair, notified):
    """An agent links only tickets they see as an agent (400, as for a typo)."""
    first, _second = pair
    elsewhere = TicketFactory(category=cast.other_category)
    with pytest.raises(TransitionRefused) as refused:
        workflow.link(ticket=first, actor=cast.agent, other=elsewhere)
    assert refused.value.status_code == 400
    assert not TicketLink.objects.exists()


def test_unlinking_removes_it_from_both(cast, pair, notified):
    first, second = pair
    workflow.link(ticket=first, actor=cast.agent, other=second)
    workflow.unlink(ticket=second, actor=cast.agent, other=first)
    assert not TicketLink.objects.exists()
    assert first.events.filter(action="unlink").exists()
    assert second.events.filter(action="unlink").exists()
    with pytest.raises(TransitionRefused) as refused:
        workflow.unlink(ticket=second, actor=cast.agent, other=first)
    assert refused.value.status_code == 409


def test_the_agents_page_lists_related_tickets_the_requesters_does_not(
    client, cast, pair, notified
):
    first, second = pair
    client.force_login(cast.agent)
    url = reverse("desk:action", kwargs={"pk": first.pk, "action": "link"})
    assert client.post(url, {"link-other": 999999}).status_code == 400
    assert client.post(url, {"link-other": second.pk}).status_code == 302
    page = client.get(reverse("desk:detail", kwargs={"pk": second.pk}))
    assert b'data-testid="related-tickets"' in page.content
    assert first.subject.encode() in page.content
    unlink = client.get(reverse("desk:move", kwargs={"pk": second.pk, "action": "unlink"}))
    assert unlink.status_code == 200
    client.force_login(cast.requester)
    page = client.get(reverse("tickets:detail", kwargs={"pk": first.pk}))
    assert page.status_code == 200
    assert second.subject.encode() not in page.content


def test_the_page_reads_no_link_for_a_ticket_never_linked(
    cast, pair, notified, django_assert_num_queries
):
    """The related tickets cost no query when the timeline records no link."""
    first, _second = pair
    ticket = ticket_pages.ticket_for_page(first.pk, cast.agent)
    with django_assert_num_queries(0):
        assert ticket_pages.related_tickets(ticket) == []
