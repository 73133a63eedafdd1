"""One endpoint per move: POST /api/v1/tickets/<id>/<move>/.

Each row of `API_MOVES` names a move of `tickets.moves`, the body it reads and the one function
of `tickets.workflow` or `tickets.services` that makes it, the same the pages call. The order of
the checks is the pages' too: a ticket the person may not see is 404, a malformed body 400, then
the move itself refuses with 403 (never theirs), 409 (not now) or 400 (its text is missing).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import Throttled
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api import serializers as api_serializers
from helpdesk import ratelimit
from tickets import permissions, services, workflow
from tickets.exceptions import TextRequired, TransitionRefused
from tickets.models import Ticket
from tickets.moves import Move
from tickets.selectors import ticket_pages

S = api_serializers


@dataclass(frozen=True)
class ApiMove:
    """A move offered by the API: its address, its body, what it calls."""

    name: str
    move: Move
    body: type[serializers.Serializer]
    perform: Callable[[Ticket, Any, dict], Any]
    summary: str
    # The page's limit on the same move ("<setting>", "<scope>" of `helpdesk.ratelimit`).
    rate: tuple[str, str] | None = None
    # The answer is the ticket's row; a move after which the person no longer sees the ticket
    # (leaving it) answers 204 with no body.
    answers_row: bool = True


def _comment(internal: bool) -> Callable[[Ticket, Any, dict], Any]:
    def perform(ticket: Ticket, user: Any, data: dict) -> Any:
        return services.comment_add(
            ticket=ticket,
            author=user,
            text=data.get("text", ""),
            internal=internal,
            files=data.get("files") or (),
        )

    return perform


def _answer(ticket: Ticket, user: Any, data: dict) -> Any:
    """Answers the service's question: only while it waits for the answer (409 otherwise)."""
    if ticket.status != Ticket.Status.INFO_REQUESTED:
        raise workflow.refusal(Move.RECEIVE_INFO, ticket, user)
    return _comment(False)(ticket, user, data)


def _other(ticket: Ticket, user: Any, pk: int) -> Ticket:
    """Another ticket this agent sees as an agent; 400 otherwise (its existence unconfirmed)."""
    other = ticket_pages.tickets_visible_to(user).filter(pk=pk).first()
    if other is None or other.pk == ticket.pk or not permissions.can_view_internal(other, user):
        raise TransitionRefused(
            _("There is no such ticket in your services."), TextRequired.BAD_REQUEST
        )
    return other


