"""Reads: what each person sees, and the fixed cost of a ticket's page."""

from __future__ import annotations

import pytest
from django.http import Http404

from tests.factories import TicketFactory, UserFactory
from tests.tickets.lifecycle import ROLES, Cast, make_cast, ticket_in
from tickets import services, workflow
from tickets.models import Ticket, TicketEvent
from tickets.selectors import ticket_pages

S = Ticket.Status


@pytest.fixture
def cast(db, notified) -> Cast:
    return make_cast()


def visible(person) -> set[int]:
    return set(ticket_pages.tickets_visible_to(person).values_list("pk", flat=True))


def test_each_role_sees_its_tickets(cast):
    """Requesters see their own; agents and the head their service's (and their own);
    superusers all; nobody else anything."""
    mine = ticket_in(S.IN_PROGRESS, cast)
    elsewhere = TicketFactory(requester=cast.other_requester, category=cast.other_category)
    own_as_requester = TicketFactory(requester=cast.agent, category=cast.other_category)
    expected = {
        "requester": {mine.pk},
        "other_requester": {elsewhere.pk},
        "agent": {mine.pk, own_as_requester.pk},
        "assigned": {mine.pk},
        "other_agent": {elsewhere.pk, own_as_requester.pk},
        "head": {mine.pk},
        "superuser": {mine.pk, elsewhere.pk, own_as_requester.pk},
    }
    for role in ROLES:
        assert visible(cast.person(role)) == expected[role], role


def test_lists_and_pages_agree(cast):
    """A ticket is in a person's list exactly when its page opens for them."""
    from tickets import permissions

    tickets = [ticket_in(S.OPEN, cast), TicketFactory(category=cast.other_category)]
    for role in ROLES:
        person = cast.person(role)
        for ticket in tickets:
            assert (ticket.pk in visible(person)) == permissions.can_view(ticket, person)


def test_a_transferred_ticket_changes_hands(cast):
    """After a transfer the old service no longer sees the ticket and the new one does."""
    ticket = ticket_in(S.IN_PROGRESS, cast)
    assert ticket.pk not in visible(cast.other_agent)
    workflow.transfer(ticket=ticket, actor=cast.assigned, category=cast.other_category)
    assert ticket.pk in visible(cast.other_agent)
    assert ticket.pk not in visible(cast.assigned)
    assert ticket.pk in visible(cast.requester)


def test_anonymous_and_inactive_people_see_nothing(cast):
    """No login, no tickets; a deactivated account neither."""
    from django.contrib.auth.models import AnonymousUser

    ticket_in(S.OPEN, cast)
    assert not ticket_pages.tickets_visible_to(AnonymousUser()).exists()
    cast.requester.is_active = False
    cast.requester.save()
    assert not ticket_pages.tickets_visible_to(cast.requester).exists()


def test_ticket_for_page_is_404_for_those_who_may_not_see_it(cast):
    """Not visible, not found: a stranger cannot tell a ticket exists."""
    ticket = ticket_in(S.OPEN, cast)
    for role in ("other_requester", "other_agent"):
        with pytest.raises(Http404):
            ticket_pages.ticket_for_page(ticket.pk, cast.person(role))
    with pytest.raises(Http404):
        ticket_pages.ticket_for_page(999_999, cast.requester)
    assert ticket_pages.ticket_for_page(ticket.pk, cast.requester) == ticket


def test_timeline_hides_internal_events_from_the_requester(cast):
    """Internal notes, transfer notes and internal files are left out for the requester."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    ticket = ticket_in(S.IN_PROGRESS, cast)
    services.comment_add(ticket=ticket, author=cast.agent, text="Secret", internal=True)
    services.attachment_add(
        ticket=ticket,
        uploader=cast.agent,
        file=SimpleUploadedFile("conf.txt", b"x"),
        internal=True,
    )
    services.comment_add(ticket=ticket, author=cast.agent, text="Public")
    for page in (False, True):
        for person, sees_internal in ((cast.requester, False), (cast.agent, True)):
            loaded = ticket_pages.ticket_for_page(ticket.pk, person) if page else ticket
            events = ticket_pages.timeline(loaded, person)
            internal = [e for e in events if e.visibility == TicketEvent.Visibility.INTERNAL]
            assert bool(internal) == sees_internal
            assert "Public" in [e.text for e in events]
    page = ticket_pages.ticket_for_page(ticket.pk, cast.requester)
    assert list(page.attachments.all()) == []
    assert [e.text for e in page.events.all()].count("Secret") == 0


def add_events(ticket: Ticket, cast: Cast, count: int) -> None:
    for number in range(count):
        services.comment_add(ticket=ticket, author=cast.requester, text=f"Message {number}")


@pytest.mark.parametrize("count", [1, 50])
@pytest.mark.parametrize(("role", "queries"), [("requester", 4), ("agent", 4), ("superuser", 3)])
def test_the_page_costs_the_same_for_1_and_50_events(
    cast, django_assert_num_queries, count, role, queries
):
    """ticket_for_page + timeline: memberships, ticket, events, attachments (a superuser's
    memberships are not needed), and no more for each event, its author, or its file."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    ticket = ticket_in(S.IN_PROGRESS, cast)
    add_events(ticket, cast, count - 1)
    services.attachment_add(
        ticket=ticket, uploader=cast.requester, file=SimpleUploadedFile("a.txt", b"x")
    )
    person = UserFactory._meta.model.objects.get(pk=cast.person(role).pk)  # nothing cached
    with django_assert_num_queries(queries):
        page = ticket_pages.ticket_for_page(ticket.pk, person)
        events = ticket_pages.timeline(page, person)
        rendered = [
            (e.actor.display_name if e.actor else "", e.attachment and e.attachment.original_name)
            for e in events
        ]
        header = (
            page.requester.display_name,
            page.service.name,
            page.category.name,
            page.assignee.display_name,
            [a.original_name for a in page.attachments.all()],
        )
    assert len(rendered) >= count
    assert header[-1] == ["a.txt"]
