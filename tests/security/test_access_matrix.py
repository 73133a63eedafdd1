"""Who may open what: every URL of the project, for every role, GET and POST.

The URLs come from the URLconf itself: a new URL without a line in EXPECTED fails
`test_every_project_url_has_expectations`. Django's admin pages are for staff only; allauth's
sign-in pages are public and never fail. Each request runs in a savepoint that is rolled back, so
a POST that succeeds (a requester closing their ticket) changes nothing for the next role.
"""

from __future__ import annotations

import os
import re

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from categories import services as category_services
from incidents.models import Incident
from notifications import unsubscribe
from tests.factories import agent_of
from tests.security.conftest import ROLES, World, role_clients
from tests.security.urls import Route, admin_object_id, all_routes

ROUTES = all_routes()
# The REST API (/api/v1/) has its own matrix over every endpoint and role, with tokens and the
# same forbidden leaks: tests/api/test_access_matrix.py.
PROJECT_ROUTES = [
    route for route in ROUTES if route.group == "project" and not route.route.startswith("api/v1/")
]
ADMIN_ROUTES = [route for route in ROUTES if route.group == "admin"]
ALLAUTH_ROUTES = [route for route in ROUTES if route.group == "allauth"]

# Expected answers, one column per role, in this order:
#   anonymous, owner (requester of the ticket), other (another requester), agent (of the ticket's
#   service), foreign_agent (agent of another service), head (of the ticket's service), admin.
# A number is the status code; "L" is a redirect to the login page; "R" is another redirect.
# POSTs carry no data: a form with missing fields answers 400, a move not allowed 403/409.
EXPECTED: dict[str, tuple[str, str]] = {
    # Public pages.
    "home": ("200 200 200 200 200 200 200", "200 200 200 200 200 200 200"),
    "accessibility": ("200 200 200 200 200 200 200", "405 405 405 405 405 405 405"),
    "brand-css": ("200 200 200 200 200 200 200", "405 405 405 405 405 405 405"),
    "healthz": ("200 200 200 200 200 200 200", "200 200 200 200 200 200 200"),
    # The test client connects from 127.0.0.1, an address allowed to read them.
    "healthz-ready": ("200 200 200 200 200 200 200", "405 405 405 405 405 405 405"),
    "metrics": ("200 200 200 200 200 200 200", "405 405 405 405 405 405 405"),
    "set_language": ("R R R R R R R", "R R R R R R R"),
    # Everyone's own pages.
    "accounts:profile": ("L 200 200 200 200 200 200", "L 400 400 400 400 400 400"),
    # The profile's API tokens: an empty creation form is shown again (400); a token of nobody's
    # (or another person's) cannot be revoked (404).
    "api_tokens:create": ("L 405 405 405 405 405 405", "L 400 400 400 400 400 400"),
    "api_tokens:revoke": ("L 405 405 405 405 405 405", "L 404 404 404 404 404 404"),
    # The ENT's "Mes tickets" widget: anyone may open it (a visitor gets a link to sign in).
    "ent:mine": ("200 200 200 200 200 200 200", "405 405 405 405 405 405 405"),
    "tickets:mine": ("L 200 200 200 200 200 200", "L 405 405 405 405 405 405"),
    "tickets:create": ("L 200 200 200 200 200 200", "L 400 400 400 400 400 400"),
    # The requester's pages of the ticket: the other requester and the agent of another service
    # get 404 (the ticket's existence is not confirmed); the service's agents are sent to the desk.
    "tickets:detail": ("L 200 404 R 404 R R", "L 405 405 405 405 405 405"),
    "tickets:created": ("L 200 404 200 404 200 200", "L 405 405 405 405 405 405"),
    "tickets:closure": ("L 200 404 200 404 200 200", "L 405 405 405 405 405 405"),
    "tickets:attachment": ("L 200 404 200 404 200 200", "L 405 405 405 405 405 405"),
    # The requester's moves (POST only). Empty forms: 400; not possible now: 409; not theirs: 403.
    "tickets:approve_closure": ("L 405 405 405 405 405 405", "L 409 404 403 404 403 403"),
    "tickets:refuse_closure": ("L 405 405 405 405 405 405", "L 400 404 400 404 400 400"),
    "tickets:comment": ("L 405 405 405 405 405 405", "L 400 404 400 404 400 400"),
    "tickets:add_attachment": ("L 405 405 405 405 405 405", "L 400 404 400 404 400 400"),
    "tickets:former_attach": ("L 405 405 405 405 405 405", "L 400 404 400 404 400 400"),
    "tickets:mark_solved": ("L 405 405 405 405 405 405", "L R 404 403 404 403 403"),
    "tickets:cancel": ("L 405 405 405 405 405 405", "L R 404 403 404 403 403"),
    "tickets:reopen": ("L 405 405 405 405 405 405", "L 400 404 400 404 400 400"),
    # People around the ticket: the requester and the service's agents invite (an empty form:
    # 400); only an invitee leaves (tests/security/test_people_access.py has the invitee's row).
    "tickets:invite": ("L 200 404 200 404 200 200", "L 400 404 400 404 400 400"),
    "tickets:leave": ("L 405 405 405 405 405 405", "L 403 404 403 404 403 403"),
    # Removing an invitee: nobody is invited to the matrix's ticket (404 for everyone who sees it).
    "tickets:uninvite": ("L 405 405 405 405 405 405", "L 404 404 404 404 404 404"),
    # The agents' workspace: requesters are told it is not for them (403) or get 404 on a ticket.
    "desk:home": ("L 403 403 200 200 200 200", "405 405 405 405 405 405 405"),
    "desk:availability": ("405 405 405 405 405 405 405", "L 403 403 404 404 404 404"),
    "desk:queue": ("L 403 403 200 200 200 200", "405 405 405 405 405 405 405"),
    # The queue's tab counts (refreshed every minute), its batch moves and saved views. An empty
    # batch or view is sent back to the queue with a message; a view of nobody's: 404.
    "desk:queue_counts": ("L 403 403 200 200 200 200", "405 405 405 405 405 405 405"),
    "desk:queue_bulk": ("405 405 405 405 405 405 405", "L 403 403 R R R R"),
    "desk:view_save": ("405 405 405 405 405 405 405", "L 403 403 R R R R"),
    "desk:view_delete": ("405 405 405 405 405 405 405", "L 403 403 404 404 404 404"),
    "desk:detail": ("L 404 404 200 404 200 200", "405 405 405 405 405 405 405"),
    # Following a ticket: its service's agents (the admin too); the requester may not (403).
    "desk:watch": ("L 405 405 405 405 405 405", "L 403 404 R 404 R R"),
    "desk:unwatch": ("L 405 405 405 405 405 405", "L 403 404 403 404 403 403"),
    # Filing for someone: any agent; an empty form is shown again (400).
    "desk:file_for": ("L 404 404 200 200 200 200", "L 404 404 400 400 400 400"),
    "desk:action": ("405 405 405 405 405 405 405", "L 404 404 400 404 400 400"),
    # One move's form, opened from the ACTIONS menu: GET only, for the service's agents.
    "desk:move": ("L 404 404 200 404 200 200", "405 405 405 405 405 405 405"),
    # Statistics and exports: only for the service's people (the other service's agent: 404).
    "desk:stats": ("L 404 404 200 404 200 200", "L 405 405 405 405 405 405"),
    "desk:stats_export": ("L 404 404 200 404 200 200", "L 405 405 405 405 405 405"),
    # Each agent exports their own queues: the other service's agent gets their (empty) list.
    "desk:queue_export": ("L 404 404 200 200 200 200", "L 405 405 405 405 405 405"),
    # The knowledge base: its answers are public (an article's page is a 404 to whoever may not
    # read it; the world has no article); the services' agents and heads write them. The
    # suggestions while filing need the category; linking an article needs the ticket.
    "knowledge:index": ("200 200 200 200 200 200 200", "405 405 405 405 405 405 405"),
    "knowledge:article": ("404 404 404 404 404 404 404", "405 405 405 405 405 405 405"),
    "knowledge:solved": ("405 405 405 405 405 405 405", "404 404 404 404 404 404 404"),
    "knowledge:thanks": ("200 200 200 200 200 200 200", "405 405 405 405 405 405 405"),
    "knowledge:suggest": ("400 400 400 400 400 400 400", "405 405 405 405 405 405 405"),
    "knowledge:category_hint": ("L 200 200 200 200 200 200", "L 405 405 405 405 405 405"),
    "knowledge:manage": ("L 403 403 200 200 200 200", "L 405 405 405 405 405 405"),
    "knowledge:create": ("L 403 403 200 200 200 200", "L 403 403 400 400 400 400"),
    "knowledge:edit": ("L 403 403 404 404 404 404", "L 403 403 404 404 404 404"),
    "knowledge:reply_links": ("L 403 403 400 400 400 400", "L 405 405 405 405 405 405"),
    # Its figures on the statistics page: for the service's people, like the statistics.
    "knowledge:stats": ("L 404 404 200 404 200 200", "L 405 405 405 405 405 405"),
    "knowledge:stats_export": ("L 404 404 200 404 200 200", "L 405 405 405 405 405 405"),
    # One-click unsubscription: the signed link is the proof (RFC 8058), whoever follows it;
    # GET asks to confirm, POST switches the email off. A bad link: 400 (tests/notifications).
    "notifications:unsubscribe": ("200 200 200 200 200 200 200", "200 200 200 200 200 200 200"),
    # Known incidents. The status page, its feeds and a public incident's page need no sign-in;
    # "Je suis concerné" does (an empty POST records the person and sends them back).
    "incidents:status": ("200 200 200 200 200 200 200", "405 405 405 405 405 405 405"),
    "incidents:feed_atom": ("200 200 200 200 200 200 200", "200 200 200 200 200 200 200"),
    "incidents:feed_rss": ("200 200 200 200 200 200 200", "200 200 200 200 200 200 200"),
    "incidents:public_detail": ("200 200 200 200 200 200 200", "405 405 405 405 405 405 405"),
    "incidents:affected": ("405 405 405 405 405 405 405", "L R R R R R R"),
    # The incidents' desk: the service's people; another service's agent gets 404 on an
    # incident not theirs (and an empty list, or an empty declaration form, of their own).
    "incidents:desk_list": ("L 403 403 200 200 200 200", "405 405 405 405 405 405 405"),
    "incidents:declare": ("L 403 403 200 200 200 200", "L 403 403 400 400 400 400"),
    "incidents:link_from_queue": ("405 405 405 405 405 405 405", "L 403 403 R R R R"),
    "incidents:export": ("L 404 404 200 404 200 200", "405 405 405 405 405 405 405"),
    "incidents:detail": ("L 403 403 200 404 200 200", "405 405 405 405 405 405 405"),
    "incidents:link": ("405 405 405 405 405 405 405", "L 403 403 400 404 400 400"),
    "incidents:update": ("405 405 405 405 405 405 405", "L 403 403 400 404 400 400"),
    "incidents:resolve": ("405 405 405 405 405 405 405", "L 403 403 400 404 400 400"),
}