API_MOVES: tuple[ApiMove, ...] = (
    ApiMove(
        "comment",
        Move.COMMENT,
        S.TextSerializer,
        _comment(False),
        "A public message (requester or agent), with optional files.",
    ),
    ApiMove(
        "answer",
        Move.RECEIVE_INFO,
        S.TextSerializer,
        _answer,
        "The requester answers the service's question; the ticket goes back to the agent.",
    ),
    ApiMove(
        "internal_note",
        Move.INTERNAL_NOTE,
        S.TextSerializer,
        _comment(True),
        "An internal note, for the service's agents only.",
    ),
    ApiMove(
        "attachment",
        Move.ATTACHMENT,
        S.AttachmentCreateSerializer,
        lambda t, u, d: services.attachment_add(
            ticket=t, uploader=u, file=d["file"], internal=d["internal"]
        ),
        "Adds one file (internal: agents only).",
    ),
    ApiMove(
        "approve_closure",
        Move.APPROVE_CLOSURE,
        S.EmptySerializer,
        lambda t, u, d: workflow.approve_closure(ticket=t, actor=u),
        "The requester approves the proposed closure.",
    ),
    ApiMove(
        "refuse_closure",
        Move.REFUSE_CLOSURE,
        S.ReasonSerializer,
        lambda t, u, d: workflow.refuse_closure(ticket=t, actor=u, reason=d.get("reason", "")),
        "The requester refuses the closure, saying why.",
    ),
    ApiMove(
        "mark_solved",
        Move.MARK_SOLVED,
        S.EmptySerializer,
        lambda t, u, d: workflow.mark_solved(ticket=t, actor=u),
        "The requester says the problem is solved.",
    ),
    ApiMove(
        "cancel",
        Move.CANCEL,
        S.ReasonSerializer,
        lambda t, u, d: workflow.cancel(ticket=t, actor=u, reason=d.get("reason", "")),
        "The requester withdraws a ticket nobody took yet.",
    ),
    ApiMove(
        "reopen",
        Move.REOPEN,
        S.ReasonSerializer,
        lambda t, u, d: workflow.reopen(ticket=t, actor=u, reason=d.get("reason", "")),
        "Reopens a closed ticket, saying why.",
    ),
    ApiMove(
        "take",
        Move.TAKE,
        S.EmptySerializer,
        lambda t, u, d: workflow.take(ticket=t, actor=u),
        "An agent takes the ticket.",
    ),
    ApiMove(
        "assign",
        Move.ASSIGN,
        S.AssignSerializer,
        lambda t, u, d: workflow.assign(ticket=t, actor=u, agent=d["agent"]),
        "Assigns the ticket to an agent of its service.",
    ),
    ApiMove(
        "release",
        Move.RELEASE,
        S.EmptySerializer,
        lambda t, u, d: workflow.release(ticket=t, actor=u),
        "Puts the ticket back in the queue.",
    ),
    ApiMove(
        "request_info",
        Move.REQUEST_INFO,
        S.QuestionSerializer,
        lambda t, u, d: workflow.request_info(ticket=t, actor=u, question=d.get("question", "")),
        "Asks the requester a question.",
    ),
    ApiMove(
        "request_closure",
        Move.REQUEST_CLOSURE,
        S.ResolutionSerializer,
        lambda t, u, d: workflow.request_closure(
            ticket=t, actor=u, resolution=d.get("resolution", "")
        ),
        "Proposes a resolution for the requester to approve.",
    ),
    ApiMove(
        "change_priority",
        Move.CHANGE_PRIORITY,
        S.PrioritySerializer,
        lambda t, u, d: workflow.change_priority(ticket=t, actor=u, priority=d["priority"]),
        "Changes the priority.",
    ),
    ApiMove(
        "transfer",
        Move.TRANSFER,
        S.TransferSerializer,
        lambda t, u, d: workflow.transfer(
            ticket=t, actor=u, category=d["category"], note=d.get("note", "")
        ),
        "Sends the ticket to another category (maybe of another service).",
    ),
    ApiMove(
        "postpone",
        Move.POSTPONE,
        S.PostponeSerializer,
        lambda t, u, d: workflow.postpone(
            ticket=t, actor=u, until=d["until"], reason=d.get("reason", "")
        ),
        "Sets the ticket aside until a day, with the reason.",
    ),
    ApiMove(
        "resume",
        Move.RESUME,
        S.EmptySerializer,
        lambda t, u, d: workflow.resume(ticket=t, actor=u),
        "Takes a postponed ticket back before its day.",
    ),
    ApiMove(
        "merge",
        Move.MERGE,
        S.MergeSerializer,
        # An unsaved stand-in: the workflow locks and checks the ticket it names.
        lambda t, u, d: workflow.merge(ticket=t, actor=u, into=Ticket(pk=d["into"])),
        "Merges this duplicate into another active ticket of the service.",
    ),
    ApiMove(
        "link",
        Move.LINK,
        S.TicketRefSerializer,
        lambda t, u, d: workflow.link(ticket=t, actor=u, other=_other(t, u, d["other"])),
        "Links two related tickets.",
    ),
    ApiMove(
        "unlink",
        Move.UNLINK,
        S.TicketRefSerializer,
        lambda t, u, d: workflow.unlink(ticket=t, actor=u, other=_other(t, u, d["other"])),
        "Removes the link between two tickets.",
    ),
    ApiMove(
        "edit_subject",
        Move.EDIT_SUBJECT,
        S.SubjectSerializer,
        lambda t, u, d: workflow.edit_subject(ticket=t, actor=u, subject=d.get("subject", "")),
        "Corrects the subject.",
    ),
    ApiMove(
        "change_category",
        Move.CHANGE_CATEGORY,
        S.CategoryChangeSerializer,
        lambda t, u, d: workflow.change_category(ticket=t, actor=u, category=d["category"]),
        "Corrects the category within the ticket's service.",
    ),
    ApiMove(
        "reject",
        Move.REJECT,
        S.ReasonSerializer,
        lambda t, u, d: workflow.reject(ticket=t, actor=u, reason=d.get("reason", "")),
        "Rejects the ticket, with the reason.",
    ),
    # The people around a ticket (`tickets.workflow`'s invitations and watchers).
    ApiMove(
        "invite",
        Move.INVITE,
        S.InviteSerializer,
        lambda t, u, d: workflow.invite(t, u, d["email"]),
        "Invites someone, by email address, to follow the ticket: they see its public part, "
        "may write and add files, and get its emails.",
        rate=("COMMENT_RATE", "invite"),
    ),
    ApiMove(
        "uninvite",
        Move.UNINVITE,
        S.PersonRefSerializer,
        lambda t, u, d: workflow.uninvite(ticket=t, actor=u, person=d["person"]),
        "Removes an invited person from the ticket.",
    ),
    ApiMove(
        "leave",
        Move.LEAVE,
        S.EmptySerializer,
        lambda t, u, d: workflow.leave(ticket=t, actor=u),
        "An invited person stops following the ticket, and no longer sees it (204).",
        answers_row=False,
    ),
    ApiMove(
        "watch",
        Move.WATCH,
        S.EmptySerializer,
        lambda t, u, d: workflow.watch(ticket=t, actor=u),
        "An agent of the service follows the ticket without owning it.",
    ),
    ApiMove(
        "unwatch",
        Move.UNWATCH,
        S.EmptySerializer,
        lambda t, u, d: workflow.unwatch(ticket=t, actor=u),
        "The agent stops following the ticket.",
    ),
)


