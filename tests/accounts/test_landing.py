"""Where a person lands after signing in, and the links the header offers them on every page."""

from __future__ import annotations

import re

import pytest
from allauth.core import context
from allauth.socialaccount.adapter import get_adapter as get_social_adapter
from allauth.socialaccount.helpers import complete_social_login
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import BACKEND_SESSION_KEY
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.middleware import MessageMiddleware
from django.contrib.sessions.middleware import SessionMiddleware
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from helpdesk import auth, context_processors
from tests.factories import DEFAULT_PASSWORD, ServiceFactory, UserFactory, agent_of, head_of
from tickets import permissions

pytestmark = [pytest.mark.django_db]

# The university's OpenID Connect provider, as allauth is configured for it.
OIDC_PROVIDERS = {
    "openid_connect": {
        "APPS": [
            {
                "provider_id": "university",
                "name": "Connexion Université de Lorraine",
                "client_id": "helpdesk",
                "secret": "s3cret",
                "settings": {"server_url": "https://sso.univ.example/oidc"},
            }
        ]
    }
}
DESK_LINKS = {
    "/desk/": "Guichet",
    "/desk/queue/": "Files d'attente",
    "/desk/stats/": "Statistiques",
}


@pytest.fixture
def service():
    return ServiceFactory(name="Scolarité")


@pytest.fixture
def people(service):
    """One person of each kind the header and the landing page tell apart."""
    closed = ServiceFactory(name="Ancien service", is_active=False)
    return {
        "requester": UserFactory(email="requester@univ.example"),
        "agent": agent_of(service, user=UserFactory(email="agent@univ.example")),
        "head": head_of(service, user=UserFactory(email="head@univ.example")),
        "superuser": UserFactory(email="root@univ.example", is_superuser=True, is_staff=True),
        "former agent": agent_of(closed, user=UserFactory(email="former@univ.example")),
    }


def sign_in(client, email: str, next_url: str = ""):
    """Posts the real login form, as a person typing their email and password does."""
    data = {"login": email, "password": DEFAULT_PASSWORD}
    if next_url:
        data["next"] = next_url
    return client.post(reverse("account_login"), data)


def header(html: str) -> str:
    return re.search(r"<header.*?</header>", html, re.S).group(0)


def nav_links(html: str) -> list[str]:
    """The header's links, by address, in order."""
    return re.findall(r'<a class="nav-link" href="([^"]+)"', header(html))


# --- Landing ---------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["agent", "head"])
def test_an_agent_signing_in_lands_on_the_desk(client, people, role):
    """Agents and heads signing in through the login form land on the Guichet."""
    response = sign_in(client, people[role].email)
    assert response.status_code == 302
    assert response["Location"] == reverse("desk:home") == "/desk/"
    assert client.get(response["Location"]).status_code == 200


@pytest.mark.parametrize("role", ["requester", "former agent"])
def test_a_requester_signing_in_lands_on_the_home_page(client, people, role):
    """A requester (or someone whose service was closed) lands on the home page."""
    response = sign_in(client, people[role].email)
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_a_deep_link_wins_over_the_desk(client, people):
    """An agent who followed a link to a page lands on that page, not on the desk."""
    response = sign_in(client, people["agent"].email, next_url="/tickets/")
    assert response.status_code == 302
    assert response["Location"] == "/tickets/"


def sso_sign_in(rf, user, next_url: str = ""):
    """A returning person signing in through the university's OIDC provider, to the redirect."""
    SocialAccount.objects.get_or_create(user=user, provider="university", uid=user.email)
    request = rf.get("/accounts/oidc/university/login/callback/")
    SessionMiddleware(lambda r: None).process_request(request)
    MessageMiddleware(lambda r: None).process_request(request)
    request.user = AnonymousUser()
    with context.request_context(request):
        provider = get_social_adapter().get_provider(request, "university")
        claims = {"sub": user.email, "email": user.email, "name": user.full_name}
        login = provider.sociallogin_from_response(
            request, {"userinfo": claims, "id_token": {"sub": user.email}}
        )
        login.state = {"process": "login", **({"next": next_url} if next_url else {})}
        response = complete_social_login(request, login)
    return request, response