LOGIN = "L"
REDIRECT = "R"


def _url(route: Route, world: World) -> str:
    values = {
        "pk": world.ticket.pk,
        "attachment_pk": world.attachment.pk,
        "action": "comment",
        "key": "no-such-key",
        "uidb36": "0",
        "organization_slug": "university",
        "provider_id": "university",
        "content_type_id": "1",
        "object_id": admin_object_id(route.name) if route.group == "admin" else "1",
        "id": world.user("owner").pk,
        "user_pk": world.user("owner").pk,
        "app_label": "tickets",
        "url": "no-such-page/",
        "token": unsubscribe.token_for(world.user("owner").pk, "agent_replies"),
        "incident_pk": _incident(world).pk if "incident_pk" in route.arguments else 0,
    }
    kwargs = {name: values[name] for name in route.arguments}
    if route.name:
        url = reverse(route.name, kwargs=kwargs)
    else:
        url = "/" + re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: str(kwargs[m.group(1)]), route.route)
        url = url.replace("^", "").replace("$", "")
    query = QUERIES.get(route.name, "")
    if query:
        url += "?" + query.format(service=world.ticket.service_id)
    return url


def _incident(world: World) -> Incident:
    """An ongoing incident of the world's service on the ticket's category (made once)."""
    incident = getattr(world, "incident", None)
    if incident is None:
        incident = Incident.objects.create(
            service_id=world.ticket.service_id,
            title="Eduroam down",
            message="The network is down on the main campus.",
        )
        incident.categories.set([world.ticket.category_id])
        world.incident = incident
    return incident


