"""The lifecycle, declared once: every move on a ticket and everything the rest of the code knows
about it.

`MOVES` is the one table. Each row says which statuses a move starts from and where it ends, who
may make it, which django-fsm transition of `Ticket` makes it, how the timeline tells it, who hears
of it by email, how the statistics count it, whether it needs a text and whether it answers the
requester. The model's transitions take their sources and targets from it (a test proves the FSM
graph is this table), and `tickets.permissions`, `tickets.events.describe`,
`notifications.recipients`, `tickets.selectors.stats` and the pages' menus read it.

Adding a move is one row here, one function in `tickets.workflow` (and, if it changes the status,
one pure transition on `Ticket`), and its templates.

The stored `TicketEvent.action` of a move is its value: changing a value needs a data migration.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from tickets.statuses import ACTIVE, Status


class Move(models.TextChoices):
    """Every change to a ticket, by its one name in code, URLs, templates and the timeline."""

    CREATED = "created", _("File a ticket")
    TAKE = "take", _("Take charge")
    ASSIGN = "assign", _("Assign")
    REQUEST_INFO = "request_info", _("Request information")
    COMMENT = "comment", _("Add a comment")
    INTERNAL_NOTE = "internal_note", _("Add an internal note")
    RECEIVE_INFO = "receive_info", _("Answer")
    ATTACHMENT = "attachment", _("Add an attachment")
    RELEASE = "release", _("Release")
    REQUEST_CLOSURE = "request_closure", _("Request closure")
    REFUSE_CLOSURE = "refuse_closure", _("Refuse the closure")
    APPROVE_CLOSURE = "approve_closure", _("Approve the closure")
    EXPIRE_CLOSURE = "expire_closure", _("Close automatically")
    MARK_SOLVED = "mark_solved", _("My problem is solved")
    REOPEN = "reopen", _("Reopen")
    TRANSFER = "transfer", _("Transfer")
    REJECT = "reject", _("Reject")
    CANCEL = "cancel", _("Cancel the ticket")
    CHANGE_PRIORITY = "change_priority", _("Change the priority")


class Kind(models.TextChoices):
    """The kind of timeline event a move writes (`TicketEvent.kind`)."""

    CREATED = "created", _("Created")
    COMMENT = "comment", _("Comment")
    STATUS_CHANGED = "status_changed", _("Status changed")
    ASSIGNED = "assigned", _("Assigned")
    TRANSFERRED = "transferred", _("Transferred")
    ATTACHMENT = "attachment", _("Attachment added")
    PRIORITY_CHANGED = "priority_changed", _("Priority changed")


class Role(StrEnum):
    """Who someone is for one ticket (`tickets.permissions` decides it for a person)."""

    REQUESTER = "requester"
    # Any agent of the ticket's service; a head is an agent of their service too.
    SERVICE_AGENT = "service agent"
    # The agent the ticket is assigned to; any agent of the service while nobody is.
    ASSIGNED_AGENT = "assigned agent"
    HEAD = "head"
    SUPERUSER = "superuser"
    # The helpdesk itself (expiry, automatic assignment): never a person's permission.
    SYSTEM = "system"


class Stat(StrEnum):
    """How the statistics count a move (`tickets.selectors.stats.figures`)."""

    NONE = "none"
    CLOSING = "closing"  # the ticket is closed as solved
    ENDING = "ending"  # the ticket ends without being solved
    REOPENING = "reopening"


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
class Notify:
    """One email a move sends: this audience gets the email `email` (templates/emails/<email>.*),
    maybe only when a given side acted. `include_actor` lets the actor receive it (a requester's
    receipt of their own ticket); `redacted` lets the requester hear of an internal event without
    its text. `notifications.recipients` applies the filters every email goes through."""

    audience: Audience
    email: str
    acted_by: ActedBy = ActedBy.ANYONE
    include_actor: bool = False
    redacted: bool = False


@dataclass(frozen=True)
class MoveRule:
    """What one move is. `target` None: the status does not change (a write such as a comment)."""

    sources: frozenset[Status]
    target: Status | None
    by: frozenset[Role]
    kind: Kind
    # "%(actor)s took the ticket"; may also name %(before)s, %(after)s (raw values, priority
    # labels for a priority change), %(before_status)s and %(after_status)s.
    timeline: Promise
    # The sentence when the helpdesk acted by itself (no actor).
    timeline_automatic: Promise | None = None
    # The pure transition on `Ticket` that makes it (django-fsm), for moves that change status.
    transition: str | None = None
    notify: tuple[Notify, ...] = ()
    stat: Stat = Stat.NONE
    # What the person is told when the move's text (question, reason, resolution) is missing.
    text_required: Promise | None = None
    # A public message from the service that counts as its first response to the requester.
    first_response: bool = False
    # A person chooses it on a ticket's page (False: it follows from another move, the helpdesk
    # makes it, or it has no ticket yet).
    offered: bool = True

    @property
    def needs_text(self) -> bool:
        return self.text_required is not None


S, R, A, W = Status, Role, Audience, ActedBy

ALL_STATUSES = frozenset(Status)
ACTIVE_STATUSES = frozenset(ACTIVE)
NOT_YET_WAITING = frozenset({S.OPEN, S.REOPENED, S.IN_PROGRESS, S.INFO_REQUESTED})
PARTIES = frozenset({R.REQUESTER, R.SERVICE_AGENT, R.SUPERUSER})
AGENTS = frozenset({R.SERVICE_AGENT, R.SUPERUSER})
HANDLERS = frozenset({R.ASSIGNED_AGENT, R.HEAD, R.SUPERUSER})
REQUESTER = frozenset({R.REQUESTER})

# The order of the rows is the order of README.md's "Who hears what" table.
MOVES: dict[Move, MoveRule] = {
    Move.CREATED: MoveRule(
        sources=frozenset(),
        target=None,
        by=REQUESTER,
        kind=Kind.CREATED,
        timeline=_("%(actor)s filed the ticket"),
        notify=(
            # The requester's receipt, the service's agents, the service's alert address.
            Notify(A.REQUESTER, "ticket_created", include_actor=True),
            Notify(A.SERVICE_AGENTS, "new_ticket"),
            Notify(A.ALERT_EMAIL, "new_ticket"),
        ),
        offered=False,
    ),
    Move.TAKE: MoveRule(
        sources=frozenset({S.OPEN, S.REOPENED}),
        target=S.IN_PROGRESS,
        by=AGENTS,
        kind=Kind.ASSIGNED,
        timeline=_("%(actor)s took the ticket"),
        transition="take",
        notify=(Notify(A.REQUESTER, "ticket_taken"),),
    ),
    Move.ASSIGN: MoveRule(
        sources=frozenset({S.OPEN, S.REOPENED, S.IN_PROGRESS}),
        target=S.IN_PROGRESS,
        by=AGENTS | {R.SYSTEM},
        kind=Kind.ASSIGNED,
        timeline=_("%(actor)s assigned the ticket to %(after)s"),
        timeline_automatic=_("The ticket was assigned automatically to %(after)s"),
        transition="assign",
        notify=(Notify(A.ASSIGNEE, "ticket_assigned"),),
    ),
    Move.REQUEST_INFO: MoveRule(
        sources=frozenset({S.IN_PROGRESS}),
        target=S.INFO_REQUESTED,
        by=HANDLERS,
        kind=Kind.STATUS_CHANGED,
        timeline=_("%(actor)s asked for information"),
        transition="request_info",
        notify=(Notify(A.REQUESTER, "info_requested"),),
        text_required=_("Please write your question."),
        first_response=True,
    ),
    Move.COMMENT: MoveRule(
        sources=ACTIVE_STATUSES,
        target=None,
        by=PARTIES,
        kind=Kind.COMMENT,
        timeline=_("%(actor)s wrote a message"),
        notify=(
            Notify(A.REQUESTER, "agent_reply", acted_by=W.SERVICE),
            Notify(A.ASSIGNEE_OR_AGENTS, "requester_comment", acted_by=W.REQUESTER),
        ),
        text_required=_("Please write a message."),
        first_response=True,
    ),
    Move.INTERNAL_NOTE: MoveRule(
        sources=ALL_STATUSES,
        target=None,
        by=AGENTS,
        kind=Kind.COMMENT,
        timeline=_("%(actor)s added an internal note"),
        text_required=_("Please write a message."),
    ),
    Move.RECEIVE_INFO: MoveRule(
        sources=frozenset({S.INFO_REQUESTED}),
        target=S.IN_PROGRESS,
        by=REQUESTER,
        kind=Kind.STATUS_CHANGED,
        timeline=_("%(actor)s answered the question"),
        transition="receive_info",
        notify=(Notify(A.ASSIGNEE_OR_AGENTS, "requester_answer"),),
        # The requester answers with a comment (`services.comment_add`).
        offered=False,
    ),
    Move.ATTACHMENT: MoveRule(
        sources=ACTIVE_STATUSES,
        target=None,
        by=PARTIES,
        kind=Kind.ATTACHMENT,
        timeline=_("%(actor)s added the file %(after)s"),
        notify=(Notify(A.ASSIGNEE_OR_AGENTS, "attachment_added", acted_by=W.REQUESTER),),
    ),
    Move.RELEASE: MoveRule(
        sources=frozenset({S.IN_PROGRESS}),
        target=S.OPEN,
        by=HANDLERS,
        kind=Kind.ASSIGNED,
        timeline=_("%(actor)s put the ticket back in the queue"),
        transition="release",
    ),
    Move.REQUEST_CLOSURE: MoveRule(
        sources=frozenset({S.IN_PROGRESS, S.INFO_REQUESTED}),
        target=S.CLOSURE_PENDING,
        by=HANDLERS,
        kind=Kind.STATUS_CHANGED,
        timeline=_("%(actor)s requested the closure of the ticket"),
        transition="request_closure",
        notify=(Notify(A.REQUESTER, "closure_requested"),),
        text_required=_("Please describe the resolution."),
        first_response=True,
    ),
    Move.REFUSE_CLOSURE: MoveRule(
        sources=frozenset({S.CLOSURE_PENDING}),
        target=S.IN_PROGRESS,
        by=REQUESTER,
        kind=Kind.STATUS_CHANGED,
        timeline=_("%(actor)s refused the closure"),
        transition="refuse_closure",
        notify=(Notify(A.ASSIGNEE_OR_AGENTS, "closure_refused"),),
        text_required=_("Please explain why the problem is not solved."),
    ),
    Move.APPROVE_CLOSURE: MoveRule(
        sources=frozenset({S.CLOSURE_PENDING}),
        target=S.CLOSED,
        by=REQUESTER,
        kind=Kind.STATUS_CHANGED,
        timeline=_("%(actor)s approved the closure"),
        transition="approve_closure",
        notify=(
            Notify(A.REQUESTER, "ticket_closed"),
            Notify(A.ASSIGNEE, "closure_approved"),
        ),
        stat=Stat.CLOSING,
    ),
    Move.EXPIRE_CLOSURE: MoveRule(
        sources=frozenset({S.CLOSURE_PENDING}),
        target=S.CLOSED,
        by=frozenset({R.SYSTEM}),
        kind=Kind.STATUS_CHANGED,
        timeline=_("The ticket was closed automatically: the closure was not answered in time"),
        transition="expire_closure",
        notify=(Notify(A.REQUESTER, "ticket_closed"),),
        stat=Stat.CLOSING,
        offered=False,
    ),
    Move.MARK_SOLVED: MoveRule(
        sources=NOT_YET_WAITING,
        target=S.CLOSED,
        by=REQUESTER,
        kind=Kind.STATUS_CHANGED,
        timeline=_("%(actor)s said the problem is solved"),
        transition="mark_solved",
        notify=(Notify(A.REQUESTER, "ticket_closed", acted_by=W.SERVICE),),
        stat=Stat.CLOSING,
    ),
    Move.REOPEN: MoveRule(
        sources=frozenset({S.CLOSED}),
        target=S.REOPENED,
        # The requester only within the service's reopen window (`permissions.can_reopen`).
        by=PARTIES,
        kind=Kind.STATUS_CHANGED,
        timeline=_("%(actor)s reopened the ticket"),
        transition="reopen",
        notify=(
            Notify(A.REQUESTER, "ticket_reopened", acted_by=W.SERVICE),
            Notify(A.SERVICE_AGENTS, "agent_ticket_reopened"),
        ),
        stat=Stat.REOPENING,
        text_required=_("Please explain why the ticket is reopened."),
    ),
    Move.TRANSFER: MoveRule(
        sources=ACTIVE_STATUSES,
        target=S.OPEN,
        by=AGENTS,
        kind=Kind.TRANSFERRED,
        timeline=_("%(actor)s transferred the ticket from %(before)s to %(after)s"),
        transition="transfer",
        notify=(
            # After a transfer the ticket's service is the new one: its agents hear of it.
            Notify(A.REQUESTER, "ticket_transferred", redacted=True),
            Notify(A.SERVICE_AGENTS, "ticket_transferred_in"),
        ),
    ),
    Move.REJECT: MoveRule(
        sources=NOT_YET_WAITING,
        target=S.REJECTED,
        by=AGENTS,
        kind=Kind.STATUS_CHANGED,
        timeline=_("%(actor)s rejected the ticket"),
        transition="reject",
        notify=(Notify(A.REQUESTER, "ticket_rejected"),),
        stat=Stat.ENDING,
        text_required=_("Please give the reason for the rejection."),
        first_response=True,
    ),
    Move.CANCEL: MoveRule(
        sources=frozenset({S.OPEN}),
        target=S.CANCELLED,
        by=REQUESTER,
        kind=Kind.STATUS_CHANGED,
        timeline=_("%(actor)s cancelled the ticket"),
        transition="cancel",
        notify=(Notify(A.REQUESTER, "ticket_cancelled", acted_by=W.SERVICE),),
        stat=Stat.ENDING,
    ),
    Move.CHANGE_PRIORITY: MoveRule(
        sources=ACTIVE_STATUSES,
        target=None,
        by=AGENTS,
        kind=Kind.PRIORITY_CHANGED,
        timeline=_("%(actor)s changed the priority from %(before)s to %(after)s"),
    ),
}

# Moves a person chooses on a ticket's page, in the table's order.
OFFERED: tuple[Move, ...] = tuple(move for move, rule in MOVES.items() if rule.offered)
# Public messages from the service that count as its first response.
FIRST_RESPONSES = frozenset(move for move, rule in MOVES.items() if rule.first_response)


def counted_as(stat: Stat) -> tuple[Move, ...]:
    """The moves the statistics count as `stat` (closing, ending, reopening)."""
    return tuple(move for move, rule in MOVES.items() if rule.stat == stat)


def fsm_sources(move: Move) -> list[str]:
    """The move's sources for django-fsm's `@transition`, in the statuses' order."""
    sources = MOVES[move].sources
    return [status.value for status in Status if status in sources]


def fsm_target(move: Move) -> str:
    """The move's target for django-fsm's `@transition`."""
    target = MOVES[move].target
    if target is None:
        raise ValueError(f"{move} does not change the status")
    return target.value


def made_by(role: Role) -> tuple[Move, ...]:
    """The offered moves a role may make, in the table's order (a page's menu)."""
    return tuple(move for move in OFFERED if role in MOVES[move].by)
