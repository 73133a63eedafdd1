"""Checks that a written history is one the workflow could have made (generated tickets)."""

from __future__ import annotations

from django.db.models import QuerySet

from tickets.models import Ticket

# The service's public messages that count as its first response (tickets/events.py).
FIRST_RESPONSE_ACTIONS = frozenset({"comment", "request_info", "request_closure", "reject"})
MOVES_TO = {"created": "open", "take": "in_progress", "release": "open"}


def timeline_mismatches(tickets: QuerySet[Ticket]) -> list[tuple]:
    """(ticket id, what disagrees) for each ticket whose fields do not follow its events: status
    moves chained from "open" to the ticket's status, last activity at the last event, first
    response at the service's first public message, closure request and closure at their moves,
    nobody assigned to a new ticket."""
    from categories.models import ServiceMembership

    # Only the service's agents answer (tickets/events.py): an invitee's message, or the message
    # of a merged duplicate's requester, is not the service's first response.
    agents: dict[int, set[int]] = {}
    for service_id, user_id in ServiceMembership.objects.values_list("service_id", "user_id"):
        agents.setdefault(service_id, set()).add(user_id)
    mismatches: list[tuple] = []
    for ticket in tickets.prefetch_related("events"):
        events = list(ticket.events.all())
        status = None
        for event in events:
            if event.action in MOVES_TO:
                status = MOVES_TO[event.action]
            elif event.kind == "status_changed":
                if event.before != status:
                    mismatches.append((ticket.pk, event.action, event.before, status))
                status = event.after
        if status != ticket.status:
            mismatches.append((ticket.pk, "status", status, ticket.status))
        if ticket.updated_at != events[-1].created_at:
            mismatches.append((ticket.pk, "updated_at"))
        responses = [
            event.created_at
            for event in events
            if event.visibility == "public"
            and event.actor_id not in (None, ticket.requester_id)
            and event.actor_id in agents.get(ticket.service_id, set())
            and event.action in FIRST_RESPONSE_ACTIONS
        ]
        if ticket.first_response_at != (responses[0] if responses else None):
            mismatches.append((ticket.pk, "first_response_at"))
        if ticket.is_terminal != (ticket.closed_at is not None) or (
            ticket.is_terminal and ticket.closed_at != events[-1].created_at
        ):
            mismatches.append((ticket.pk, "closed_at"))
        if ticket.status == Ticket.Status.CLOSURE_PENDING:
            asked = [event.created_at for event in events if event.action == "request_closure"]
            if ticket.closure_requested_at != asked[-1]:
                mismatches.append((ticket.pk, "closure_requested_at"))
        if ticket.status in Ticket.UNTAKEN_STATUSES and ticket.assignee_id is not None:
            mismatches.append((ticket.pk, "assignee"))
    return mismatches