QUERIES = {
    "desk:stats": "service={service}",
    "desk:stats_export": "service={service}&table=timeline",
    "desk:queue_export": "tab=all",
    "incidents:export": "service={service}",
    "knowledge:stats": "service={service}",
    "knowledge:stats_export": "service={service}",
}


_clients = role_clients


def _call(client: Client, method: str, url: str):
    """One request whose database changes are rolled back afterwards; its body is read."""
    with transaction.atomic():
        response = client.get(url) if method == "GET" else client.post(url, {})
        if response.streaming:
            response.body = b"".join(response.streaming_content)
        else:
            response.body = response.content
        transaction.set_rollback(True)
    return response


def _code(response, login_url: str) -> str:
    if response.status_code == 302:
        location = response["Location"]
        return LOGIN if location.startswith(login_url) else REDIRECT
    return str(response.status_code)


# People who must never read the ticket of the world: not its subject, not its requester's name.
OUTSIDERS = ("anonymous", "other", "foreign_agent")


def _observe(route: Route, world: World, outsiders: tuple[str, ...] = OUTSIDERS) -> tuple[str, str]:
    url = _url(route, world)
    clients = _clients(world)
    login_url = reverse("admin:login") if route.group == "admin" else reverse("account_login")
    secrets = [world.ticket.subject.encode(), world.user("owner").full_name.encode()]
    results = []
    for method in ("GET", "POST"):
        codes = []
        for role in ROLES:
            response = _call(clients[role], method, url)
            codes.append(_code(response, login_url))
            if role in outsiders:
                leaked = [secret for secret in secrets if secret in response.body]
                assert not leaked, f"{method} {url} shows {leaked} to {role}"
        results.append(" ".join(codes))
    return results[0], results[1]


