"""The matrix of who hears what (notifications/recipients.py), one row per event and author."""

from __future__ import annotations

from pathlib import Path

import pytest

from notifications import recipients
from tests.notifications.conftest import ALERT
from tickets.models import Ticket, TicketEvent

pytestmark = pytest.mark.django_db

PUBLIC = TicketEvent.Visibility.PUBLIC
INTERNAL = TicketEvent.Visibility.INTERNAL
AGENTS = ("assignee", "agent2", "head")

# (action, who acted, is the ticket assigned to "assignee", visibility, expected {person: email})
# "other_agent" is an agent of the service a transfer sends the ticket to.
TABLE = [
    (
        "created",
        "requester",
        False,
        PUBLIC,
        {"requester": "ticket_created", "alert": "new_ticket"}
        | dict.fromkeys(AGENTS, "new_ticket"),
    ),
    ("take", "assignee", True, PUBLIC, {"requester": "ticket_taken"}),
    ("assign", "agent2", True, PUBLIC, {"assignee": "ticket_assigned"}),
    ("release", "assignee", False, PUBLIC, {}),
    ("request_info", "assignee", True, PUBLIC, {"requester": "info_requested"}),
    ("comment", "assignee", True, PUBLIC, {"requester": "agent_reply"}),
    ("comment", "agent2", True, PUBLIC, {"requester": "agent_reply"}),
    ("comment", "requester", True, PUBLIC, {"assignee": "requester_comment"}),
    ("comment", "requester", False, PUBLIC, dict.fromkeys(AGENTS, "requester_comment")),
    ("internal_note", "assignee", True, INTERNAL, {}),
    ("receive_info", "requester", True, PUBLIC, {"assignee": "requester_answer"}),
    ("attachment", "requester", True, PUBLIC, {"assignee": "attachment_added"}),
    ("attachment", "assignee", True, PUBLIC, {}),
    ("request_closure", "assignee", True, PUBLIC, {"requester": "closure_requested"}),
    ("refuse_closure", "requester", True, PUBLIC, {"assignee": "closure_refused"}),
    ("approve_closure", "requester", True, PUBLIC, {"assignee": "closure_approved"}),
    ("expire_closure", None, True, PUBLIC, {"requester": "ticket_closed"}),
    ("mark_solved", "requester", True, PUBLIC, {}),
    ("mark_solved", "assignee", True, PUBLIC, {"requester": "ticket_closed"}),
    ("reopen", "requester", False, PUBLIC, dict.fromkeys(AGENTS, "agent_ticket_reopened")),
    (
        "reopen",
        "assignee",
        False,
        PUBLIC,
        {"requester": "ticket_reopened", "agent2": "agent_ticket_reopened"}
        | {"head": "agent_ticket_reopened"},
    ),
    (
        "transfer",
        "assignee",
        False,
        INTERNAL,
        {"requester": "ticket_transferred", "other_agent": "ticket_transferred_in"},
    ),
    ("reject", "assignee", True, PUBLIC, {"requester": "ticket_rejected"}),
    ("cancel", "requester", False, PUBLIC, {}),
    ("cancel", "assignee", False, PUBLIC, {"requester": "ticket_cancelled"}),
    ("change_priority", "assignee", True, PUBLIC, {}),
    # People around the ticket: here nobody is invited or following it (see
    # tests/tickets/test_invitations.py and test_watchers.py for who hears what when they are).
    ("invite", "requester", True, PUBLIC, {}),
    ("leave", "requester", True, PUBLIC, {}),
    ("uninvite", "requester", True, PUBLIC, {}),
    ("watch", "agent2", True, INTERNAL, {}),
    ("unwatch", "agent2", True, INTERNAL, {}),
    # A known incident (incidents.services): the requester hears of it on their ticket, except
    # of the link they made themselves while filing.
    ("link_incident", "agent2", False, PUBLIC, {"requester": "incident_linked"}),
    ("link_incident", "requester", False, PUBLIC, {}),
    ("incident_update", "agent2", False, PUBLIC, {"requester": "incident_update"}),
    ("incident_resolved", "agent2", True, PUBLIC, {"requester": "incident_resolved"}),
    # Postponed until a date: the requester is told it; on the date the helpdesk tells the
    # agent (the service's agents if nobody is assigned); an agent resuming it early tells nobody.
    ("postpone", "assignee", True, PUBLIC, {"requester": "ticket_postponed"}),
    ("resume", None, True, PUBLIC, {"assignee": "ticket_resumed"}),
    ("resume", None, False, PUBLIC, dict.fromkeys(AGENTS, "ticket_resumed")),
    ("resume", "assignee", True, PUBLIC, {}),
    # Merged: the duplicate's requester is told where it went; links and corrections are silent.
    ("merge", "agent2", True, PUBLIC, {"requester": "ticket_merged"}),
    ("merged_in", "agent2", True, PUBLIC, {}),
    ("link", "agent2", True, INTERNAL, {}),
    ("unlink", "agent2", True, INTERNAL, {}),
    ("edit_subject", "agent2", True, PUBLIC, {}),
    ("change_category", "agent2", True, PUBLIC, {}),
]


