"""Who may do what on a ticket: the one place the lifecycle's rules are written.

Every function is pure apart from reading the person's service memberships (one query per user
object, then cached on it): `(ticket, user) -> bool`. The same functions guard the moves in
`tickets.workflow`, filter lists in `tickets.selectors` and decide which buttons a page shows, so
a page never offers what the move would refuse.

Roles, for a given ticket:
- requester: the person who filed it;
- agent: a member (agent or head) of the service currently handling it; a requester who is also
  an agent of that service is treated as an agent for agent moves;
- assigned agent: the agent the ticket is assigned to (any agent while nobody is);
- head: a member of that service with the head role;
- superuser: may do every agent move on every ticket (never the requester's moves).

Each move is a pair (who may do it, in which statuses). `may_act` answers the first half alone, so
the workflow can tell "you may not do this" (403) from "not now" (409).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from categories.models import ServiceMembership
from tickets.models import Ticket

if TYPE_CHECKING:
    from categories.models import Service

Status = Ticket.Status

_ROLES_CACHE_ATTR = "_helpdesk_service_roles"

# Statuses in which an agent may still work on a ticket.
_WORKING_STATUSES = frozenset(Ticket.ACTIVE_STATUSES)
_TERMINAL_STATUSES = frozenset(Ticket.TERMINAL_STATUSES)


# --- Memberships -----------------------------------------------------------------------------


def _is_person(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def service_roles(user: Any) -> dict[int, str]:
    """The person's services and their role in each ({service_id: "agent" | "head"}).

    Read once per user object and cached on it: a request's user is fresh on every request.
    """
    if not _is_person(user):
        return {}
    load_service_roles([user])
    return getattr(user, _ROLES_CACHE_ATTR)


def load_service_roles(users: list[Any]) -> None:
    """Reads the memberships of many people in one query and caches them on each user object,
    so deciding who may see a ticket for a whole service's agents costs one query, not one each."""
    pending = [u for u in users if _is_person(u) and getattr(u, _ROLES_CACHE_ATTR, None) is None]
    if not pending:
        return
    roles: dict[int, dict[int, str]] = {u.pk: {} for u in pending}
    memberships = ServiceMembership.objects.filter(
        user__in=[u.pk for u in pending], service__is_active=True
    ).values_list("user_id", "service_id", "role")
    for user_id, service_id, role in memberships:
        roles[user_id][service_id] = role
    for user in pending:
        setattr(user, _ROLES_CACHE_ATTR, roles[user.pk])


def forget_roles(user: Any) -> None:
    """Drops the cached memberships, for code that changes them and reads them again."""
    if user is not None and hasattr(user, _ROLES_CACHE_ATTR):
        delattr(user, _ROLES_CACHE_ATTR)


def agent_service_ids(user: Any) -> set[int]:
    """Ids of the active services the person works in (as agent or head)."""
    return set(service_roles(user))


def is_agent_of(user: Any, service: Service | int | None) -> bool:
    """The person is a member (agent or head) of the service."""
    if service is None:
        return False
    service_id = service if isinstance(service, int) else service.pk
    return service_id in service_roles(user)


def is_head_of(user: Any, service: Service | int | None) -> bool:
    """The person is the head of the service."""
    if service is None:
        return False
    service_id = service if isinstance(service, int) else service.pk
    return service_roles(user).get(service_id) == ServiceMembership.Role.HEAD


# --- Roles on one ticket ---------------------------------------------------------------------


def _is_requester(ticket: Ticket, user: Any) -> bool:
    return _is_person(user) and ticket.requester_id == user.pk


def _is_superuser(user: Any) -> bool:
    return _is_person(user) and user.is_superuser


def _acts_as_agent(ticket: Ticket, user: Any) -> bool:
    return _is_superuser(user) or is_agent_of(user, ticket.service_id)


def _leads(ticket: Ticket, user: Any) -> bool:
    """Head of the ticket's service, or superuser: may act on any ticket of the service."""
    return _is_superuser(user) or is_head_of(user, ticket.service_id)


def _works_on(ticket: Ticket, user: Any) -> bool:
    """The assigned agent (still in the service), the head, or a superuser.

    On a ticket nobody is assigned to (new, reopened, or its agent's account was removed) any
    agent of the service qualifies: they would not step on a colleague's work.
    """
    if _leads(ticket, user):
        return True
    return _acts_as_agent(ticket, user) and ticket.assignee_id in (None, user.pk)


