"""Signing in through the university's CAS server, against a real one (django-cas-server).

The CAS server runs in its own process (tests/cas_server) and releases what a French university's
CAS releases: mail, displayName, eduPersonAffiliation, supannEntiteAffectation, preferredLanguage.
A person signs in at the CAS login form (driven here over HTTP, as a browser would), and the
helpdesk validates the ticket with the server in CAS 3.0 or 2.0.
"""

from __future__ import annotations

import re
import socket
from collections.abc import Iterator
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import SESSION_KEY
from django.urls import reverse

from accounts.models import User
from tests.cas_server import CasServer, start_cas_server
from tests.factories import DEFAULT_PASSWORD, UserFactory
from tests.support import wait_until

pytestmark = [pytest.mark.django_db]

SERVICES = r"^http://(testserver|localhost|127\.0\.0\.1)(:\d+)?/accounts/cas/login/.*$"
PASSWORD = "mot-de-passe-universite"


@pytest.fixture(scope="module")
def cas_server(tmp_path_factory) -> Iterator[CasServer]:
    with start_cas_server(tmp_path_factory.mktemp("cas"), SERVICES) as server:
        yield server


@pytest.fixture
def cas(settings, cas_server: CasServer) -> CasServer:
    """The helpdesk pointed at the test CAS server, as SSO_CAS_SERVER_URL does it; one person."""
    settings.CAS_SERVER_URL = f"{cas_server.base_url}/cas/"
    settings.CAS_VERSION = "3"
    cas_server.add_person(
        "clefevre",
        PASSWORD,
        mail="Camille.Lefevre@univ-lorraine.example",
        displayName="Camille Lefèvre",
        eduPersonAffiliation=["student", "member"],
        supannEntiteAffectation="UFR-SCIENCES",
        preferredLanguage="en",
        isMemberOf=["cn=l3-informatique,ou=groups,dc=univ-lorraine,dc=fr"],
    )
    return cas_server


