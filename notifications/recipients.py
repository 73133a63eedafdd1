"""Who hears about what happens to a ticket.

Each move's notification rules are declared with the move in `tickets.moves` (`MoveRule.notify`);
`MATRIX` below is those rules as one table (also printed in README.md, "Notifications"). Each rule
says: when a TicketEvent with this action happens, possibly only when a given side acted, this
audience gets this kind of email (the kind is the template name under templates/emails/).

Three filters apply to every rule, whatever the table says:

* nobody is emailed about their own action (except the acknowledgement of a new ticket, which is
  the requester's receipt of their own request);
* nobody receives an email about a ticket they may not see (`tickets.permissions.can_view`);
* an internal event (an internal note, a transfer and its note) reaches only people who may read
  internal events (`can_view_internal`) - never the requester. The one exception is marked
  `redacted`: the requester is told that their ticket changed service (which their ticket page
  shows anyway), and the email never contains the event's text (emails.py blanks it).

A requester's comment on a ticket waiting for information is their answer: `tickets.services`
records the comment and then the `receive_info` move, and only the latter is emailed (once).

Actions with no rule (internal notes, release, priority changes) send nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings

from tickets.moves import MOVES, ActedBy, Audience, Move, Role

if TYPE_CHECKING:
    from accounts.models import User
    from tickets.models import Ticket, TicketEvent


@dataclass(frozen=True)
class Rule:
    action: Move
    audience: Audience
    kind: str
    acted_by: ActedBy = ActedBy.ANYONE
    include_actor: bool = False
    redacted: bool = False


MATRIX: tuple[Rule, ...] = tuple(
    Rule(
        action=move,
        audience=notify.audience,
        kind=notify.email,
        acted_by=notify.acted_by,
        include_actor=notify.include_actor,
        redacted=notify.redacted,
    )
    for move, rule in MOVES.items()
    for notify in rule.notify
)

# Actions that email nobody, listed so that the table is complete.
SILENT_ACTIONS: tuple[Move, ...] = tuple(move for move, rule in MOVES.items() if not rule.notify)


@dataclass(frozen=True)
class Delivery:
    """One email to send: to a person (user set) or to a bare address (a service's alert list)."""

    email: str
    kind: str
    language: str
    user: User | None = None


def rules_for(action: str) -> list[Rule]:
    """The rows of the matrix for one action, in the table's order."""
    return [rule for rule in MATRIX if rule.action == action]


def recipients_for(event: TicketEvent) -> list[Delivery]:
    """Everyone who should hear of the event, at most once per address, filters applied."""
    from tickets import permissions

    ticket = event.ticket
    actor_id = event.actor_id
    by_requester = actor_id is not None and actor_id == ticket.requester_id
    deliveries: list[Delivery] = []
    seen: set[str] = set()
    if actor_id is not None and event.actor is not None:
        # The actor's address is never written to, whichever way it reaches the table.
        actor_email = event.actor.email.lower()
    else:
        actor_email = ""

    # A plain invitee's words are neither the requester's nor the service's.
    by_invitee = (
        actor_id is not None
        and not by_requester
        and event.actor is not None
        and permissions.HOLDS[Role.INVITEE](ticket, event.actor)
    )
    answering = (
        event.action == Move.COMMENT
        and by_requester
        and permissions.can_receive_info(ticket, event.actor)
    )
    for rule in rules_for(event.action):
        if rule.acted_by == ActedBy.REQUESTER and not by_requester:
            continue
        if rule.acted_by == ActedBy.SERVICE and (by_requester or by_invitee):
            continue
        if rule.acted_by == ActedBy.INVITEE and not by_invitee:
            continue
        if answering:
            continue  # the receive_info event that follows carries the answer
        if rule.audience == Audience.ALERT_EMAIL:
            address = (ticket.service.alert_email or "").strip()
            if (
                address
                and not event.is_internal
                # A mailing list is not among a confidential category's named agents.
                and ticket.category.confidential_scope_id is None
                and address.lower() not in seen
                and address.lower() != actor_email
            ):
                seen.add(address.lower())
                deliveries.append(
                    Delivery(email=address, kind=rule.kind, language=settings.LANGUAGE_CODE)
                )
            continue
        for user in _audience(rule.audience, ticket, event):
            if not user.is_active or not user.email:
                continue
            if user.pk == actor_id and not rule.include_actor:
                continue
            if user.email.lower() == actor_email and not rule.include_actor:
                continue
            if user.email.lower() in seen:
                continue
            if not permissions.can_view(ticket, user):
                continue
            if (
                event.is_internal
                and not rule.redacted
                and not permissions.can_view_internal(ticket, user)
            ):
                continue
            seen.add(user.email.lower())
            deliveries.append(
                Delivery(email=user.email, kind=rule.kind, language=user.language, user=user)
            )
    return deliveries


def _audience(audience: Audience, ticket: Ticket, event: TicketEvent) -> list[User]:
    if audience == Audience.REQUESTER:
        return [ticket.requester]
    if audience == Audience.ASSIGNEE:
        return [ticket.assignee] if ticket.assignee_id else []
    if audience == Audience.ASSIGNEE_OR_AGENTS:
        return [ticket.assignee] if ticket.assignee_id else service_agents(ticket.service_id)
    if audience == Audience.SERVICE_AGENTS:
        return service_agents(ticket.service_id)
    if audience == Audience.INVITEES:
        return invitees(ticket.pk)
    if audience == Audience.WATCHERS:
        return watchers(ticket.pk)
    if audience == Audience.INVITED:
        return [user for user in invitees(ticket.pk) if str(user.pk) == event.before]
    raise ValueError(audience)


def invitees(ticket_id: int) -> list[User]:
    """The people invited to a ticket, active ones, with their memberships loaded (an invited
    agent reads internal events, an invitee never does)."""
    from accounts.models import User
    from tickets import permissions

    people = list(
        User.objects.filter(ticket_invitations__ticket_id=ticket_id, is_active=True).order_by("pk")
    )
    permissions.load_service_roles(people)
    return people


def watchers(ticket_id: int) -> list[User]:
    """The agents following a ticket, active ones, with their memberships loaded."""
    from accounts.models import User
    from tickets import permissions

    people = list(
        User.objects.filter(watched_tickets__ticket_id=ticket_id, is_active=True).order_by("pk")
    )
    permissions.load_service_roles(people)
    return people


def service_agents(service_id: int) -> list[User]:
    """The agents and the head of a service, active people only, in a stable order, with their
    memberships loaded in one query for the permission checks that follow."""
    from accounts.models import User
    from tickets import permissions

    agents = list(
        User.objects.filter(service_memberships__service_id=service_id, is_active=True).order_by(
            "pk"
        )
    )
    permissions.load_service_roles(agents)
    return agents


def matrix_as_markdown() -> str:
    """The table as README.md shows it, so the documentation is generated from the code."""
    lines = [
        "| Event (TicketEvent.action) | When done by | Who receives it | Email (template) |",
        "|---|---|---|---|",
    ]
    for rule in MATRIX:
        who = rule.audience.value
        if rule.include_actor:
            who += " (even though they acted)"
        if rule.redacted:
            who += " (without the internal note)"
        lines.append(f"| `{rule.action.value}` | {rule.acted_by.value} | {who} | `{rule.kind}` |")
    for action in SILENT_ACTIONS:
        lines.append(f"| `{action.value}` | anyone | nobody | - |")
    return "\n".join(lines)