def test_every_project_url_has_expectations():
    """A URL added to the project without an access expectation fails here."""
    missing = [route.route for route in PROJECT_ROUTES if route.name not in EXPECTED]
    assert not missing, f"add these URLs to EXPECTED in {__file__}: {missing}"


@pytest.mark.parametrize("route", PROJECT_ROUTES, ids=lambda route: route.name or route.route)
def test_project_url(route: Route, world: World):
    """Each role gets exactly the expected status for GET and POST; never a server error."""
    observed = _observe(route, world)
    if os.environ.get("SECURITY_MATRIX_PRINT"):
        print(f'\n    "{route.name}": ("{observed[0]}", "{observed[1]}"),')
    assert route.name in EXPECTED
    assert observed == EXPECTED[route.name], (
        f"{route.route}: roles {ROLES}\n expected {EXPECTED[route.name]}\n observed {observed}"
    )


# The admin's models a head of service runs for their services (categories.delegation).
HEADS_ADMIN_MODELS = {"categories_service", "categories_category", "mailgateway_mailbox"}


def _admin_model(name: str) -> str:
    """ "admin:<app>_<model>_<view>" -> "<app>_<model>" ("" for the site's own pages)."""
    match = re.fullmatch(r"admin:(\w+?_\w+?)_(changelist|add|change|delete|history)", name)
    return match.group(1) if match else ""


