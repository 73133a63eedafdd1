"""Who may do what on a ticket, read from the lifecycle's declaration (`tickets.moves`).

Every function is pure apart from reading the person's service memberships (one query per user
object, then cached on it): `(ticket, user) -> bool`. The same functions guard the moves in
`tickets.workflow`, filter lists in `tickets.selectors` and decide which buttons a page shows, so
a page never offers what the move would refuse.

`MOVES` says, for each move, the statuses it starts from and the roles that may make it; this
module decides which roles a person holds on a ticket (`HOLDS`):
- requester: the person who filed it;
- service agent: a member (agent or head) of the service currently handling it; a requester who
  is also an agent of that service is treated as an agent for agent moves;
- assigned agent: the agent the ticket is assigned to (any agent of the service while nobody is);
- head: a member of that service with the head role;
- superuser: may do every agent move on every ticket (never the requester's moves);
- system: the helpdesk itself, never a person (its moves check their own conditions);
- invitee: someone invited to follow the ticket (`Invitation`) who is neither its requester, nor
  an agent of any service, nor a superuser: sees and writes its public part;
- invited agent: an agent of another service invited for advice: also reads and writes its
  internal notes (the ticket stays out of their queues, which list their services' tickets);
- watcher: an agent of the service following the ticket (`Watcher`).

`may_act` answers "who" alone and `state_allows` "when" alone, so the workflow can tell "you may
not do this" (403) from "not now" (409). A few rules are neither a role nor a status and live
here: the requester's reopen window (`can_reopen`) and whom a ticket may be assigned to.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from categories import selectors as category_selectors
from categories.models import ServiceMembership
from tickets.models import Invitation, Ticket, Watcher
from tickets.moves import MOVES, OFFERED, Move, Role

if TYPE_CHECKING:
    from categories.models import Service

Status = Ticket.Status

_ROLES_CACHE_ATTR = "_helpdesk_service_roles"


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


# --- The agents' workspace -------------------------------------------------------------------


def can_use_desk(user: Any) -> bool:
    """Agents, service heads and superusers use the workspace (the desk, its queues and their
    exports); requesters do not."""
    if not user.is_authenticated:
        return False
    return user.is_superuser or bool(agent_service_ids(user))


def can_read_stats(user: Any) -> bool:
    """Agents, heads and superusers read statistics; requesters do not (they get a 404)."""
    return bool(
        user.is_authenticated and user.is_active and (user.is_superuser or agent_service_ids(user))
    )


# --- Roles on one ticket ---------------------------------------------------------------------


def _is_requester(ticket: Ticket, user: Any) -> bool:
    return _is_person(user) and ticket.requester_id == user.pk


def _is_superuser(user: Any) -> bool:
    return _is_person(user) and user.is_superuser


def _acts_as_agent(ticket: Ticket, user: Any) -> bool:
    return _is_superuser(user) or _is_service_agent(ticket, user)


_NAMED_CACHE_ATTR = "_helpdesk_confidential_named"


def sees_if_confidential(ticket: Ticket, user: Any) -> bool:
    """A ticket of a confidential category is, among its service's agents, for those named for
    the category alone (`Category.confidential_scope`); any other ticket for all of them.

    Reads the ticket's category (joined by the pages' selectors), and for a confidential one
    whether the person is named, once per category and user object.
    """
    scope_id = ticket.category.confidential_scope_id if ticket.category_id else None
    if scope_id is None:
        return True
    named = user.__dict__.setdefault(_NAMED_CACHE_ATTR, {})
    if scope_id not in named:
        named[scope_id] = category_selectors.named_for_confidential(scope_id, user)
    return named[scope_id]


def _is_service_agent(ticket: Ticket, user: Any) -> bool:
    """A member of the ticket's service who may see it (confidential categories: if named)."""
    return is_agent_of(user, ticket.service_id) and sees_if_confidential(ticket, user)