# --- The rules -------------------------------------------------------------------------------

Who = Callable[[Ticket, Any], bool]

# move -> (who may do it, statuses in which it is possible)
RULES: dict[str, tuple[Who, frozenset[str]]] = {
    "take": (_acts_as_agent, frozenset({Status.OPEN, Status.REOPENED})),
    "assign": (_acts_as_agent, frozenset({Status.OPEN, Status.REOPENED, Status.IN_PROGRESS})),
    "release": (_works_on, frozenset({Status.IN_PROGRESS})),
    "request_info": (_works_on, frozenset({Status.IN_PROGRESS})),
    "request_closure": (_works_on, frozenset({Status.IN_PROGRESS, Status.INFO_REQUESTED})),
    "receive_info": (_is_requester, frozenset({Status.INFO_REQUESTED})),
    "approve_closure": (_is_requester, frozenset({Status.CLOSURE_PENDING})),
    "refuse_closure": (_is_requester, frozenset({Status.CLOSURE_PENDING})),
    "mark_solved": (
        _is_requester,
        frozenset({Status.OPEN, Status.REOPENED, Status.IN_PROGRESS, Status.INFO_REQUESTED}),
    ),
    "reopen": (
        lambda ticket, user: _is_requester(ticket, user) or _acts_as_agent(ticket, user),
        frozenset({Status.CLOSED}),
    ),
    "cancel": (_is_requester, frozenset({Status.OPEN})),
    "reject": (
        _acts_as_agent,
        frozenset({Status.OPEN, Status.REOPENED, Status.IN_PROGRESS, Status.INFO_REQUESTED}),
    ),
    "transfer": (_acts_as_agent, _WORKING_STATUSES),
    "change_priority": (_acts_as_agent, _WORKING_STATUSES),
    "comment": (
        lambda ticket, user: _is_requester(ticket, user) or _acts_as_agent(ticket, user),
        _WORKING_STATUSES,
    ),
    "internal_note": (_acts_as_agent, frozenset(Status.values)),
    "attach": (
        lambda ticket, user: _is_requester(ticket, user) or _acts_as_agent(ticket, user),
        _WORKING_STATUSES,
    ),
}


def may_act(move: str, ticket: Ticket, user: Any) -> bool:
    """The person holds a role that may make this move on this ticket, whatever its status."""
    who, _statuses = RULES[move]
    return who(ticket, user)


def state_allows(move: str, ticket: Ticket) -> bool:
    """The ticket's status allows the move, whoever asks."""
    _who, statuses = RULES[move]
    return ticket.status in statuses


def _allowed(move: str, ticket: Ticket, user: Any) -> bool:
    return state_allows(move, ticket) and may_act(move, ticket, user)


# --- Public predicates -----------------------------------------------------------------------


def can_view(ticket: Ticket, user: Any) -> bool:
    """The requester, the agents of the ticket's current service and superusers see a ticket."""
    return _is_requester(ticket, user) or _acts_as_agent(ticket, user)


def can_view_internal(ticket: Ticket, user: Any) -> bool:
    """Internal notes, transfer notes and internal attachments are for the service's agents."""
    return _acts_as_agent(ticket, user)


def can_comment(ticket: Ticket, user: Any) -> bool:
    """Requester and agents write public messages while the ticket is active."""
    return _allowed("comment", ticket, user)


def can_add_internal_note(ticket: Ticket, user: Any) -> bool:
    """Agents may add internal notes at any time, even on a closed ticket."""
    return _allowed("internal_note", ticket, user)


def can_add_attachment(ticket: Ticket, user: Any) -> bool:
    """Files are added by those who may comment, while the ticket is active."""
    return _allowed("attach", ticket, user)


def can_take(ticket: Ticket, user: Any) -> bool:
    """An agent of the service takes a new or reopened ticket."""
    return _allowed("take", ticket, user)


def can_assign(ticket: Ticket, user: Any) -> bool:
    """An agent of the service may (re)assign a ticket not yet waiting on the requester.

    Whom it may be assigned to is `can_assign_to`.
    """
    return _allowed("assign", ticket, user)


def can_assign_to(ticket: Ticket, user: Any, agent: Any) -> bool:
    """The assignee is a member of the ticket's service; a plain agent assigns to agents only
    (including themselves), the head and superusers to any member, heads included."""
    if not can_assign(ticket, user) or not _is_person(agent):
        return False
    role = (
        ServiceMembership.objects.filter(service_id=ticket.service_id, user=agent)
        .values_list("role", flat=True)
        .first()
    )
    if role is None:
        return False
    if _leads(ticket, user) or agent.pk == user.pk:
        return True
    return role == ServiceMembership.Role.AGENT


