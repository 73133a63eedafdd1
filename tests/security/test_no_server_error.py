"""No input answers a server error: every URL of the URLconf, with Hypothesis's inputs.

Each example walks every URL pattern once, as a role drawn among all of them, in GET (with a
drawn query string) and in POST (with a drawn body). Path arguments are the world's ids, unknown
ids, huge and negative numbers, or text; queries and bodies carry the field names the helpdesk's
forms and views read, with wrong types, huge numbers, unknown ids, very long strings, missing
fields, and sometimes bytes that are not UTF-8. Every answer must be below 500. Requests run in a
savepoint that is rolled back (`test_access_matrix._call`'s rule), so the world stays the same.
"""

from __future__ import annotations

import operator
import re
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from django.db import transaction
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.security.conftest import ROLES, World, role_clients
from tests.security.urls import Route, all_routes
from tickets.moves import Move

ROUTES = all_routes()
GROUPS = {
    group: [route for route in ROUTES if route.group == group]
    for group in ("project", "allauth", "admin")
}

# Third-party views that answer 5xx by design, whatever our configuration: none so far.
KNOWN_SERVER_ERRORS: dict[str, str] = {}

HUGE = [2**31, 2**63 - 1, 2**63, 2**64, 10**30]
NUMBERS = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from([0, -1, *HUGE]),
)
TEXT = st.one_of(
    st.text(max_size=40),
    # Very long strings, cheap to draw: one character repeated.
    st.builds(operator.mul, st.sampled_from("aé\u202e\x00<>'\"%/."), st.integers(2_000, 20_000)),
    st.sampled_from(["", " ", "null", "[]", "{}", "../../etc/passwd", "%00", "1e309", "NaN"]),
)
FIELDS = [
    "subject",
    "description",
    "category",
    "priority",
    "text",
    "reason",
    "files",
    "attachments",
    "service",
    "available",
    "full_name",
    "preferred_language",
    "assignee",
    "agent",
    "status",
    "q",
    "question",
    "resolution",
    "note",
    "internal",
    "created_from",
    "created_to",
    "tab",
    "table",
    "sort",
    "page",
    "state",
    "canned",
    "next",
    "form",
    "post",
    "language",
    "parent",
    "file",
    "visibility",
    "action",
    "_selected_action",
    "index",
    "login",
    "password",
    "email",
    "remember",
]
PREFIXES = [move.value for move in Move] + ["comment", "refuse", "reopen", "cancel", "attachment"]
NAMES = st.one_of(
    st.sampled_from(FIELDS),
    st.builds(
        lambda prefix, field: f"{prefix}-{field}",
        st.sampled_from(PREFIXES),
        st.sampled_from(FIELDS),
    ),
    st.text(min_size=1, max_size=20),
)
NOT_UTF8 = [b"\xff\xfe", b"\xc3\x28", b"\xed\xa0\x80", b"\x80abc", b"%ff%fe"]


def _world_ids(world: World) -> list[Any]:
    return [
        world.ticket.pk,
        world.other_ticket.pk,
        world.attachment.pk,
        world.internal_attachment.pk,
        world.ticket.service_id,
        world.ticket.category_id,
        world.user("owner").pk,
        world.ticket.category.slug,
    ]


def _values(world: World) -> st.SearchStrategy:
    """What a field, a query parameter or a path argument may be given."""
    return st.one_of(st.sampled_from(_world_ids(world)), NUMBERS, TEXT)


def _path_value(world: World, name: str) -> st.SearchStrategy:
    known = {
        "action": st.sampled_from([*PREFIXES, "no-such-move"]),
        "app_label": st.sampled_from(["tickets", "accounts", "categories", "auth", "nope"]),
        "provider_id": st.sampled_from(["university", "nope"]),
        "organization_slug": st.sampled_from(["university", "nope"]),
    }
    return st.one_of(known.get(name, st.nothing()), _values(world))


def _fill(route: Route, values: dict[str, Any]) -> str:
    """The route's text with each path converter or regex group replaced by its value."""

    def value(match: re.Match) -> str:
        return quote(str(values[match.group("name")]), safe="")

    path = re.sub(r"<(?:\w+:)?(?P<name>\w+)>", value, route.route)
    path = re.sub(r"\(\?P<(?P<name>\w+)>[^)]*\)", value, path)
    return "/" + path.replace("^", "").replace("$", "")


@st.composite
def _request(draw: st.DrawFn, route: Route, world: World) -> tuple[str, str, str, Any, str]:
    """(role, url with query, method, body, content type) for one route."""
    values = {name: draw(_path_value(world, name)) for name in route.arguments}
    url = _fill(route, values)
    query = draw(st.dictionaries(NAMES, _values(world), max_size=4))
    query_string = urlencode({key: str(item) for key, item in query.items()})
    if draw(st.booleans()):
        query_string += "&" + quote(draw(st.sampled_from(NOT_UTF8)), safe="=&%")
    role = draw(st.sampled_from(ROLES))
    kind = draw(st.sampled_from(["form", "multipart", "raw", "json"]))
    fields = draw(st.dictionaries(NAMES, _values(world), max_size=6))
    data = {key: str(item) for key, item in fields.items()}
    if kind == "form":
        body, content_type = urlencode(data), "application/x-www-form-urlencoded"
    elif kind == "multipart":
        body, content_type = data, ""
    elif kind == "raw":
        body = draw(st.sampled_from(NOT_UTF8)) + b"=" + draw(st.sampled_from(NOT_UTF8))
        content_type = "application/x-www-form-urlencoded"
    else:
        body, content_type = draw(st.sampled_from([b"{", b"[]", b"\xff"])), "application/json"
    return role, f"{url}?{query_string}", "POST", body, content_type