@pytest.mark.parametrize("route", ADMIN_ROUTES, ids=lambda route: route.name or route.route)
def test_admin_url_is_for_staff_only(route: Route, world: World):
    """Everyone but staff and heads of service is sent to the admin's login page, for GET and
    POST; no server error."""
    url = _url(route, world)
    clients = _clients(world)
    login_url = reverse("admin:login")
    for role in ROLES:
        for method in ("GET", "POST"):
            response = _call(clients[role], method, url)
            if role == "admin":
                assert response.status_code in {200, 302, 400, 403, 404, 405}, (method, url)
                continue
            if route.name in {"admin:login", "admin:logout"}:
                # The admin's own sign-in and sign-out pages are open (and never a server error).
                assert response.status_code < 500, (role, method, url)
                continue
            if role == "head":
                # A head of service enters for their services' pages alone
                # (tests/test_head_admin.py): other models answer 403 or 404; no page shows the
                # ticket.
                assert response.status_code in {200, 302, 400, 403, 404, 405}, (method, url)
                assert world.ticket.subject.encode() not in response.body, (method, url)
                if response.status_code == 200 and _admin_model(route.name):
                    assert _admin_model(route.name) in HEADS_ADMIN_MODELS, (method, url)
                continue
            assert response.status_code == 302, (role, method, url, response.status_code)
            assert response["Location"].startswith(login_url), (role, method, url)


# A confidential category's ticket: the service's agent and head, not named for it, get what the
# agent of another service gets on every page of the ticket, and never read it anywhere.
TICKET_ROUTES = [route for route in PROJECT_ROUTES if "pk" in route.arguments]
NOT_NAMED = ("agent", "head")


@pytest.fixture
def confidential_world(world: World) -> World:
    category = world.ticket.category
    category.is_confidential = True
    category_services.category_save(category)
    named = agent_of(world.ticket.service)
    category.confidential_agents.add(named)
    return world


def _as_other_service(expected: str) -> str:
    codes = expected.split()
    foreign = codes[ROLES.index("foreign_agent")]
    return " ".join(foreign if ROLES[i] in NOT_NAMED else code for i, code in enumerate(codes))


@pytest.mark.parametrize("route", TICKET_ROUTES, ids=lambda route: route.name or route.route)
def test_a_confidential_ticket_is_another_services_for_unnamed_agents(
    route: Route, confidential_world: World
):
    observed = _observe(route, confidential_world, outsiders=OUTSIDERS + NOT_NAMED)
    expected = tuple(_as_other_service(codes) for codes in EXPECTED[route.name])
    assert observed == expected, f"{route.route}: roles {ROLES}\n observed {observed}"


@pytest.mark.parametrize(
    "route",
    [route for route in PROJECT_ROUTES if route.name.startswith("desk:")],
    ids=lambda route: route.name,
)
def test_no_desk_page_shows_a_confidential_ticket_to_unnamed_agents(
    route: Route, confidential_world: World
):
    """Queues, counts, exports, statistics: the unnamed agent and head never read its subject
    or its requester's name."""
    _observe(route, confidential_world, outsiders=OUTSIDERS + NOT_NAMED)


# Audiences: the world's category reserved for staff. Filing in it, by its link or by a form: the
# requesters (no affiliation) and the other service's agent are refused (403, with the reason);
# the service's agent and head and the administrator are offered it.
AUDIENCE_EXPECTED = ("L 403 403 200 403 200 200", "L 403 403 400 403 400 400")


def test_a_category_reserved_for_staff(world: World):
    category = world.ticket.category
    category.audience_affiliations = ["staff"]
    category.save()
    url = reverse("tickets:create")
    clients = _clients(world)
    observed = []
    for method in ("GET", "POST"):
        codes = []
        for role in ROLES:
            with transaction.atomic():
                if method == "GET":
                    response = clients[role].get(url, {"category": category.slug})
                else:
                    response = clients[role].post(url, {"category": category.slug})
                transaction.set_rollback(True)
            codes.append(_code(response, reverse("account_login")))
        observed.append(" ".join(codes))
    assert tuple(observed) == AUDIENCE_EXPECTED


@pytest.mark.parametrize("route", ALLAUTH_ROUTES, ids=lambda route: route.name or route.route)
def test_allauth_url_never_fails(route: Route, world: World):
    """The sign-in pages are public; whatever is sent to them, no server error and no ticket."""
    url = _url(route, world)
    clients = _clients(world)
    for role in ROLES:
        for method in ("GET", "POST"):
            response = _call(clients[role], method, url)
            assert response.status_code < 500, (role, method, url, response.status_code)
            assert world.ticket.subject.encode() not in response.body, (role, method, url)
