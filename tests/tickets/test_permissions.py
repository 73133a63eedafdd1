"""The lifecycle as a table: every (status × move × role) is allowed or refused as specified.

The specification below is the issue's rules written as data. For each combination the test puts a
ticket in the status, asks `permissions.available_actions` (what the page would offer) and makes
the move (what the button would do): both must agree with the table, a refused move raises
`TransitionRefused` with 403 (this person may not make this move on this ticket) or 409 (not in
this status) and changes nothing.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests.tickets.lifecycle import ROLES, Cast, make_cast, ticket_in
from tickets import permissions, services, workflow
from tickets.exceptions import TransitionRefused
from tickets.models import Ticket

S = Ticket.Status
pytestmark = pytest.mark.usefixtures("notified")

# --- The specification ----------------------------------------------------------------------

REQUESTER = frozenset({"requester"})
AGENTS = frozenset({"agent", "assigned", "head", "superuser"})
PARTIES = REQUESTER | AGENTS
# The assigned agent, the head, superusers; any agent while nobody is assigned.
ASSIGNEE_OR_HEAD = frozenset({"assigned", "head", "superuser"})

ALL_STATUSES = frozenset(S.values)
ACTIVE = frozenset({S.OPEN, S.REOPENED, S.IN_PROGRESS, S.INFO_REQUESTED, S.CLOSURE_PENDING})
NOT_YET_WAITING = frozenset({S.OPEN, S.REOPENED, S.IN_PROGRESS, S.INFO_REQUESTED})
# Statuses in which `ticket_in` leaves the ticket with nobody assigned.
UNASSIGNED = frozenset({S.OPEN, S.REOPENED, S.CANCELLED})

# move: (who may make it, in which statuses, status afterwards (None: unchanged))
SPEC: dict[str, tuple[frozenset[str], frozenset[str], str | None]] = {
    "take": (AGENTS, frozenset({S.OPEN, S.REOPENED}), S.IN_PROGRESS),
    "assign": (AGENTS, frozenset({S.OPEN, S.REOPENED, S.IN_PROGRESS}), S.IN_PROGRESS),
    "release": (ASSIGNEE_OR_HEAD, frozenset({S.IN_PROGRESS}), S.OPEN),
    "request_info": (ASSIGNEE_OR_HEAD, frozenset({S.IN_PROGRESS}), S.INFO_REQUESTED),
    "request_closure": (
        ASSIGNEE_OR_HEAD,
        frozenset({S.IN_PROGRESS, S.INFO_REQUESTED}),
        S.CLOSURE_PENDING,
    ),
    "approve_closure": (REQUESTER, frozenset({S.CLOSURE_PENDING}), S.CLOSED),
    "refuse_closure": (REQUESTER, frozenset({S.CLOSURE_PENDING}), S.IN_PROGRESS),
    "mark_solved": (REQUESTER, NOT_YET_WAITING, S.CLOSED),
    "reopen": (PARTIES, frozenset({S.CLOSED}), S.REOPENED),
    "cancel": (REQUESTER, frozenset({S.OPEN}), S.CANCELLED),
    "reject": (AGENTS, NOT_YET_WAITING, S.REJECTED),
    "transfer": (AGENTS, ACTIVE, S.OPEN),
    "change_priority": (AGENTS, ACTIVE, None),
    "comment": (PARTIES, ACTIVE, None),
    "internal_note": (AGENTS, ALL_STATUSES, None),
    "attach": (PARTIES, ACTIVE, None),
}
ASSIGNEE_MOVES = frozenset({"release", "request_info", "request_closure"})


def expected(status: str, move: str, role: str) -> int | None:
    """None when allowed, else the refusal's status code."""
    who, when, _after = SPEC[move]
    if move in ASSIGNEE_MOVES and status in UNASSIGNED:
        who = who | {"agent"}
    if role not in who:
        return 403
    if status not in when:
        return 409
    return None


def perform(move: str, ticket: Ticket, actor: object, cast: Cast) -> None:
    if move == "take":
        workflow.take(ticket=ticket, actor=actor)
    elif move == "assign":
        workflow.assign(ticket=ticket, actor=actor, agent=cast.agent)
    elif move == "release":
        workflow.release(ticket=ticket, actor=actor)
    elif move == "request_info":
        workflow.request_info(ticket=ticket, actor=actor, question="Which building?")
    elif move == "request_closure":
        workflow.request_closure(ticket=ticket, actor=actor, resolution="Replaced the cable.")
    elif move == "approve_closure":
        workflow.approve_closure(ticket=ticket, actor=actor)
    elif move == "refuse_closure":
        workflow.refuse_closure(ticket=ticket, actor=actor, reason="Still broken.")
    elif move == "mark_solved":
        workflow.mark_solved(ticket=ticket, actor=actor)
    elif move == "reopen":
        workflow.reopen(ticket=ticket, actor=actor, reason="It happens again.")
    elif move == "cancel":
        workflow.cancel(ticket=ticket, actor=actor)
    elif move == "reject":
        workflow.reject(ticket=ticket, actor=actor, reason="Not our service.")
    elif move == "transfer":
        workflow.transfer(ticket=ticket, actor=actor, category=cast.other_category, note="For you")
    elif move == "change_priority":
        workflow.change_priority(ticket=ticket, actor=actor, priority=Ticket.Priority.URGENT)
    elif move == "comment":
        services.comment_add(ticket=ticket, author=actor, text="Any news?")
    elif move == "internal_note":
        services.comment_add(ticket=ticket, author=actor, text="Call them.", internal=True)
    elif move == "attach":
        services.attachment_add(
            ticket=ticket, uploader=actor, file=SimpleUploadedFile("log.txt", b"error 42\n")
        )
    else:  # pragma: no cover - the table and this function list the same moves
        raise AssertionError(move)


def test_the_table_covers_every_action_pages_can_offer():
    """Every name `available_actions` can return is in the table, and nothing else."""
    assert set(SPEC) == set(permissions.ACTIONS)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("move", list(SPEC))
@pytest.mark.parametrize("status", list(S.values))
def test_lifecycle_table(status: str, move: str, role: str) -> None:
    """The page offers a move exactly when the workflow allows it; a refusal is 403 or 409 as
    the table says and leaves the ticket as it was."""
    cast = make_cast()
    ticket = ticket_in(status, cast)
    assert ticket.status == status
    actor = cast.person(role)
    refusal = expected(status, move, role)

    assert (move in permissions.available_actions(ticket, actor)) == (refusal is None)

    events_before = ticket.events.count()
    if refusal is None:
        perform(move, ticket, actor, cast)
        ticket.refresh_from_db()
        after = SPEC[move][2]
        if move == "comment" and role == "requester" and status == S.INFO_REQUESTED:
            after = S.IN_PROGRESS  # the requester's message answers the question
        assert ticket.status == (after or status)
        assert ticket.events.count() > events_before
    else:
        with pytest.raises(TransitionRefused) as refused:
            perform(move, ticket, actor, cast)
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