def who_hears(world, ticket, action, actor_name, assigned, visibility) -> dict[str, str]:
    actor = getattr(world, actor_name) if actor_name else None
    changes = {"assignee": world.assignee if assigned else None}
    if action == "transfer":
        changes |= {"service": world.other_service, "category": world.other_category}
    Ticket.objects.filter(pk=ticket.pk).update(**changes)
    ticket.refresh_from_db()
    event = TicketEvent.objects.create(
        ticket=ticket,
        kind=TicketEvent.Kind.STATUS_CHANGED,
        action=action,
        actor=actor,
        visibility=visibility,
        text="Note",
    )
    names = {
        getattr(world, name).email: name
        for name in ("requester", "assignee", "agent2", "head", "other_agent")
    }
    names[ALERT] = "alert"
    return {names[d.email]: d.kind for d in recipients.recipients_for(event)}


@pytest.mark.parametrize(("action", "actor", "assigned", "visibility", "expected"), TABLE)
def test_who_hears_what(world, ticket, action, actor, assigned, visibility, expected):
    """Each event reaches exactly the people of the matrix, with the matrix's email."""
    assert who_hears(world, ticket, action, actor, assigned, visibility) == expected


def test_every_action_is_in_the_matrix_or_silent():
    """The table covers every TicketEvent action of the contract."""
    actions = {
        "created", "comment", "internal_note", "attachment", "take", "assign", "release",
        "request_info", "receive_info", "request_closure", "approve_closure", "refuse_closure",
        "expire_closure", "mark_solved", "reopen", "cancel", "reject", "transfer",
        "change_priority", "invite", "leave", "uninvite", "watch", "unwatch",
        "link_incident", "incident_update", "incident_resolved",
        "postpone", "resume", "merge", "merged_in", "link", "unlink", "edit_subject",
        "change_category",
    }  # fmt: skip
    covered = {rule.action for rule in recipients.MATRIX} | set(recipients.SILENT_ACTIONS)
    assert covered == actions
    assert {row[0] for row in TABLE} == actions


def test_the_actor_never_hears_of_their_own_move(world, ticket):
    """An agent who is also the requester of a ticket in their service gets no email of their
    own comment, even though they are both requester and agent."""
    Ticket.objects.filter(pk=ticket.pk).update(requester=world.agent2, assignee=world.assignee)
    ticket.refresh_from_db()
    event = TicketEvent.objects.create(
        ticket=ticket, kind="comment", action="comment", actor=world.agent2, text="Hi"
    )
    emails = {d.email for d in recipients.recipients_for(event)}
    assert world.agent2.email not in emails
    assert emails == {world.assignee.email}


def test_internal_note_never_reaches_the_requester(world, ticket):
    """Even an audience that includes the requester skips an internal event."""
    Ticket.objects.filter(pk=ticket.pk).update(assignee=world.assignee)
    ticket.refresh_from_db()
    for action in ("comment", "reject", "request_info", "take"):
        event = TicketEvent.objects.create(
            ticket=ticket, kind="comment", action=action, actor=world.assignee,
            visibility=INTERNAL, text="Secret",
        )  # fmt: skip
        assert world.requester.email not in {d.email for d in recipients.recipients_for(event)}, (
            action
        )


def test_people_who_may_not_see_the_ticket_hear_nothing(world, ticket):
    """An inactive agent and an agent of another service are never written to."""
    world.agent2.is_active = False
    world.agent2.save()
    event = TicketEvent.objects.create(
        ticket=ticket, kind="created", action="created", actor=world.requester
    )
    emails = {d.email for d in recipients.recipients_for(event)}
    assert world.agent2.email not in emails
    assert world.other_agent.email not in emails


def test_languages_follow_each_person(world, ticket):
    """Each delivery carries its recipient's language; the alert address gets the site's."""
    event = TicketEvent.objects.create(
        ticket=ticket, kind="created", action="created", actor=world.requester
    )
    languages = {d.email: d.language for d in recipients.recipients_for(event)}
    assert languages[world.assignee.email] == "en"
    assert languages[world.requester.email] == "fr"
    assert languages[ALERT] == "fr"


def test_readme_shows_the_matrix():
    """README.md's Notifications section is the table generated from the code."""
    readme = Path(__file__).resolve().parents[2] / "README.md"
    if not readme.exists():
        pytest.skip("README.md is not written yet")
    assert recipients.matrix_as_markdown() in readme.read_text(encoding="utf-8")


@pytest.mark.django_db
def test_telling_a_whole_service_costs_the_same_queries_for_2_or_20_agents():
    """The permission checks for every agent of a service read their memberships at once."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import CategoryFactory, TicketFactory, agent_of
    from tickets import events

    def queries_for(agent_count: int) -> int:
        category = CategoryFactory()
        for _ in range(agent_count):
            agent_of(category.handling_service)
        ticket = TicketFactory(category=category)
        event = events.created(ticket=ticket, actor=ticket.requester)
        event = TicketEvent.objects.select_related("ticket__service", "actor").get(pk=event.pk)
        with CaptureQueriesContext(connection) as captured:
            found = recipients.recipients_for(event)
        assert len([d for d in found if d.user != ticket.requester]) == agent_count
        return len(captured.captured_queries)

    assert queries_for(2) == queries_for(20)
