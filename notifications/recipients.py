"""Who hears about what happens to a ticket: the whole matrix, in one place.

`MATRIX` below is the table (also printed in README.md, "Notifications"). Each rule says: when a
TicketEvent with this action happens, possibly only when a given side acted, this audience gets
this kind of email (the kind is the template name under templates/emails/).

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
from enum import StrEnum
from typing import TYPE_CHECKING

from django.conf import settings

if TYPE_CHECKING:
    from accounts.models import User
    from tickets.models import Ticket, TicketEvent


class Audience(StrEnum):
    REQUESTER = "requester"
    SERVICE_AGENTS = "agents of the ticket's service"
    ASSIGNEE = "assigned agent"
    # The requester's own words must reach someone: the service's agents while nobody took it.
    ASSIGNEE_OR_AGENTS = "assigned agent (agents of the service while unassigned)"
    ALERT_EMAIL = "service's alert address"


class ActedBy(StrEnum):
    ANYONE = "anyone"
    REQUESTER = "the requester"
    SERVICE = "the service (not the requester)"


@dataclass(frozen=True)
class Rule:
    action: str
    audience: Audience
    kind: str
    acted_by: ActedBy = ActedBy.ANYONE
    include_actor: bool = False
    redacted: bool = False


A, W = Audience, ActedBy

MATRIX: tuple[Rule, ...] = (
    # A new ticket: the requester's receipt, the service's agents, the service's alert address.
    Rule("created", A.REQUESTER, "ticket_created", include_actor=True),
    Rule("created", A.SERVICE_AGENTS, "new_ticket"),
    Rule("created", A.ALERT_EMAIL, "new_ticket"),
    Rule("take", A.REQUESTER, "ticket_taken"),
    Rule("assign", A.ASSIGNEE, "ticket_assigned"),
    Rule("request_info", A.REQUESTER, "info_requested"),
    Rule("comment", A.REQUESTER, "agent_reply", acted_by=W.SERVICE),
    Rule("comment", A.ASSIGNEE_OR_AGENTS, "requester_comment", acted_by=W.REQUESTER),
    Rule("receive_info", A.ASSIGNEE_OR_AGENTS, "requester_answer"),
    Rule("attachment", A.ASSIGNEE_OR_AGENTS, "attachment_added", acted_by=W.REQUESTER),
    Rule("request_closure", A.REQUESTER, "closure_requested"),
    Rule("refuse_closure", A.ASSIGNEE_OR_AGENTS, "closure_refused"),
    Rule("approve_closure", A.REQUESTER, "ticket_closed"),
    Rule("approve_closure", A.ASSIGNEE, "closure_approved"),
    Rule("expire_closure", A.REQUESTER, "ticket_closed"),
    Rule("mark_solved", A.REQUESTER, "ticket_closed", acted_by=W.SERVICE),
    Rule("reopen", A.REQUESTER, "ticket_reopened", acted_by=W.SERVICE),
    Rule("reopen", A.SERVICE_AGENTS, "agent_ticket_reopened"),
    # After a transfer the ticket's service is the new one: its agents hear of it.
    Rule("transfer", A.REQUESTER, "ticket_transferred", redacted=True),
    Rule("transfer", A.SERVICE_AGENTS, "ticket_transferred_in"),
    Rule("reject", A.REQUESTER, "ticket_rejected"),
    Rule("cancel", A.REQUESTER, "ticket_cancelled", acted_by=W.SERVICE),
)

# Actions that email nobody, listed so that the table is complete.
SILENT_ACTIONS: tuple[str, ...] = ("internal_note", "release", "change_priority")


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

    answering = (
        event.action == "comment"
        and by_requester
        and permissions.can_receive_info(ticket, event.actor)
    )
    for rule in rules_for(event.action):
        if rule.acted_by == ActedBy.REQUESTER and not by_requester:
            continue
        if rule.acted_by == ActedBy.SERVICE and by_requester:
            continue
        if answering:
            continue  # the receive_info event that follows carries the answer
        if rule.audience == Audience.ALERT_EMAIL:
            address = (ticket.service.alert_email or "").strip()
            if (
                address
                and not event.is_internal
                and address.lower() not in seen
                and address.lower() != actor_email
            ):
                seen.add(address.lower())
                deliveries.append(
                    Delivery(email=address, kind=rule.kind, language=settings.LANGUAGE_CODE)
                )
            continue
        for user in _audience(rule.audience, ticket):
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


def _audience(audience: Audience, ticket: Ticket) -> list[User]:
    if audience == Audience.REQUESTER:
        return [ticket.requester]
    if audience == Audience.ASSIGNEE:
        return [ticket.assignee] if ticket.assignee_id else []
    if audience == Audience.ASSIGNEE_OR_AGENTS:
        return [ticket.assignee] if ticket.assignee_id else service_agents(ticket.service_id)
    if audience == Audience.SERVICE_AGENTS:
        return service_agents(ticket.service_id)
    raise ValueError(audience)


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
        lines.append(f"| `{rule.action}` | {rule.acted_by.value} | {who} | `{rule.kind}` |")
    for action in SILENT_ACTIONS:
        lines.append(f"| `{action}` | anyone | nobody | - |")
    return "\n".join(lines)
