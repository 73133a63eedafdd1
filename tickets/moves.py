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
    INVITE = "invite", _("Invite someone")
    LEAVE = "leave", _("Stop following this ticket")
    UNINVITE = "uninvite", _("Remove from the ticket")
    WATCH = "watch", _("Follow this ticket")
    UNWATCH = "unwatch", _("Stop following")
    POSTPONE = "postpone", _("Postpone")
    RESUME = "resume", _("Resume now")
    MERGE = "merge", _("Merge into another ticket")
    MERGED_IN = "merged_in", _("Receive a merged ticket")
    LINK = "link", _("Link a related ticket")
    UNLINK = "unlink", _("Remove a link")
    EDIT_SUBJECT = "edit_subject", _("Correct the subject")
    CHANGE_CATEGORY = "change_category", _("Correct the category")
    # A known incident of a service (the incidents app declares it and calls these moves).
    LINK_INCIDENT = "link_incident", _("Link to an incident")
    INCIDENT_UPDATE = "incident_update", _("Post an incident update")
    INCIDENT_RESOLVED = "incident_resolved", _("Announce the incident's resolution")


class Kind(models.TextChoices):
    """The kind of timeline event a move writes (`TicketEvent.kind`)."""

    CREATED = "created", _("Created")
    COMMENT = "comment", _("Comment")
    STATUS_CHANGED = "status_changed", _("Status changed")
    ASSIGNED = "assigned", _("Assigned")
    TRANSFERRED = "transferred", _("Transferred")
    ATTACHMENT = "attachment", _("Attachment added")
    PRIORITY_CHANGED = "priority_changed", _("Priority changed")
    LINKED = "linked", _("Linked tickets")
    CORRECTED = "corrected", _("Ticket corrected")


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
    # Someone invited to follow the ticket (`Invitation`) who is no agent of any service: sees
    # and writes its public part, never an internal note.
    INVITEE = "invitee"
    # An agent of another service invited for advice: also reads and writes internal notes; the
    # ticket stays out of their queues.
    INVITED_AGENT = "invited agent"
    # An agent of the service following the ticket without owning it (`Watcher`).
    WATCHER = "watcher"


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
    # People invited to the ticket (invited agents included); internal events reach only those
    # who may read them, as for everyone.
    INVITEES = "invitees"
    WATCHERS = "watchers"
    # The person an invitation names (`events.invited` keeps their id in `before`).
    INVITED = "the person invited"