def leads(ticket: Ticket, user: Any) -> bool:
    """Head of the ticket's service, or superuser: may act on any ticket of the service and
    assign it to any member, heads included."""
    return _is_superuser(user) or is_head_of(user, ticket.service_id)


def _is_assigned_agent(ticket: Ticket, user: Any) -> bool:
    """The assigned agent (still in the service); any agent of the service while nobody is
    assigned (new, reopened, or its agent's account was removed): they would not step on a
    colleague's work."""
    return _is_service_agent(ticket, user) and ticket.assignee_id in (None, user.pk)


def _is_head(ticket: Ticket, user: Any) -> bool:
    return is_head_of(user, ticket.service_id) and sees_if_confidential(ticket, user)


def _is_system(ticket: Ticket, user: Any) -> bool:
    # The helpdesk's own moves (expiry, automatic assignment) check their own conditions.
    return False


_INVITED_CACHE_ATTR = "_helpdesk_invited_ids"
_WATCHERS_CACHE_ATTR = "_helpdesk_watcher_ids"


def invited_ids(ticket: Ticket) -> set[int]:
    """The ids of the people invited to the ticket: one query, then cached on the ticket object
    (the workflow reads a fresh object for each move)."""
    ids = getattr(ticket, _INVITED_CACHE_ATTR, None)
    if ids is None:
        ids = set(Invitation.objects.filter(ticket_id=ticket.pk).values_list("user_id", flat=True))
        setattr(ticket, _INVITED_CACHE_ATTR, ids)
    return ids


def watcher_ids(ticket: Ticket) -> set[int]:
    """The ids of the agents following the ticket, cached on the ticket object like
    `invited_ids`."""
    ids = getattr(ticket, _WATCHERS_CACHE_ATTR, None)
    if ids is None:
        ids = set(Watcher.objects.filter(ticket_id=ticket.pk).values_list("agent_id", flat=True))
        setattr(ticket, _WATCHERS_CACHE_ATTR, ids)
    return ids


def remember_people(
    ticket: Ticket, *, invited: set[int] | None = None, watchers: set[int] | None = None
) -> None:
    """Caches the invitees' (or watchers') ids a page read anyway, so the checks cost no query."""
    if invited is not None:
        setattr(ticket, _INVITED_CACHE_ATTR, invited)
    if watchers is not None:
        setattr(ticket, _WATCHERS_CACHE_ATTR, watchers)


def forget_people(ticket: Ticket) -> None:
    """Drops the cached invitees and watchers, for code that changes them and reads them again."""
    for attr in (_INVITED_CACHE_ATTR, _WATCHERS_CACHE_ATTR):
        if hasattr(ticket, attr):
            delattr(ticket, attr)


def _is_invited(ticket: Ticket, user: Any) -> bool:
    """Invited, and no other role gives them more: the requester and the service's agents (and
    superusers) never ask the invitations, so their pages cost no query for it."""
    if not _is_person(user) or _is_requester(ticket, user) or _acts_as_agent(ticket, user):
        return False
    return user.pk in invited_ids(ticket)


def _is_invitee(ticket: Ticket, user: Any) -> bool:
    return _is_invited(ticket, user) and not agent_service_ids(user)


def _is_invited_agent(ticket: Ticket, user: Any) -> bool:
    return _is_invited(ticket, user) and bool(agent_service_ids(user))


def _is_watcher(ticket: Ticket, user: Any) -> bool:
    return _acts_as_agent(ticket, user) and user.pk in watcher_ids(ticket)


Who = Callable[[Ticket, Any], bool]

# Whether a person holds each role of `tickets.moves` on a ticket.
HOLDS: dict[Role, Who] = {
    Role.REQUESTER: _is_requester,
    Role.SERVICE_AGENT: _is_service_agent,
    Role.ASSIGNED_AGENT: _is_assigned_agent,
    Role.HEAD: _is_head,
    Role.SUPERUSER: lambda ticket, user: _is_superuser(user),
    Role.SYSTEM: _is_system,
    Role.INVITEE: _is_invitee,
    Role.INVITED_AGENT: _is_invited_agent,
    Role.WATCHER: _is_watcher,
}


