"""Who may call what in the API: every endpoint, for every role, with the same answers the pages
give and the same secrets kept.

Roles are those of tests/security (anonymous, owner of the ticket, another requester, an agent
and the head of its service, an agent of another service, an administrator); each calls with a
write token of their own, anonymous with none. Bodies are empty: a move whose text is missing
answers 400, a move not possible now 409, not theirs 403; a ticket one may not see is 404 (its
existence is not confirmed). Each call is rolled back, so one role's move does not change the
next one's answer. tests/security/test_access_matrix.py leaves /api/ to this file.
"""

from __future__ import annotations

import os

import pytest
from django.db import transaction
from django.test import Client

from api.views.moves import API_MOVES
from tests.api.conftest import TokenClient, token_for
from tests.security.conftest import ROLES, World, world  # noqa: F401 (the fixture)
from tickets import services
from tickets.moves import OFFERED

INTERNAL_NOTE = "Internal: the requester's laptop is on the blocklist."

# One column per role, in ROLES' order.
EXPECTED: dict[str, str] = {
    "GET /api/v1/me/": "401 200 200 200 200 200 200",
    "GET /api/v1/categories/": "401 200 200 200 200 200 200",
    "GET /api/v1/tickets/": "401 200 200 200 200 200 200",
    "POST /api/v1/tickets/": "401 400 400 400 400 400 400",
    "GET /api/v1/tickets/{pk}/": "401 200 404 200 404 200 200",
    "GET /api/v1/desk/queues/todo/": "401 403 403 200 200 200 200",
    "GET /api/v1/desk/queues/nowhere/": "401 403 403 404 404 404 404",
    "GET /api/v1/desk/tickets/{pk}/": "401 404 404 200 404 200 200",
    "GET /api/v1/ent/mine/": "401 200 200 200 200 200 200",
    "GET /api/v1/schema/": "200 200 200 200 200 200 200",
    "GET /api/v1/docs/": "200 200 200 200 200 200 200",
    # The requester's moves on an open ticket nobody took.
    "POST /api/v1/tickets/{pk}/comment/": "401 400 404 400 404 400 400",
    "POST /api/v1/tickets/{pk}/answer/": "401 409 404 403 404 403 403",
    "POST /api/v1/tickets/{pk}/attachment/": "401 400 404 400 404 400 400",
    "POST /api/v1/tickets/{pk}/approve_closure/": "401 409 404 403 404 403 403",
    "POST /api/v1/tickets/{pk}/refuse_closure/": "401 409 404 403 404 403 403",
    "POST /api/v1/tickets/{pk}/mark_solved/": "401 200 404 403 404 403 403",
    "POST /api/v1/tickets/{pk}/cancel/": "401 200 404 403 404 403 403",
    "POST /api/v1/tickets/{pk}/reopen/": "401 409 404 409 404 409 409",
    # The agents' moves. A body the move cannot read is 400 before anything else (the owner's
    # empty "assign" or "merge"), as a page's form is checked before its move.
    "POST /api/v1/tickets/{pk}/internal_note/": "401 403 404 400 404 400 400",
    "POST /api/v1/tickets/{pk}/take/": "401 403 404 200 404 200 200",
    "POST /api/v1/tickets/{pk}/assign/": "401 400 404 400 404 400 400",
    "POST /api/v1/tickets/{pk}/release/": "401 403 404 409 404 409 409",
    "POST /api/v1/tickets/{pk}/request_info/": "401 403 404 409 404 409 409",
    "POST /api/v1/tickets/{pk}/request_closure/": "401 403 404 409 404 409 409",
    "POST /api/v1/tickets/{pk}/change_priority/": "401 400 404 400 404 400 400",
    "POST /api/v1/tickets/{pk}/transfer/": "401 400 404 400 404 400 400",
    "POST /api/v1/tickets/{pk}/postpone/": "401 400 404 400 404 400 400",
    "POST /api/v1/tickets/{pk}/resume/": "401 403 404 409 404 409 409",
    "POST /api/v1/tickets/{pk}/merge/": "401 400 404 400 404 400 400",
    "POST /api/v1/tickets/{pk}/link/": "401 400 404 400 404 400 400",
    "POST /api/v1/tickets/{pk}/unlink/": "401 400 404 400 404 400 400",
    "POST /api/v1/tickets/{pk}/edit_subject/": "401 403 404 400 404 400 400",
    "POST /api/v1/tickets/{pk}/change_category/": "401 400 404 400 404 400 400",
    "POST /api/v1/tickets/{pk}/reject/": "401 403 404 400 404 400 400",
    # The people around the ticket: nobody here is invited or follows it yet (an empty body
    # names nobody: 400); tests/api/test_people_moves.py makes them with their bodies.
    "POST /api/v1/tickets/{pk}/invite/": "401 400 404 400 404 400 400",
    "POST /api/v1/tickets/{pk}/uninvite/": "401 400 404 400 404 400 400",
    "POST /api/v1/tickets/{pk}/leave/": "401 403 404 403 404 403 403",
    "POST /api/v1/tickets/{pk}/watch/": "401 403 404 200 404 200 200",
    "POST /api/v1/tickets/{pk}/unwatch/": "401 403 404 403 404 403 403",
}

