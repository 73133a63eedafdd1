"""The lifecycle as a table: every (status × move × role) is allowed or refused as declared.

The declaration is `tickets.moves.MOVES`: for each move, the statuses it starts from, the status
it ends in and the roles that may make it. This test says which roles each person of the cast
holds on a ticket (`roles_of`), and for each combination puts a ticket in the status, asks
`permissions.available_actions` (what the page would offer) and makes the move (what the button
would do): both must agree with the declaration; a refused move raises `TransitionRefused` with
403 (this person may not make this move on this ticket) or 409 (not in this status) and changes
nothing.

The cast and one ticket per status are built once for the module; each case runs in a savepoint
rolled back after it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests.factories import CategoryFactory, TicketFactory
from tests.tickets.lifecycle import (
    PEOPLE_ROLES,
    ROLES,
    Cast,
    add_people,
    kept_for_the_module,
    make_cast,
    next_week,
    silent,
    surround,
    ticket_in,
)
from tickets import moves, permissions, services, workflow
from tickets.exceptions import TransitionRefused
from tickets.models import Ticket, TicketLink
from tickets.moves import MOVES, Move, Role

S = Ticket.Status
pytestmark = pytest.mark.usefixtures("notified")

# --- Who is who -----------------------------------------------------------------------------

# Statuses in which `ticket_in` leaves the ticket with nobody assigned.
UNASSIGNED = frozenset({S.OPEN, S.REOPENED, S.CANCELLED})
# The roles each person of the cast holds on the cast's ticket (any agent of the service is its
# "assigned agent" while nobody is assigned).
HOLDS: dict[str, frozenset[Role]] = {
    "requester": frozenset({Role.REQUESTER}),
    "other_requester": frozenset(),
    "agent": frozenset({Role.SERVICE_AGENT}),
    "assigned": frozenset({Role.SERVICE_AGENT, Role.ASSIGNED_AGENT}),
    "other_agent": frozenset(),
    "head": frozenset({Role.SERVICE_AGENT, Role.HEAD}),
    "superuser": frozenset({Role.SUPERUSER}),
    # Invited to, or following, every ticket of the table (`lifecycle.surround`).
    "invitee": frozenset({Role.INVITEE}),
    "invited_agent": frozenset({Role.INVITED_AGENT}),
    "watcher": frozenset({Role.SERVICE_AGENT, Role.WATCHER}),
}
# Moves made from a ticket's people panel rather than its menu of moves.
PEOPLE_MOVES = (Move.INVITE, Move.LEAVE, Move.UNINVITE, Move.WATCH, Move.UNWATCH)


def roles_of(person: str, status: str) -> frozenset[Role]:
    roles = HOLDS[person]
    if status in UNASSIGNED and Role.SERVICE_AGENT in roles:
        roles |= {Role.ASSIGNED_AGENT}
    return roles


def expected(status: str, move: Move, person: str) -> int | None:
    """None when allowed, else the refusal's status code, as the declaration says."""
    rule = MOVES[move]
    if not roles_of(person, status) & rule.by:
        return 403
    if status not in rule.sources:
        return 409
    if move == Move.WATCH and person == "watcher":
        return 409  # already following it
    return None


# --- Making each move -----------------------------------------------------------------------