class ActedBy(StrEnum):
    ANYONE = "anyone"
    REQUESTER = "the requester"
    SERVICE = "the service (not the requester, nor an invitee)"
    INVITEE = "an invitee (not an agent)"


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
NOT_YET_WAITING = frozenset({S.OPEN, S.REOPENED, S.IN_PROGRESS, S.INFO_REQUESTED, S.POSTPONED})
PARTIES = frozenset({R.REQUESTER, R.SERVICE_AGENT, R.SUPERUSER})
AGENTS = frozenset({R.SERVICE_AGENT, R.SUPERUSER})
HANDLERS = frozenset({R.ASSIGNED_AGENT, R.HEAD, R.SUPERUSER})
REQUESTER = frozenset({R.REQUESTER})
INVITED_PEOPLE = frozenset({R.INVITEE, R.INVITED_AGENT})
# Everyone hearing of a ticket's news besides its requester and its assigned agent.
FOLLOWERS = (
    Notify(A.INVITEES, "followed_ticket_update"),
    Notify(A.WATCHERS, "followed_ticket_update"),
)

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
        by=PARTIES | INVITED_PEOPLE,
        kind=Kind.COMMENT,
        timeline=_("%(actor)s wrote a message"),
        notify=(
            Notify(A.REQUESTER, "agent_reply", acted_by=W.SERVICE),
            Notify(A.ASSIGNEE_OR_AGENTS, "requester_comment", acted_by=W.REQUESTER),
            Notify(A.REQUESTER, "invitee_comment", acted_by=W.INVITEE),
            Notify(A.ASSIGNEE_OR_AGENTS, "invitee_comment", acted_by=W.INVITEE),
            Notify(A.INVITEES, "followed_ticket_message"),
            Notify(A.WATCHERS, "followed_ticket_message"),
        ),
        text_required=_("Please write a message."),
        first_response=True,
    ),
    Move.INTERNAL_NOTE: MoveRule(
        sources=ALL_STATUSES,
        target=None,
        by=AGENTS | {R.INVITED_AGENT},
        kind=Kind.COMMENT,
        timeline=_("%(actor)s added an internal note"),
        # Only those who may read internal notes hear of it: watchers, invited agents.
        notify=(
            Notify(A.WATCHERS, "followed_ticket_message"),
            Notify(A.INVITEES, "followed_ticket_message"),
        ),
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
        by=PARTIES | INVITED_PEOPLE,
        kind=Kind.ATTACHMENT,
        timeline=_("%(actor)s added the file %(after)s"),
        notify=(
            Notify(A.ASSIGNEE_OR_AGENTS, "attachment_added", acted_by=W.REQUESTER),
            Notify(A.ASSIGNEE_OR_AGENTS, "attachment_added", acted_by=W.INVITEE),
        ),
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
        notify=(Notify(A.REQUESTER, "closure_requested"), *FOLLOWERS),
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
        notify=(Notify(A.ASSIGNEE_OR_AGENTS, "closure_refused"), *FOLLOWERS),
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
            *FOLLOWERS,
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
        notify=(Notify(A.REQUESTER, "ticket_closed"), *FOLLOWERS),
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
        notify=(Notify(A.REQUESTER, "ticket_closed", acted_by=W.SERVICE), *FOLLOWERS),
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
            Notify(A.INVITEES, "followed_ticket_update"),
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
        notify=(Notify(A.REQUESTER, "ticket_rejected"), *FOLLOWERS),
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
        notify=(Notify(A.REQUESTER, "ticket_cancelled", acted_by=W.SERVICE), *FOLLOWERS),
        stat=Stat.ENDING,
    ),
    Move.CHANGE_PRIORITY: MoveRule(
        sources=ACTIVE_STATUSES,
        target=None,
        by=AGENTS,
        kind=Kind.PRIORITY_CHANGED,
        timeline=_("%(actor)s changed the priority from %(before)s to %(after)s"),
    ),
    # People around a ticket (`Invitation`, `Watcher`), told on the timeline like a short
    # message (their kind is a comment's; the action says which): the requester or an agent invites
    # someone (`before` keeps the invited person's id, `after` their name); an invitee leaves;
    # an agent of the service follows or stops following it (agents only see it).
    Move.INVITE: MoveRule(
        sources=ACTIVE_STATUSES,
        target=None,
        by=PARTIES,
        kind=Kind.COMMENT,
        timeline=_("%(actor)s invited %(after)s to follow the ticket"),
        timeline_automatic=_("%(after)s was invited to follow the ticket"),
        notify=(Notify(A.INVITED, "ticket_invitation"),),
        offered=False,
    ),
    Move.LEAVE: MoveRule(
        sources=ALL_STATUSES,
        target=None,
        by=INVITED_PEOPLE,
        kind=Kind.COMMENT,
        timeline=_("%(actor)s stopped following the ticket"),
        offered=False,
    ),
    # The requester or an agent removes someone invited (by mistake, or no longer concerned).
    Move.UNINVITE: MoveRule(
        sources=ALL_STATUSES,
        target=None,
        by=PARTIES,
        kind=Kind.COMMENT,
        timeline=_("%(actor)s removed %(after)s from the ticket"),
        offered=False,
    ),
    Move.WATCH: MoveRule(
        sources=ALL_STATUSES,
        target=None,
        by=AGENTS,
        kind=Kind.COMMENT,
        timeline=_("%(actor)s follows the ticket"),
        offered=False,
    ),
    Move.UNWATCH: MoveRule(
        sources=ALL_STATUSES,
        target=None,
        by=frozenset({R.WATCHER}),
        kind=Kind.COMMENT,
        timeline=_("%(actor)s stopped following the ticket"),
        offered=False,
    ),
    # Set aside until a date (`Ticket.postponed_until`), with a reason the requester reads; a
    # postponed ticket may be given another date.
    Move.POSTPONE: MoveRule(
        sources=frozenset({S.IN_PROGRESS, S.POSTPONED}),
        target=S.POSTPONED,
        by=HANDLERS,
        kind=Kind.STATUS_CHANGED,
        timeline=_("%(actor)s postponed the ticket"),
        transition="postpone",
        notify=(Notify(A.REQUESTER, "ticket_postponed"), *FOLLOWERS),
        text_required=_("Please give the reason for the postponement."),
    ),
    # The agent resumes it early, or the helpdesk on its date (`tickets.tasks`).
    Move.RESUME: MoveRule(
        sources=frozenset({S.POSTPONED}),
        target=S.IN_PROGRESS,
        by=HANDLERS | {R.SYSTEM},
        kind=Kind.STATUS_CHANGED,
        timeline=_("%(actor)s resumed the ticket"),
        timeline_automatic=_("The postponement is over: the ticket is back in progress"),
        transition="resume",
        notify=(Notify(A.ASSIGNEE_OR_AGENTS, "ticket_resumed"),),
    ),
    # A duplicate ends merged into another active ticket of the service (`Ticket.merged_into`):
    # its messages, files and people move there, its requester is invited there.
    Move.MERGE: MoveRule(
        sources=ACTIVE_STATUSES,
        target=S.MERGED,
        by=AGENTS,
        kind=Kind.STATUS_CHANGED,
        timeline=_("%(actor)s merged this ticket into another one"),
        transition="merge",
        notify=(Notify(A.REQUESTER, "ticket_merged"),),
        stat=Stat.ENDING,
    ),
    # The other side of a merge, on the ticket that received the duplicate (`before` names it).
    Move.MERGED_IN: MoveRule(
        sources=ACTIVE_STATUSES,
        target=None,
        by=AGENTS,
        kind=Kind.LINKED,
        timeline=_("%(actor)s merged the ticket %(before)s into this one"),
        offered=False,
    ),
    # Related tickets, shown on both; recorded on both timelines, for the agents.
    Move.LINK: MoveRule(
        sources=ACTIVE_STATUSES,
        target=None,
        by=AGENTS,
        kind=Kind.LINKED,
        timeline=_("%(actor)s linked this ticket to %(after)s"),
    ),
    Move.UNLINK: MoveRule(
        sources=ALL_STATUSES,
        target=None,
        by=AGENTS,
        kind=Kind.LINKED,
        timeline=_("%(actor)s removed the link to %(after)s"),
    ),
    # Corrections within the service: the status stays, the timeline keeps the old value.
    Move.EDIT_SUBJECT: MoveRule(
        sources=ACTIVE_STATUSES,
        target=None,
        by=AGENTS,
        kind=Kind.CORRECTED,
        timeline=_("%(actor)s corrected the subject from “%(before)s” to “%(after)s”"),
        text_required=_("Please write the subject."),
    ),
    Move.CHANGE_CATEGORY: MoveRule(
        sources=ACTIVE_STATUSES,
        target=None,
        by=AGENTS,
        kind=Kind.CORRECTED,
        timeline=_("%(actor)s corrected the category from %(before)s to %(after)s"),
    ),
    # A known incident (incidents.services makes these for each linked ticket): `after` is the
    # incident's reference and title, the text its public message. The requester who linked
    # their own ticket while filing it is not emailed about it; updates reach them by email.
    Move.LINK_INCIDENT: MoveRule(
        sources=ACTIVE_STATUSES,
        target=None,
        by=AGENTS | REQUESTER,
        kind=Kind.COMMENT,
        timeline=_("%(actor)s linked the ticket to the incident %(after)s"),
        notify=(Notify(A.REQUESTER, "incident_linked", acted_by=W.SERVICE),),
        offered=False,
    ),
    Move.INCIDENT_UPDATE: MoveRule(
        sources=ALL_STATUSES,
        target=None,
        by=AGENTS,
        kind=Kind.COMMENT,
        timeline=_("%(actor)s posted an update of the incident %(after)s"),
        notify=(Notify(A.REQUESTER, "incident_update"),),
        text_required=_("Please write the update."),
        offered=False,
    ),
    Move.INCIDENT_RESOLVED: MoveRule(
        sources=ALL_STATUSES,
        target=None,
        by=AGENTS,
        kind=Kind.COMMENT,
        timeline=_("%(actor)s announced that the incident %(after)s is resolved"),
        notify=(Notify(A.REQUESTER, "incident_resolved"),),
        text_required=_("Please describe the resolution."),
        offered=False,
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


# How the statistics count the moves, read by the page's figures and by the rollup alike.
# Moves that close a ticket as solved (by the requester, by the agent's proposal, or by expiry).
CLOSING_ACTIONS = counted_as(Stat.CLOSING)
# Moves that end a ticket without solving it.
ENDING_ACTIONS = counted_as(Stat.ENDING)
REOPENING_ACTIONS = counted_as(Stat.REOPENING)