# --- The rules -------------------------------------------------------------------------------


def may_act(move: Move | str, ticket: Ticket, user: Any) -> bool:
    """The person holds a role that may make this move on this ticket, whatever its status."""
    return any(HOLDS[role](ticket, user) for role in MOVES[Move(move)].by)


def state_allows(move: Move | str, ticket: Ticket) -> bool:
    """The ticket's status allows the move, whoever asks."""
    return ticket.status in MOVES[Move(move)].sources


def _allowed(move: Move, ticket: Ticket, user: Any) -> bool:
    return state_allows(move, ticket) and may_act(move, ticket, user)


# --- Public predicates -----------------------------------------------------------------------


def can_view(ticket: Ticket, user: Any) -> bool:
    """The requester, the agents of the ticket's current service, superusers and the people
    invited to it see a ticket."""
    return _is_requester(ticket, user) or _acts_as_agent(ticket, user) or _is_invited(ticket, user)


def can_view_internal(ticket: Ticket, user: Any) -> bool:
    """Internal notes, transfer notes and internal attachments are for the service's agents and
    the agents of other services invited for advice; never for an invitee."""
    return _acts_as_agent(ticket, user) or _is_invited_agent(ticket, user)


def is_watching(ticket: Ticket, user: Any) -> bool:
    """The person follows the ticket as an agent of its service."""
    return _is_watcher(ticket, user)


def can_invite(ticket: Ticket, user: Any) -> bool:
    """The requester or an agent of the service invites someone while the ticket is active."""
    return _allowed(Move.INVITE, ticket, user)


def can_leave(ticket: Ticket, user: Any) -> bool:
    """An invited person stops following the ticket, whatever its status."""
    return _allowed(Move.LEAVE, ticket, user)


def can_uninvite(ticket: Ticket, user: Any) -> bool:
    """The requester or an agent of the service removes someone invited, whatever the status."""
    return _allowed(Move.UNINVITE, ticket, user)


def can_watch(ticket: Ticket, user: Any) -> bool:
    """An agent of the service follows a ticket they do not follow yet."""
    return _allowed(Move.WATCH, ticket, user) and not _is_watcher(ticket, user)


def can_unwatch(ticket: Ticket, user: Any) -> bool:
    """An agent following the ticket stops."""
    return _allowed(Move.UNWATCH, ticket, user)


def can_comment(ticket: Ticket, user: Any) -> bool:
    """Requester and agents write public messages while the ticket is active."""
    return _allowed(Move.COMMENT, ticket, user)


def can_add_internal_note(ticket: Ticket, user: Any) -> bool:
    """Agents may add internal notes at any time, even on a closed ticket."""
    return _allowed(Move.INTERNAL_NOTE, ticket, user)


def can_add_attachment(ticket: Ticket, user: Any) -> bool:
    """Files are added by those who may comment, while the ticket is active."""
    return _allowed(Move.ATTACHMENT, ticket, user)


def can_take(ticket: Ticket, user: Any) -> bool:
    """An agent of the service takes a new or reopened ticket."""
    return _allowed(Move.TAKE, ticket, user)


def can_assign(ticket: Ticket, user: Any) -> bool:
    """An agent of the service may (re)assign a ticket not yet waiting on the requester.

    Whom it may be assigned to is `can_assign_to`.
    """
    return _allowed(Move.ASSIGN, ticket, user)


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
    if role is None or not sees_if_confidential(ticket, agent):
        return False
    if leads(ticket, user) or agent.pk == user.pk:
        return True
    return role == ServiceMembership.Role.AGENT


