"""One move on several tickets at once, from a queue.

Each ticket goes through its own `tickets.workflow` move, in its own transaction: the same
permission check, row lock, timeline event and emails as on the ticket page. A refusal stops
nothing but its own ticket; the caller gets one result per ticket to show the agent.
Tickets outside the agent's services are refused without being read further (a queue never
lists them; an id typed by hand must not move them nor confirm they exist).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from tickets import workflow
from tickets.exceptions import TransitionRefused
from tickets.models import Ticket
from tickets.moves import Move
from tickets.selectors import queues

# The moves a queue offers on its selection, in the order of its toolbar.
BULK_MOVES: tuple[Move, ...] = (
    Move.TAKE,
    Move.ASSIGN,
    Move.CHANGE_PRIORITY,
    Move.TRANSFER,
    Move.RELEASE,
)
# One page of a queue, and some: a larger batch holds the request (and the row locks, one after
# the other) for too long.
BULK_LIMIT = 50


class BatchTooLarge(ValueError):
    """More tickets than `BULK_LIMIT` in one batch."""


@dataclass(frozen=True)
class BulkResult:
    """What became of one ticket of the batch; `message` is translated, fit to show."""

    ticket_id: int
    reference: str
    done: bool
    message: str

    def as_dict(self) -> dict[str, Any]:
        """For the session, between the POST and the queue page that shows the results."""
        return {
            "ticket_id": self.ticket_id,
            "reference": self.reference,
            "done": self.done,
            "message": self.message,
        }


def _perform(move: Move, ticket: Ticket, actor: Any, args: dict[str, Any]) -> str:
    if move == Move.TAKE:
        workflow.take(ticket=ticket, actor=actor)
        return _("Taken.")
    if move == Move.ASSIGN:
        agent = args["agent"]
        workflow.assign(ticket=ticket, actor=actor, agent=agent)
        return _("Assigned to %(name)s.") % {"name": agent.display_name}
    if move == Move.CHANGE_PRIORITY:
        priority = Ticket.Priority(int(args["priority"]))
        workflow.change_priority(ticket=ticket, actor=actor, priority=priority)
        return _("Priority: %(priority)s.") % {"priority": priority.label}
    if move == Move.TRANSFER:
        category = args["category"]
        workflow.transfer(ticket=ticket, actor=actor, category=category, note=args.get("note", ""))
        return _("Transferred to %(category)s.") % {"category": category.name}
    if move == Move.RELEASE:
        workflow.release(ticket=ticket, actor=actor)
        return _("Back in the queue.")
    raise ValueError(f"{move} is not a bulk move")


def apply_bulk(actor: Any, move: Move, ticket_ids: list[int], **args: Any) -> list[BulkResult]:
    """Makes `move` on each ticket (args: `agent` to assign, `priority`, `category` and `note` to
    transfer) and says, ticket by ticket in the given order, whether it was done or why not."""
    move = Move(move)
    if move not in BULK_MOVES:
        raise ValueError(f"{move} is not a bulk move")
    return apply_each(actor, ticket_ids, lambda ticket: _perform(move, ticket, actor, args))


def apply_each(
    actor: Any, ticket_ids: list[int], perform: Callable[[Ticket], str]
) -> list[BulkResult]:
    """Calls `perform` (one or more workflow moves, returning what to tell the agent) on each
    ticket of the agent's services, in the given order; a `TransitionRefused` becomes that
    ticket's refusal. Other apps' batches (an incident's links and closures) use it too."""
    ids = list(dict.fromkeys(int(pk) for pk in ticket_ids))
    if len(ids) > BULK_LIMIT:
        raise BatchTooLarge(f"{len(ids)} tickets, at most {BULK_LIMIT}")
    # Each move locks and reads its ticket again: this only tells which ones the agent may touch.
    tickets = {ticket.pk: ticket for ticket in queues.desk_tickets(actor).filter(pk__in=ids)}
    results = []
    for pk in ids:
        ticket = tickets.get(pk)
        reference = Ticket(pk=pk).reference
        if ticket is None:
            message = _("This ticket is not in your services.")
            results.append(BulkResult(pk, reference, False, message))
            continue
        try:
            message = perform(ticket)
        except TransitionRefused as refusal:
            results.append(BulkResult(pk, reference, False, str(refusal.message)))
        else:
            results.append(BulkResult(pk, reference, True, message))
    return results