@pytest.mark.parametrize(
    ("role", "next_url", "landing"),
    [
        ("agent", "", "/desk/"),
        ("head", "", "/desk/"),
        ("requester", "", "/"),
        ("agent", "/tickets/", "/tickets/"),
    ],
)
def test_sso_sign_in_lands_where_the_person_works(rf, settings, people, role, next_url, landing):
    """Through the university's SSO too: agents on the desk, requesters at home, a deep link
    first; the session is opened by the backend that loads the header's links with the person."""
    settings.SOCIALACCOUNT_PROVIDERS = OIDC_PROVIDERS
    request, response = sso_sign_in(rf, people[role], next_url)
    assert response.status_code == 302
    assert response["Location"] == landing
    assert request.session[BACKEND_SESSION_KEY] == "helpdesk.auth.AuthenticationBackend"


# --- The header's links ----------------------------------------------------------------------


@pytest.mark.parametrize("role", ["agent", "head", "superuser"])
@pytest.mark.parametrize("page", ["/", "/tickets/", "/tickets/new/", "/profile/"])
def test_the_desk_links_show_for_agents_on_requester_pages(client, people, role, page):
    """On every page, an agent's header leads to the Guichet, the queues and the statistics."""
    client.force_login(people[role])
    html = client.get(page).content.decode()
    links = nav_links(html)
    for url, label in DESK_LINKS.items():
        assert links.count(url) == 1
        assert f'href="{url}">{label}</a>' in header(html)


@pytest.mark.parametrize("role", ["requester", "former agent"])
@pytest.mark.parametrize("page", ["/", "/tickets/", "/tickets/new/", "/profile/"])
def test_requesters_never_see_the_desk_links(client, people, role, page):
    """A requester's header has their own links and none of the desk's."""
    client.force_login(people[role])
    links = nav_links(client.get(page).content.decode())
    assert not {url for url in links if url.startswith("/desk/")}
    assert reverse("tickets:mine") in links


@pytest.mark.parametrize("page", ["/desk/", "/desk/queue/", "/desk/stats/"])
def test_desk_pages_show_the_same_header_once(client, people, page):
    """On the desk, the same header: each link once, the current page marked, the requester's
    links still there (an agent files tickets too)."""
    client.force_login(people["agent"])
    html = client.get(page).content.decode()
    links = nav_links(html)
    assert [url for url in links if url.startswith("/desk/")] == list(DESK_LINKS)
    assert reverse("tickets:create") in links
    assert f'href="{page}" aria-current="page"' in header(html)


def test_the_links_follow_the_desk_and_statistics_rules(people):
    """The header offers the desk and the statistics to exactly those the pages let in, whether
    the person was loaded by the sign-in backend or read from their memberships."""
    backend = auth.AuthenticationBackend()
    people_model = type(people["requester"])
    for role, person in people.items():
        expected = {
            "desk": permissions.can_use_desk(people_model.objects.get(pk=person.pk)),
            "stats": permissions.can_read_stats(people_model.objects.get(pk=person.pk)),
        }
        assert expected["desk"] is (role in {"agent", "head", "superuser"})
        loaded = backend.get_user(person.pk)
        assert context_processors.header_links(loaded) == expected, role
        plain = people_model.objects.get(pk=person.pk)
        assert context_processors.header_links(plain) == expected, role
    assert context_processors.header_links(AnonymousUser()) == {"desk": False, "stats": False}


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("page", ["/", "/tickets/", "/profile/"])
def test_the_desk_links_cost_no_query(client, people, page):
    """An agent's page runs as many queries as a requester's: the header reads whether the person
    works in a service from the query that loads them."""
    client.force_login(people["requester"])
    requester = _queries(client, page)
    client.force_login(people["agent"])
    assert _queries(client, page) == requester


def test_the_home_page_reads_only_the_session_and_the_person(client, people):
    """The home page's header, desk links included, costs nothing past the session and the user."""
    client.force_login(people["agent"])
    assert _queries(client, "/") == 2


# --- The admin link --------------------------------------------------------------------------


def test_staff_see_the_admin_link_once(client, people):
    """An administrator's header has one link to the admin, named Administration."""
    client.force_login(people["superuser"])
    for page in ("/", "/tickets/", "/desk/"):
        html = header(client.get(page).content.decode())
        assert html.count('href="/admin/"') == 1
        assert '<a class="nav-link" href="/admin/">Administration</a>' in html


def test_others_see_no_admin_link(client, people):
    """Agents and requesters who are not staff have no admin link."""
    for role in ("requester", "agent", "head"):
        client.force_login(people[role])
        assert "/admin/" not in header(client.get("/").content.decode())