OUTSIDERS = ("anonymous", "other", "foreign_agent")
# Roles that may read internal notes and files: the service's people and the administrator.
INSIDERS = ("agent", "head", "admin")


def test_every_move_a_page_offers_has_an_endpoint():
    """The API is a door onto the same moves as the pages: a move added to the lifecycle's
    table and offered on a ticket's page needs its row in `api.views.moves.API_MOVES`."""
    exposed = {api_move.move for api_move in API_MOVES}
    assert not [move.value for move in OFFERED if move not in exposed]


def test_every_endpoint_has_expectations():
    """A new move of the API without a line here fails."""
    moves = {f"POST /api/v1/tickets/{{pk}}/{api_move.name}/" for api_move in API_MOVES}
    assert moves <= set(EXPECTED), sorted(moves - set(EXPECTED))


@pytest.fixture
def clients(world: World) -> dict[str, Client]:  # noqa: F811
    services.comment_add(
        ticket=world.ticket, author=world.user("agent"), text=INTERNAL_NOTE, internal=True
    )
    result = {}
    for role in ROLES:
        user = world.user(role)
        result[role] = TokenClient(token_for(user)) if user is not None else Client()
    return result


def _call(client: Client, method: str, url: str):
    with transaction.atomic():
        if method == "GET":
            response = client.get(url)
        else:
            response = client.post(url, {}, content_type="application/json")
        transaction.set_rollback(True)
    return response


@pytest.mark.parametrize("line", list(EXPECTED))
def test_endpoint(line: str, world: World, clients: dict[str, Client]):  # noqa: F811
    """Each role gets the expected status; outsiders never read the ticket, and only the
    service's people read its internal note and internal file; errors are problem documents."""
    method, template = line.split(" ", 1)
    url = template.format(pk=world.ticket.pk)
    secrets = [world.ticket.subject.encode(), world.user("owner").full_name.encode()]
    internal = [INTERNAL_NOTE.encode(), world.internal_attachment.original_name.encode()]
    codes = []
    for role in ROLES:
        response = _call(clients[role], method, url)
        codes.append(str(response.status_code))
        if role in OUTSIDERS:
            leaked = [secret for secret in secrets if secret in response.content]
            assert not leaked, f"{line} shows {leaked} to {role}"
        if role not in INSIDERS and "schema" not in url:
            leaked = [secret for secret in internal if secret in response.content]
            assert not leaked, f"{line} shows {leaked} to {role}"
        if response.status_code >= 400:
            assert response["Content-Type"] == "application/problem+json", (line, role)
            problem = response.json()
            assert problem["status"] == response.status_code
            assert problem["type"].startswith("urn:helpdesk:problem:")
    observed = " ".join(codes)
    if os.environ.get("SECURITY_MATRIX_PRINT"):
        print(f'\n    "{line}": "{observed}",')
    assert observed == EXPECTED[line], f"{line}: roles {ROLES}\n observed {observed}"