Perform = Callable[[Ticket, object, Cast], object]
PERFORM: dict[Move, Perform] = {
    Move.TAKE: lambda t, a, c: workflow.take(ticket=t, actor=a),
    Move.ASSIGN: lambda t, a, c: workflow.assign(ticket=t, actor=a, agent=c.agent),
    Move.RELEASE: lambda t, a, c: workflow.release(ticket=t, actor=a),
    Move.REQUEST_INFO: lambda t, a, c: workflow.request_info(
        ticket=t, actor=a, question="Which building?"
    ),
    Move.COMMENT: lambda t, a, c: services.comment_add(ticket=t, author=a, text="Any news?"),
    Move.INTERNAL_NOTE: lambda t, a, c: services.comment_add(
        ticket=t, author=a, text="Call them.", internal=True
    ),
    Move.ATTACHMENT: lambda t, a, c: services.attachment_add(
        ticket=t, uploader=a, file=SimpleUploadedFile("log.txt", b"error 42\n")
    ),
    Move.REQUEST_CLOSURE: lambda t, a, c: workflow.request_closure(
        ticket=t, actor=a, resolution="Replaced the cable."
    ),
    Move.REFUSE_CLOSURE: lambda t, a, c: workflow.refuse_closure(
        ticket=t, actor=a, reason="Still broken."
    ),
    Move.APPROVE_CLOSURE: lambda t, a, c: workflow.approve_closure(ticket=t, actor=a),
    Move.MARK_SOLVED: lambda t, a, c: workflow.mark_solved(ticket=t, actor=a),
    Move.REOPEN: lambda t, a, c: workflow.reopen(ticket=t, actor=a, reason="It happens again."),
    Move.TRANSFER: lambda t, a, c: workflow.transfer(
        ticket=t, actor=a, category=c.other_category, note="For you"
    ),
    Move.REJECT: lambda t, a, c: workflow.reject(ticket=t, actor=a, reason="Not our service."),
    Move.CANCEL: lambda t, a, c: workflow.cancel(ticket=t, actor=a),
    Move.CHANGE_PRIORITY: lambda t, a, c: workflow.change_priority(
        ticket=t, actor=a, priority=Ticket.Priority.URGENT
    ),
    Move.INVITE: lambda t, a, c: workflow.invite(t, a, "colleague@univ.example"),
    Move.LEAVE: lambda t, a, c: workflow.leave(ticket=t, actor=a),
    Move.UNINVITE: lambda t, a, c: workflow.uninvite(ticket=t, actor=a, person=c.person("invitee")),
    Move.WATCH: lambda t, a, c: workflow.watch(ticket=t, actor=a),
    Move.UNWATCH: lambda t, a, c: workflow.unwatch(ticket=t, actor=a),
    Move.POSTPONE: lambda t, a, c: workflow.postpone(
        ticket=t, actor=a, until=next_week(), reason="Waiting for a part."
    ),
    Move.RESUME: lambda t, a, c: workflow.resume(ticket=t, actor=a),
    Move.MERGE: lambda t, a, c: workflow.merge(ticket=t, actor=a, into=another_ticket(c)),
    Move.LINK: lambda t, a, c: workflow.link(ticket=t, actor=a, other=another_ticket(c)),
    Move.UNLINK: lambda t, a, c: workflow.unlink(ticket=t, actor=a, other=linked_ticket(t, c)),
    Move.EDIT_SUBJECT: lambda t, a, c: workflow.edit_subject(
        ticket=t, actor=a, subject="Wi-Fi down in room B12"
    ),
    Move.CHANGE_CATEGORY: lambda t, a, c: workflow.change_category(
        ticket=t, actor=a, category=CategoryFactory(parent=c.category, name="Wi-Fi")
    ),
}


def another_ticket(cast: Cast) -> Ticket:
    """A new ticket of the cast's service, from another person (to merge into, to link)."""
    return TicketFactory(requester=cast.other_requester, category=cast.category)


def linked_ticket(ticket: Ticket, cast: Cast) -> Ticket:
    """Another ticket of the service, already linked to `ticket` (to unlink)."""
    other = another_ticket(cast)
    low, high = sorted((ticket, other), key=lambda t: t.pk)
    TicketLink.objects.create(from_ticket=low, to_ticket=high)
    return other


def test_the_table_covers_every_move_pages_can_offer():
    """Every move a person chooses on a page is made here, and nothing else."""
    assert set(PERFORM) == set(moves.OFFERED) | set(PEOPLE_MOVES)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker) -> Iterator[tuple[Cast, dict[str, int]]]:
    """The cast and one ticket in each status, built once for the module."""
    with kept_for_the_module(django_db_blocker):
        with silent():
            cast = make_cast()
            tickets = {status: ticket_in(status, cast).pk for status in S.values}
            add_people(cast)
            for pk in tickets.values():
                surround(Ticket.objects.get(pk=pk), cast)
        yield cast, tickets


@pytest.mark.django_db
@pytest.mark.parametrize("person", ROLES + PEOPLE_ROLES)
@pytest.mark.parametrize("move", moves.OFFERED + PEOPLE_MOVES)
@pytest.mark.parametrize("status", list(S.values))
def test_lifecycle_table(world, status: str, move: Move, person: str) -> None:
    """The page offers a move exactly when the workflow allows it; a refusal is 403 or 409 as
    the declaration says and leaves the ticket as it was."""
    cast, tickets = world
    ticket = Ticket.objects.get(pk=tickets[status])
    assert ticket.status == status
    actor = cast.person(person)
    refusal = expected(status, move, person)

    if move in moves.OFFERED:
        assert (move in permissions.available_actions(ticket, actor)) == (refusal is None)
    assert permissions.can(move, ticket, actor) == (refusal is None)

    events_before = ticket.events.count()
    if refusal is None:
        PERFORM[move](ticket, actor, cast)
        ticket.refresh_from_db()
        after = MOVES[move].target
        if move == Move.COMMENT and person == "requester" and status == S.INFO_REQUESTED:
            after = MOVES[Move.RECEIVE_INFO].target  # the requester's message answers
        assert ticket.status == (after or status)
        assert ticket.events.count() > events_before
    else:
        with pytest.raises(TransitionRefused) as refused:
            PERFORM[move](ticket, actor, cast)
        assert refused.value.status_code == refusal, refused.value.message
        assert str(refused.value.message)
        ticket.refresh_from_db()
        assert ticket.status == status
        assert ticket.events.count() == events_before