def can_be_auto_assigned(ticket: Ticket, agent: Any) -> bool:
    """The helpdesk itself assigns a new ticket only to an available member of its service who
    may see it, and only while nobody has taken it."""
    return (
        ticket.status in Ticket.UNTAKEN_STATUSES
        and _is_person(agent)
        and sees_if_confidential(ticket, agent)
        and ServiceMembership.objects.filter(
            service_id=ticket.service_id, user=agent, is_available=True
        ).exists()
    )


def can_release(ticket: Ticket, user: Any) -> bool:
    """The assigned agent (or the head) puts the ticket back in the queue."""
    return _allowed(Move.RELEASE, ticket, user)


def can_request_info(ticket: Ticket, user: Any) -> bool:
    """The assigned agent (or the head) asks the requester a question."""
    return _allowed(Move.REQUEST_INFO, ticket, user)


def can_request_closure(ticket: Ticket, user: Any) -> bool:
    """The assigned agent (or the head) proposes a resolution for the requester to approve."""
    return _allowed(Move.REQUEST_CLOSURE, ticket, user)


def can_receive_info(ticket: Ticket, user: Any) -> bool:
    """The requester's public message answers the service's question."""
    return _allowed(Move.RECEIVE_INFO, ticket, user)


def can_approve_closure(ticket: Ticket, user: Any) -> bool:
    """Only the requester approves the closure."""
    return _allowed(Move.APPROVE_CLOSURE, ticket, user)


def can_refuse_closure(ticket: Ticket, user: Any) -> bool:
    """Only the requester refuses the closure (with a reason)."""
    return _allowed(Move.REFUSE_CLOSURE, ticket, user)


def can_mark_solved(ticket: Ticket, user: Any) -> bool:
    """The requester says the problem is solved before the service closes it."""
    return _allowed(Move.MARK_SOLVED, ticket, user)


def reopen_deadline(ticket: Ticket) -> datetime | None:
    """Until when the requester may reopen the closed ticket (None if it is not closed)."""
    if ticket.status != Status.CLOSED or ticket.closed_at is None:
        return None
    return ticket.closed_at + timedelta(days=ticket.service.reopen_window_days)


def can_reopen(ticket: Ticket, user: Any, now: datetime | None = None) -> bool:
    """An agent of the service reopens a closed ticket at any time; the requester only within
    the service's reopen window after the closure."""
    if not _allowed(Move.REOPEN, ticket, user):
        return False
    if _acts_as_agent(ticket, user):
        return True
    deadline = reopen_deadline(ticket)
    return deadline is not None and (now or timezone.now()) <= deadline


def can_cancel(ticket: Ticket, user: Any) -> bool:
    """The requester withdraws a ticket nobody has taken yet."""
    return _allowed(Move.CANCEL, ticket, user)


def can_reject(ticket: Ticket, user: Any) -> bool:
    """An agent of the service rejects a request it will not handle (with a reason)."""
    return _allowed(Move.REJECT, ticket, user)


def can_transfer(ticket: Ticket, user: Any) -> bool:
    """An agent of the service sends an active ticket to another category (maybe another
    service)."""
    return _allowed(Move.TRANSFER, ticket, user)


def can_change_priority(ticket: Ticket, user: Any) -> bool:
    """An agent of the service changes the priority of an active ticket."""
    return _allowed(Move.CHANGE_PRIORITY, ticket, user)


# Moves with a rule that is neither a role nor a status.
_SPECIAL: dict[Move, Who] = {Move.REOPEN: can_reopen, Move.WATCH: can_watch}


def can(move: Move | str, ticket: Ticket, user: Any) -> bool:
    """The person may make the move on this ticket now."""
    move = Move(move)
    special = _SPECIAL.get(move)
    return special(ticket, user) if special else _allowed(move, ticket, user)


def available_actions(ticket: Ticket, user: Any) -> set[Move]:
    """The moves this person may make on this ticket now, for buttons and forms."""
    return {move for move in OFFERED if can(move, ticket, user)}