def can_be_auto_assigned(ticket: Ticket, agent: Any) -> bool:
    """The helpdesk itself assigns a new ticket only to an available member of its service, and
    only while nobody has taken it."""
    return (
        ticket.status in Ticket.UNTAKEN_STATUSES
        and _is_person(agent)
        and ServiceMembership.objects.filter(
            service_id=ticket.service_id, user=agent, is_available=True
        ).exists()
    )


def can_release(ticket: Ticket, user: Any) -> bool:
    """The assigned agent (or the head) puts the ticket back in the queue."""
    return _allowed("release", ticket, user)


def can_request_info(ticket: Ticket, user: Any) -> bool:
    """The assigned agent (or the head) asks the requester a question."""
    return _allowed("request_info", ticket, user)


def can_request_closure(ticket: Ticket, user: Any) -> bool:
    """The assigned agent (or the head) proposes a resolution for the requester to approve."""
    return _allowed("request_closure", ticket, user)


def can_receive_info(ticket: Ticket, user: Any) -> bool:
    """The requester's public message answers the service's question."""
    return _allowed("receive_info", ticket, user)


def can_approve_closure(ticket: Ticket, user: Any) -> bool:
    """Only the requester approves the closure."""
    return _allowed("approve_closure", ticket, user)


def can_refuse_closure(ticket: Ticket, user: Any) -> bool:
    """Only the requester refuses the closure (with a reason)."""
    return _allowed("refuse_closure", ticket, user)


def can_mark_solved(ticket: Ticket, user: Any) -> bool:
    """The requester says the problem is solved before the service closes it."""
    return _allowed("mark_solved", ticket, user)


def reopen_deadline(ticket: Ticket) -> datetime | None:
    """Until when the requester may reopen the closed ticket (None if it is not closed)."""
    if ticket.status != Status.CLOSED or ticket.closed_at is None:
        return None
    return ticket.closed_at + timedelta(days=ticket.service.reopen_window_days)


def can_reopen(ticket: Ticket, user: Any, now: datetime | None = None) -> bool:
    """An agent of the service reopens a closed ticket at any time; the requester only within
    the service's reopen window after the closure."""
    if not _allowed("reopen", ticket, user):
        return False
    if _acts_as_agent(ticket, user):
        return True
    deadline = reopen_deadline(ticket)
    return deadline is not None and (now or timezone.now()) <= deadline


def can_cancel(ticket: Ticket, user: Any) -> bool:
    """The requester withdraws a ticket nobody has taken yet."""
    return _allowed("cancel", ticket, user)


def can_reject(ticket: Ticket, user: Any) -> bool:
    """An agent of the service refuses a request it will not handle (with a reason)."""
    return _allowed("reject", ticket, user)


def can_transfer(ticket: Ticket, user: Any) -> bool:
    """An agent of the service sends an active ticket to another category (maybe another
    service)."""
    return _allowed("transfer", ticket, user)


def can_change_priority(ticket: Ticket, user: Any) -> bool:
    """An agent of the service changes the priority of an active ticket."""
    return _allowed("change_priority", ticket, user)


_PREDICATES: dict[str, Callable[[Ticket, Any], bool]] = {
    "take": can_take,
    "assign": can_assign,
    "release": can_release,
    "request_info": can_request_info,
    "request_closure": can_request_closure,
    "approve_closure": can_approve_closure,
    "refuse_closure": can_refuse_closure,
    "mark_solved": can_mark_solved,
    "reopen": can_reopen,
    "cancel": can_cancel,
    "reject": can_reject,
    "transfer": can_transfer,
    "change_priority": can_change_priority,
    "comment": can_comment,
    "internal_note": can_add_internal_note,
    "attach": can_add_attachment,
}


# The names `available_actions` can return: workflow function names plus three writes.
ACTIONS: tuple[str, ...] = tuple(_PREDICATES)


def can(move: str, ticket: Ticket, user: Any) -> bool:
    """`can_<move>` by name (names as in `available_actions`)."""
    return _PREDICATES[move](ticket, user)


def available_actions(ticket: Ticket, user: Any) -> set[str]:
    """The moves and writes this person may make on this ticket now, for buttons and forms."""
    return {name for name, predicate in _PREDICATES.items() if predicate(ticket, user)}