def sign_in_at_cas(login_page: str, username: str, password: str) -> str:
    """What the person does on the CAS login page: returns where CAS sends them (with a ticket)."""
    session = requests.Session()
    page = session.get(login_page, timeout=10)
    assert page.status_code == 200, page.text
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page.text))
    fields = {name: unescape(value) for name, value in fields.items()}
    fields.update(username=username, password=password)
    answer = session.post(page.url, data=fields, allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text
    return answer.headers["Location"]


def cas_sign_in(client, next_url: str = "/profile/", username: str = "clefevre") -> object:
    """From the helpdesk's CAS button to the helpdesk again; returns the helpdesk's last answer."""
    start = client.get(reverse("cas_login"), {"next": next_url} if next_url else {})
    assert start.status_code == 302
    back = sign_in_at_cas(start["Location"], username, PASSWORD)
    assert "ticket=ST-" in back
    parts = urlsplit(back)
    return client.get(f"{parts.path}?{parts.query}")


def test_first_cas_sign_in_makes_the_account_from_the_attributes(client, cas):
    """The account is made from the released attributes and the person lands on the deep link."""
    response = cas_sign_in(client, "/profile/")

    assert response.status_code == 302
    assert response["Location"] == "/profile/"
    user = User.objects.get()
    assert int(client.session[SESSION_KEY]) == user.pk
    assert user.email == "camille.lefevre@univ-lorraine.example"
    assert user.full_name == "Camille Lefèvre"
    assert user.affiliations == ["member", "student"]
    assert user.department == "UFR-SCIENCES"
    assert user.directory_groups == ["cn=l3-informatique,ou=groups,dc=univ-lorraine,dc=fr"]
    assert user.directory_id == "clefevre"
    assert user.preferred_language == "en"
    assert not user.has_usable_password()
    address = EmailAddress.objects.get(user=user)
    assert (address.email, address.verified, address.primary) == (user.email, True, True)
    assert client.get("/profile/").status_code == 200


def test_cas_2_sign_in_works_too(client, cas, settings):
    """A CAS 2.0 server (serviceValidate) signs the person in the same way."""
    settings.CAS_VERSION = "2"
    response = cas_sign_in(client, "/profile/")

    assert response.status_code == 302
    assert response["Location"] == "/profile/"
    assert User.objects.get().directory_id == "clefevre"


def test_returning_person_keeps_their_account_and_gets_the_new_attributes(client, cas):
    """The university changed their name, address, affiliation and department: same account, the
    new facts; the address (the local login) and their chosen language stay."""
    cas_sign_in(client)
    user = User.objects.get()
    user.preferred_language = "fr"
    user.save()
    client.logout()
    cas.add_person(
        "clefevre",
        PASSWORD,
        mail="camille.lefevre-martin@univ-lorraine.example",
        displayName="Camille Lefèvre-Martin",
        eduPersonAffiliation=["staff", "employee@univ-lorraine.example"],
        supannEntiteAffectation=["DSI", "UFR-SCIENCES"],
        preferredLanguage="en",
    )

    cas_sign_in(client)

    assert User.objects.count() == 1
    user.refresh_from_db()
    assert user.full_name == "Camille Lefèvre-Martin"
    assert user.affiliations == ["employee", "staff"]
    assert user.department == "DSI"
    assert user.email == "camille.lefevre@univ-lorraine.example"
    assert user.preferred_language == "fr"


def test_cas_signs_into_the_account_made_beforehand_and_locks_its_unverified_password(client, cas):
    """An account an administrator made with the same address is the person's: it is linked to
    their university login, and a password set on a never-verified address stops working."""
    existing = UserFactory(email="camille.lefevre@univ-lorraine.example", full_name="C. L.")

    cas_sign_in(client)

    assert User.objects.count() == 1
    existing.refresh_from_db()
    assert existing.directory_id == "clefevre"
    assert existing.full_name == "Camille Lefèvre"
    assert not existing.has_usable_password()


def test_a_verified_local_account_keeps_its_password(client, cas):
    """Someone who verified their address here keeps signing in with either method."""
    existing = UserFactory(email="camille.lefevre@univ-lorraine.example")
    EmailAddress.objects.create(user=existing, email=existing.email, verified=True, primary=True)

    cas_sign_in(client)

    existing.refresh_from_db()
    assert existing.has_usable_password()
    assert existing.check_password(DEFAULT_PASSWORD)
    assert EmailAddress.objects.filter(user=existing).count() == 1


def test_cas_and_openid_connect_share_one_account(client, cas):
    """A person who first came through OpenID Connect finds the same account through CAS."""
    oidc_user = UserFactory(email="camille.lefevre@univ-lorraine.example")
    SocialAccount.objects.create(user=oidc_user, provider="university", uid="sub-123")

    cas_sign_in(client)

    assert User.objects.get() == oidc_user
    assert int(client.session[SESSION_KEY]) == oidc_user.pk


def test_without_trusting_the_address_an_existing_account_is_not_taken_over(client, cas, settings):
    """SSO_TRUST_EMAIL=false: the sign-in is refused with a clear message, nobody is signed in."""
    settings.SSO_TRUST_EMAIL = False
    UserFactory(email="camille.lefevre@univ-lorraine.example")

    response = cas_sign_in(client)

    assert response.status_code == 403
    assert "Ask the helpdesk" in response.content.decode() or "administrat" in (
        response.content.decode()
    )
    assert SESSION_KEY not in client.session
    assert User.objects.get().directory_id is None


def test_a_forged_ticket_ends_on_the_failure_page(client, cas):
    """A ticket the CAS server never issued: 403 and the sign-in failure page, not a 500."""
    response = client.get(reverse("cas_login"), {"next": "/profile/", "ticket": "ST-forged"})

    assert response.status_code == 403
    assert "<h1" in response.content.decode()
    assert SESSION_KEY not in client.session
    assert not User.objects.exists()


def test_an_unreachable_cas_server_is_a_503_page(client, settings):
    """Validating a ticket with a server that does not answer: 503, the person is told."""
    settings.CAS_SERVER_URL = "http://127.0.0.1:9/cas/"
    response = client.get(reverse("cas_login"), {"ticket": "ST-1"})

    assert response.status_code == 503
    assert SESSION_KEY not in client.session


def test_a_cas_server_that_never_answers_is_a_503_page(client, settings):
    """A server that takes the connection and says nothing: the helpdesk stops waiting."""
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen()
    try:
        settings.CAS_SERVER_URL = f"http://127.0.0.1:{silent.getsockname()[1]}/cas/"
        settings.SSO_CAS_TIMEOUT = 0.5
        response = client.get(reverse("cas_login"), {"ticket": "ST-1"})
    finally:
        silent.close()

    assert response.status_code == 503
    assert SESSION_KEY not in client.session


def test_an_address_elsewhere_is_not_followed(client, cas):
    """`next` pointing off the site is dropped: the service given to CAS stays on the site."""
    response = client.get(reverse("cas_login"), {"next": "https://evil.example/steal"})

    assert response.status_code == 302
    service = parse_qs(urlsplit(response["Location"]).query)["service"][0]
    assert "evil.example" not in service
    assert service.startswith("http://testserver/accounts/cas/login/")


def test_without_a_cas_server_there_is_no_cas_sign_in(client, settings):
    settings.CAS_SERVER_URL = None
    assert client.get(reverse("cas_login")).status_code == 404
    assert 'data-sso-provider="cas"' not in client.get(reverse("account_login")).content.decode()


def test_the_cas_button_speaks_the_page_language(client, settings):
    """A translated default; a deployment's own label per language."""
    settings.CAS_SERVER_URL = "https://cas.univ.example/cas/"
    settings.SSO_CAS_LABELS = {"fr": "", "en": ""}
    french = client.get(reverse("account_login"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    english = client.get(reverse("account_login"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Compte université (CAS)" in french
    assert "University account (CAS)" in english

    settings.SSO_CAS_LABELS = {"fr": "Connexion ENT Lorraine", "en": "Lorraine ENT sign-in"}
    french = client.get(reverse("account_login"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    english = client.get(reverse("account_login"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Connexion ENT Lorraine" in french
    assert "Lorraine ENT sign-in" in english


def test_the_cas_button_keeps_the_deep_link(client, settings):
    settings.CAS_SERVER_URL = "https://cas.univ.example/cas/"
    html = client.get(reverse("account_login"), {"next": "/tickets/7/"}).content.decode()
    form = re.search(r'<form method="get" action="/accounts/cas/login/".*?</form>', html, re.S)
    assert form is not None
    assert 'name="next" value="/tickets/7/"' in form.group(0)


def test_signing_out_after_cas_also_signs_out_of_cas(client, cas):
    """The helpdesk's sign-out goes on to the CAS server's, which comes back to the helpdesk."""
    cas_sign_in(client)
    response = client.post(reverse("account_logout"))

    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith(f"{cas.base_url}/cas/logout")
    assert "http%3A%2F%2Ftestserver%2F" in location
    assert SESSION_KEY not in client.session


@pytest.mark.django_db(transaction=True)
def test_single_logout_from_cas_ends_the_helpdesk_session(live_server, cas):
    """Signing out at the CAS server (from any university application) ends the helpdesk session:
    the CAS server tells the helpdesk, which forgets the session."""
    browser = requests.Session()
    start = browser.get(
        f"{live_server.url}{reverse('cas_login')}?next=/profile/", allow_redirects=False
    )
    login_page = browser.get(start.headers["Location"], timeout=10)
    fields = dict(
        re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', login_page.text)
    )
    fields = {name: unescape(value) for name, value in fields.items()}
    fields.update(username="clefevre", password=PASSWORD)
    landed = browser.post(login_page.url, data=fields, timeout=10)
    assert landed.url == f"{live_server.url}/profile/"
    assert landed.status_code == 200

    browser.get(f"{cas.base_url}/cas/logout", timeout=10)

    def signed_out() -> bool:
        page = browser.get(f"{live_server.url}/profile/", allow_redirects=False, timeout=10)
        return page.status_code == 302 and "/accounts/login/" in page.headers["Location"]

    assert wait_until(signed_out, 10)


def test_a_cas_server_releasing_no_address_is_completed_by_the_directory(
    client, cas, settings, tmp_path_factory
):
    """CAS 2.0 servers often release the login alone: the LDAP directory's entry for that login
    gives the account its address, name, affiliations and department."""
    from tests.ldap_server import start_slapd, use_directory

    cas.add_person("jmartin", PASSWORD)  # no attributes at all
    with start_slapd(tmp_path_factory.mktemp("slapd_cas")) as directory:
        use_directory(settings, directory)
        response = cas_sign_in(client, "/profile/", username="jmartin")

    assert response.status_code == 302
    user = User.objects.get()
    assert (user.email, user.full_name, user.directory_id) == (
        "jeanne.martin@univ-test.fr",
        "Jeanne Martin",
        "jmartin",
    )
    assert user.affiliations == ["employee", "member", "staff"]
    assert user.department == "DSI"


def test_a_cas_server_releasing_no_address_without_a_directory_is_refused(client, cas):
    cas.add_person("jmartin", PASSWORD)
    response = cas_sign_in(client, "/profile/", username="jmartin")

    assert response.status_code == 403
    assert "email" in response.content.decode() or "électronique" in response.content.decode()
    assert not User.objects.exists()


def test_a_first_sign_in_takes_the_directory_language_later_ones_do_not(
    client, cas, settings, tmp_path_factory
):
    """The directory's preferredLanguage starts the account; afterwards the person's own choice
    on their profile stands."""
    from tests.ldap_server import start_slapd, use_directory

    cas.add_person("clefevre", PASSWORD, mail="camille.lefevre@univ-test.fr")
    with start_slapd(tmp_path_factory.mktemp("slapd_language")) as directory:
        use_directory(settings, directory)
        cas_sign_in(client)
        user = User.objects.get()
        assert user.preferred_language == "en"
        assert user.department == "UFR-SCIENCES"

        user.preferred_language = "fr"
        user.save()
        client.logout()
        cas_sign_in(client)

    user.refresh_from_db()
    assert user.preferred_language == "fr"


def test_an_agent_without_a_link_to_follow_lands_on_the_desk(client, cas):
    """As after the other sign-in methods: agents land where they work."""
    from tests.factories import MembershipFactory

    MembershipFactory(user=UserFactory(email="camille.lefevre@univ-lorraine.example"))
    response = cas_sign_in(client, next_url="")

    assert response.status_code == 302
    assert response["Location"] == reverse("desk:home")


def test_someone_signed_in_with_a_password_passing_by_stays_out_of_cas(client, cas):
    """Opening the CAS address while signed in another way changes nothing: the sign-out does not
    go through the CAS server."""
    user = UserFactory()
    client.force_login(user)
    assert client.get(reverse("cas_login"), {"next": "/profile/"})["Location"] == "/profile/"
    assert client.post(reverse("account_logout"))["Location"] == "/"


@pytest.mark.parametrize(
    "logout_request",
    [
        "not xml at all",
        '<?xml version="1.0" encoding="UTF-8"?><broken',
        '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
        '<samlp:LogoutRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol">'
        "<samlp:SessionIndex>&e;</samlp:SessionIndex></samlp:LogoutRequest>",
    ],
    ids=["text", "truncated", "external-entity"],
)
def test_a_malformed_single_logout_request_is_refused(client, cas, logout_request):
    """Anyone can post to the address: a request that is not plain XML is a 400, not a 500."""
    response = client.post(reverse("cas_login"), {"logoutRequest": logout_request})
    assert response.status_code == 400


def test_a_single_logout_request_for_an_unknown_ticket_ends_nobody(client, cas):
    cas_sign_in(client)
    response = client.post(
        reverse("cas_login"),
        {
            "logoutRequest": '<samlp:LogoutRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:'
            'protocol"><samlp:SessionIndex>ST-unknown</samlp:SessionIndex></samlp:LogoutRequest>'
        },
    )
    assert response.status_code == 200
    assert client.get("/profile/").status_code == 200


@pytest.mark.parametrize(
    "params",
    [
        {"next": "//evil.example/"},
        {"next": "javascript:alert(1)"},
        {"next": "\\\\evil.example"},
        {"next": "/profile/\r\nSet-Cookie: x=1"},
        {"next": "/" + "a" * 5000},
        {"ticket": ""},
        {"ticket": "ST-" + "x" * 5000},
        {"ticket": "ST-é\u202e", "next": "/tickets/1/"},
        {"ticket": "ST-1", "next": "https://evil.example/"},
    ],
    ids=lambda params: ",".join(params),
)
def test_odd_addresses_and_tickets_never_fail_the_server(client, cas, params):
    """Whatever a link carries, the CAS address answers a redirect or a page, never a 500, and
    never sends anyone off the site."""
    response = client.get(reverse("cas_login"), params)

    assert response.status_code in (302, 400, 403), response.status_code
    if response.status_code == 302:
        location = response["Location"]
        assert location.startswith(cas.base_url) or location.startswith("/")
        assert "evil.example" not in location.split("service=")[0]
        if "service=" in location:
            service = parse_qs(urlsplit(location).query)["service"][0]
            assert service.startswith("http://testserver/accounts/cas/login/")
            assert "evil.example" not in service