# Fields that take several files; any other file field takes one.
FILE_LISTS = ("files", "attachments")


def plain_data(request: Request) -> Any:
    """The body as a plain dict: a form's fields by their last value, its files as lists where a
    field takes several. JSON bodies are returned as they are. (Copying the multipart QueryDict
    itself would deep-copy every upload, which a file spooled to disk cannot be.)"""
    data = request.data
    if not hasattr(data, "getlist"):
        return data
    plain = {key: data.get(key) for key in data if key not in request.FILES}
    for key in request.FILES:
        files = request.FILES.getlist(key)
        plain[key] = files if key in FILE_LISTS else files[-1]
    return plain


PEOPLE_MOVES = {
    Move.INVITE: permissions.can_invite,
    Move.UNINVITE: permissions.can_uninvite,
    Move.LEAVE: permissions.can_leave,
    Move.WATCH: permissions.can_watch,
    Move.UNWATCH: permissions.can_unwatch,
}


def allowed_names(ticket: Ticket, user: Any) -> list[str]:
    """The endpoints of `API_MOVES` this person may call on this ticket now, as the pages'
    menus decide (`permissions.available_actions`)."""
    allowed = permissions.available_actions(ticket, user)
    if permissions.can_receive_info(ticket, user):
        allowed.add(Move.RECEIVE_INFO)
    # Following the ticket and inviting people are no menu moves on the pages (each has its own
    # control there) but are endpoints here, listed on the same rules.
    allowed.update(move for move, may in PEOPLE_MOVES.items() if may(ticket, user))
    return [api_move.name for api_move in API_MOVES if api_move.move in allowed]


class MoveView(APIView):
    """Base of the generated move views; `api_move` says which move."""

    api_move: ApiMove

    def post(self, request: Request, pk: int) -> Response:
        ticket = get_object_or_404(ticket_pages.tickets_visible_to(request.user), pk=pk)
        body = self.api_move.body(data=plain_data(request))
        body.is_valid(raise_exception=True)
        rate = self.api_move.rate
        if rate is not None and ratelimit.limit_exceeded(request._request, *rate):
            raise Throttled()
        try:
            self.api_move.perform(ticket, request.user, dict(body.validated_data))
        except DjangoValidationError as error:
            raise serializers.ValidationError({"non_field_errors": error.messages}) from error
        if not self.api_move.answers_row:
            return Response(status=status.HTTP_204_NO_CONTENT)
        fresh = Ticket.objects.select_related("category", "service").get(pk=ticket.pk)
        return Response(S.TicketRowSerializer(fresh).data)


def move_view(api_move: ApiMove) -> Callable:
    """The view of one move, with its own body and description in the schema."""
    name = "".join(part.title() for part in api_move.name.split("_")) + "MoveView"

    def post(self: MoveView, request: Request, pk: int) -> Response:
        return MoveView.post(self, request, pk)

    post = extend_schema(
        request={
            "application/json": api_move.body,
            "multipart/form-data": api_move.body,
        },
        responses=S.TicketRowSerializer if api_move.answers_row else {204: None},
        summary=api_move.summary,
        operation_id=f"move_{api_move.name}",
        tags=["moves"],
    )(post)
    view = type(
        name, (MoveView,), {"api_move": api_move, "__doc__": api_move.summary, "post": post}
    )
    return view.as_view()