# --- Rules the table does not show ----------------------------------------------------------


@pytest.fixture
def cast(db) -> Cast:
    return make_cast()


def test_requester_reopens_only_within_the_reopen_window(cast):
    """After the service's reopen window the requester may no longer reopen; agents still may."""
    ticket = ticket_in(S.CLOSED, cast)
    window = cast.service.reopen_window_days
    closed_at = ticket.closed_at
    assert permissions.can_reopen(ticket, cast.requester, now=closed_at + timedelta(days=window))
    late = closed_at + timedelta(days=window, seconds=1)
    assert not permissions.can_reopen(ticket, cast.requester, now=late)
    assert permissions.can_reopen(ticket, cast.agent, now=late)

    Ticket.objects.filter(pk=ticket.pk).update(
        closed_at=timezone.now() - timedelta(days=window + 1)
    )
    ticket.refresh_from_db()
    with pytest.raises(TransitionRefused) as refused:
        workflow.reopen(ticket=ticket, actor=cast.requester, reason="Again")
    assert refused.value.status_code == 409
    assert str(window) in str(refused.value.message)
    workflow.reopen(ticket=ticket, actor=cast.agent, reason="The requester called us")
    ticket.refresh_from_db()
    assert ticket.status == S.REOPENED


def test_requester_who_is_an_agent_of_the_service_acts_as_agent(cast):
    """An agent filing a ticket in their own service may also take and handle it."""
    ticket = ticket_in(S.OPEN, cast)
    from tickets.models import Ticket as T

    T.objects.filter(pk=ticket.pk).update(requester=cast.agent)
    ticket.refresh_from_db()
    assert {"take", "cancel", "mark_solved", "reject"} <= permissions.available_actions(
        ticket, cast.agent
    )
    workflow.take(ticket=ticket, actor=cast.agent)


def test_inactive_people_can_do_nothing(cast):
    """A deactivated account sees nothing and may do nothing, whatever its memberships."""
    ticket = ticket_in(S.OPEN, cast)
    cast.agent.is_active = False
    cast.agent.save()
    cast.requester.is_active = False
    cast.requester.save()
    assert permissions.available_actions(ticket, cast.agent) == set()
    assert permissions.available_actions(ticket, cast.requester) == set()
    assert not permissions.can_view(ticket, cast.requester)


def test_anonymous_visitors_can_do_nothing(cast):
    """Someone not logged in is refused everything."""
    from django.contrib.auth.models import AnonymousUser

    ticket = ticket_in(S.OPEN, cast)
    assert permissions.available_actions(ticket, AnonymousUser()) == set()
    assert not permissions.can_view(ticket, AnonymousUser())
    with pytest.raises(TransitionRefused) as refused:
        workflow.take(ticket=ticket, actor=AnonymousUser())
    assert refused.value.status_code == 403


def test_internal_content_is_for_the_service_only(cast):
    """Agents of the service (and superusers) see internal notes; requesters and other services'
    agents do not."""
    ticket = ticket_in(S.IN_PROGRESS, cast)
    for role, allowed in {
        "requester": False,
        "other_requester": False,
        "agent": True,
        "assigned": True,
        "other_agent": False,
        "head": True,
        "superuser": True,
    }.items():
        assert permissions.can_view_internal(ticket, cast.person(role)) is allowed, role


def test_who_sees_a_ticket(cast):
    """The requester, the service's members and superusers see a ticket; nobody else."""
    ticket = ticket_in(S.IN_PROGRESS, cast)
    visible = {role for role in ROLES if permissions.can_view(ticket, cast.person(role))}
    assert visible == {"requester", "agent", "assigned", "head", "superuser"}


def test_memberships_of_inactive_services_do_not_count(cast):
    """A deactivated service's members are no longer its agents."""
    cast.service.is_active = False
    cast.service.save()
    fresh = type(cast.agent).objects.get(pk=cast.agent.pk)
    assert not permissions.is_agent_of(fresh, cast.service)
    assert permissions.agent_service_ids(fresh) == set()


def test_membership_helpers(cast):
    """is_agent_of counts agents and heads; is_head_of only heads; agent_service_ids lists the
    services a person works in."""
    assert permissions.is_agent_of(cast.agent, cast.service)
    assert permissions.is_agent_of(cast.head, cast.service)
    assert not permissions.is_agent_of(cast.other_agent, cast.service)
    assert not permissions.is_agent_of(cast.requester, cast.service)
    assert permissions.is_head_of(cast.head, cast.service)
    assert not permissions.is_head_of(cast.agent, cast.service)
    assert permissions.agent_service_ids(cast.agent) == {cast.service.pk}
    assert permissions.agent_service_ids(cast.requester) == set()
    assert not permissions.is_agent_of(cast.agent, None)