def _send(client: Client, method: str, url: str, body: Any, content_type: str) -> int:
    with transaction.atomic():
        if method == "GET":
            response = client.get(url)
        elif content_type:
            response = client.post(url, data=body, content_type=content_type)
        else:
            response = client.post(url, data=body)
        if response.streaming:
            b"".join(response.streaming_content)
        transaction.set_rollback(True)
    return response.status_code


def _walk(routes: list[Route], world: World, data: st.DataObject, clients: dict) -> None:
    failures = []
    for route in routes:
        role, url, _method, body, content_type = data.draw(
            _request(route, world), label=route.route
        )
        for method in ("GET", "POST"):
            status = _send(clients[role], method, url, body, content_type)
            if status >= 500 and route.name not in KNOWN_SERVER_ERRORS:
                failures.append(f"{role} {method} {url!r} {content_type} {body!r:.200} -> {status}")
    assert not failures, "\n".join(failures)


def _clients(world: World) -> dict[str, Client]:
    clients = role_clients(world)
    for client in clients.values():
        client.raise_request_exception = False
    return clients


EXAMPLES = {"project": 6, "allauth": 3, "admin": 2}
HYPOTHESIS = settings(
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)


# Routes per Hypothesis run: one run drawing for every route at once spends its time in
# Hypothesis's own bookkeeping, which grows with the square of the draws in one example.
ROUTES_PER_RUN = 8
WALKS = [
    (group, start)
    for group in sorted(GROUPS)
    for start in range(0, len(GROUPS[group]), ROUTES_PER_RUN)
]


@pytest.mark.parametrize(("group", "start"), WALKS, ids=[f"{g}-{s}" for g, s in WALKS])
def test_no_input_answers_a_server_error(group: str, start: int, world: World):
    """Whatever the path, query and body, for every role, no URL answers 5xx."""
    clients = _clients(world)
    routes = GROUPS[group][start : start + ROUTES_PER_RUN]

    @settings(HYPOTHESIS, max_examples=EXAMPLES[group])
    @given(data=st.data())
    def walk(data: st.DataObject) -> None:
        _walk(routes, world, data, clients)

    walk()


TICKET_ROUTES = [route for route in GROUPS["project"] if "pk" in route.arguments]
TICKET_PEOPLE = ("owner", "agent", "head")


@st.composite
def _form_body(draw: st.DrawFn, world: World, prefix: str) -> dict[str, str]:
    """A form's body: the helpdesk's field names, under the form's prefix or none."""
    names = st.one_of(
        st.sampled_from(FIELDS),
        st.sampled_from([f"{prefix}-{field}" for field in FIELDS]),
    )
    fields = draw(st.dictionaries(names, _values(world), max_size=8))
    return {key: str(item) for key, item in fields.items()}


def _ticket_cases() -> list[tuple[Route, str]]:
    """Each page and move of the ticket: one case per route, and per action for the desk's
    generic action route."""
    return [
        (route, action)
        for route in TICKET_ROUTES
        for action in (PREFIXES if "action" in route.arguments else [route.name.split(":")[-1]])
    ]


# One Hypothesis run per page or move keeps each run's draws few: a single run drawing for every
# route at once spent its time in Hypothesis's own bookkeeping, which grows with the square of
# the number of draws in one example.
@pytest.mark.parametrize(
    ("route", "action"),
    _ticket_cases(),
    ids=lambda value: value if isinstance(value, str) else value.name,
)
def test_the_tickets_own_people_never_get_a_server_error(route: Route, action: str, world: World):
    """The requester, agent and head of the ticket reach every form behind its pages: each page
    and move of the ticket (every desk action), with drawn queries and bodies, never answers 5xx."""
    clients = _clients(world)
    # Other ids a ticket's route may name (an invitee to remove): the ticket's requester.
    ids = {"pk": world.ticket.pk, "attachment_pk": world.attachment.pk}
    others = {name: world.ticket.requester_id for name in route.arguments if name not in ids}
    url = _fill(route, {**others, **ids, "action": action})
    first_action = "action" not in route.arguments or action == PREFIXES[0]

    @settings(HYPOTHESIS, max_examples=2)
    @given(
        query=st.dictionaries(NAMES, _values(world), max_size=3),
        bodies=st.tuples(*[_form_body(world, action) for _ in TICKET_PEOPLE]),
    )
    def walk(query: dict, bodies: tuple[dict[str, str], ...]) -> None:
        failures = []
        address = url + "?" + urlencode({key: str(item) for key, item in query.items()})
        for role, body in zip(TICKET_PEOPLE, bodies, strict=True):
            for method in ("GET", "POST") if first_action else ("POST",):
                status = _send(clients[role], method, address, body, "")
                if status >= 500:
                    failures.append(f"{role} {method} {address!r} {body!r:.300} -> {status}")
        assert not failures, "\n".join(failures)

    walk()
