"""Every sign-in door has the same limits on failed passwords, counted per client address.

* The admin signs in through the site's sign-in page (its own form would be a door without limits).
* Failures are limited per address (10 a minute) and per address and account (5 in 5 minutes): a
  stranger's failures never refuse a person's right password from their own address.
* Behind TRUSTED_PROXY_COUNT proxies the address is read from X-Forwarded-For, from the right: an
  address the client writes at the left is ignored.
"""

from __future__ import annotations

import logging
from urllib.parse import parse_qs, urlsplit

import pytest
from allauth.account.adapter import get_adapter
from django.core.cache import cache
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from accounts import client as client_address
from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


@pytest.fixture(autouse=True)
def _fresh_rate_limits(settings):
    """allauth counts attempts in the cache; each test starts with none, without SSO buttons."""
    settings.SOCIALACCOUNT_PROVIDERS = {}
    cache.clear()
    yield
    cache.clear()


def too_many_text() -> str:
    with translation.override("fr"):
        return str(get_adapter().error_messages["too_many_login_attempts"])


def sign_in(client, email: str, password: str, address: str = "192.0.2.1", **headers):
    """Posts the sign-in form from `address`; True when it signed the person in."""
    response = client.post(
        LOGIN, {"login": email, "password": password}, REMOTE_ADDR=address, **headers
    )
    assert response.status_code in {200, 302}, response.status_code
    signed_in = "_auth_user_id" in client.session
    client.logout()
    return signed_in


# --- The admin's door ----------------------------------------------------------------------------


def test_the_admin_login_page_sends_to_the_site_sign_in(client):
    """/admin/login/ answers with a redirect to the site's sign-in page, next the admin."""
    response = client.get("/admin/login/?next=/admin/accounts/user/")
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.path == reverse("account_login")
    assert parse_qs(location.query) == {"next": ["/admin/accounts/user/"]}
    response = client.get("/admin/login/")
    assert parse_qs(urlsplit(response["Location"]).query) == {"next": ["/admin/"]}


def test_the_admin_login_form_signs_nobody_in(client):
    """A password posted to /admin/login/ is not checked: nobody is signed in there."""
    admin = UserFactory(is_staff=True, is_superuser=True)
    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": admin.email, "password": DEFAULT_PASSWORD, "next": "/admin/"},
    )
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert "_auth_user_id" not in client.session


def test_an_outside_next_link_is_dropped(client):
    """The admin's login page never sends anyone to another site."""
    response = client.get("/admin/login/?next=https://evil.example/")
    assert parse_qs(urlsplit(response["Location"]).query) == {"next": ["/admin/"]}


def test_staff_sign_in_through_the_site_page_and_land_in_the_admin(client):
    """The superuser signs in on the site's page with next=/admin/ and the admin opens."""
    admin = UserFactory(is_staff=True, is_superuser=True)
    response = client.post(
        f"{LOGIN}?next=/admin/", {"login": admin.email, "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    # Already signed in, the admin's login page goes on to the admin.
    assert client.get("/admin/login/?next=/admin/")["Location"] == "/admin/"


def test_a_person_without_admin_access_gets_a_403_not_a_loop(client):
    """A signed-in requester sent to the admin's login page gets a refusal, not a sign-in page
    that would send them back to the admin."""
    client.force_login(UserFactory())
    assert client.get("/admin/")["Location"].startswith("/admin/login/")
    assert client.get("/admin/login/?next=/admin/").status_code == 403


def test_thirty_wrong_admin_passwords_then_the_right_one_is_refused(client):
    """The probe of the issue: 30 wrong passwords for the superuser, then the right one, from one
    address: the right one is refused (the limit was reached) and nobody is signed in."""
    admin = UserFactory(is_staff=True, is_superuser=True)
    for _ in range(30):
        assert not sign_in(client, admin.email, "wrong")
    response = client.post(
        f"{LOGIN}?next=/admin/",
        {"login": admin.email, "password": DEFAULT_PASSWORD},
        REMOTE_ADDR="192.0.2.1",
    )
    assert too_many_text() in response.content.decode()
    assert "_auth_user_id" not in client.session
    # The superuser, from their own address, is not locked out by it.
    assert sign_in(client, admin.email, DEFAULT_PASSWORD, address="198.51.100.20")


# --- Per address, and per address and account ------------------------------------------------


def test_failures_against_an_account_never_lock_its_owner_out_from_elsewhere(client, caplog):
    """Five failures for Camille from one address refuse her right password from that address
    for a while (logged), never from hers."""
    camille = UserFactory()
    for _ in range(5):
        assert not sign_in(client, camille.email, "wrong", address="203.0.113.66")
    with caplog.at_level(logging.WARNING, logger="accounts.adapters"):
        assert not sign_in(client, camille.email, DEFAULT_PASSWORD, address="203.0.113.66")
    assert "Sign-in refused: too many failed attempts from 203.0.113.66" in caplog.text
    assert sign_in(client, camille.email, DEFAULT_PASSWORD, address="192.0.2.10")


def test_one_address_failing_on_many_accounts_is_stopped_and_others_are_not(client):
    """Ten failures a minute from one address (against any accounts) stop that address; a person
    signing in from another address is not affected."""
    people = [UserFactory() for _ in range(12)]
    for person in people[:10]:
        assert not sign_in(client, person.email, "wrong", address="203.0.113.66")
    assert not sign_in(client, people[10].email, DEFAULT_PASSWORD, address="203.0.113.66")
    assert sign_in(client, people[11].email, DEFAULT_PASSWORD, address="192.0.2.11")


def test_a_right_password_does_not_count_as_a_failure(client):
    """Signing in successfully many times from one address never reaches a limit."""
    camille = UserFactory()
    for _ in range(15):
        assert sign_in(client, camille.email, DEFAULT_PASSWORD)


def test_failed_sign_ins_are_logged_with_the_address(client, caplog):
    """Each wrong password is logged with the client's address and the account tried."""
    camille = UserFactory()
    with caplog.at_level(logging.INFO, logger="accounts.adapters"):
        sign_in(client, camille.email, "wrong", address="203.0.113.9")
    assert f"Failed sign-in from 203.0.113.9 (account {camille.email})" in caplog.text


# --- Behind reverse proxies ----------------------------------------------------------------------

PROXY = "10.0.0.2"  # the address every request comes from, behind the proxy


def test_behind_the_proxy_each_client_has_its_own_counter(client, settings):
    """Behind one proxy (TRUSTED_PROXY_COUNT=1) every request comes from the proxy's address:
    ten failures from one client do not refuse another client's right password."""
    settings.TRUSTED_PROXY_COUNT = 1
    people = [UserFactory() for _ in range(11)]
    for person in people[:10]:
        assert not sign_in(
            client, person.email, "wrong", address=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.66"
        )
    assert not sign_in(
        client,
        people[0].email,
        DEFAULT_PASSWORD,
        address=PROXY,
        HTTP_X_FORWARDED_FOR="203.0.113.66",
    )
    assert sign_in(
        client, people[10].email, DEFAULT_PASSWORD, address=PROXY, HTTP_X_FORWARDED_FOR="192.0.2.7"
    )


def test_a_forged_leftmost_forwarded_address_is_ignored(client, settings):
    """A client that writes a new X-Forwarded-For at each try is still counted at the address the
    proxy saw (the rightmost item): the forged items change nothing."""
    settings.TRUSTED_PROXY_COUNT = 1
    camille = UserFactory()
    for n in range(5):
        forwarded = f"198.51.100.{n}, 203.0.113.66"  # the proxy appended the real address
        assert not sign_in(
            client, camille.email, "wrong", address=PROXY, HTTP_X_FORWARDED_FOR=forwarded
        )
    assert not sign_in(
        client,
        camille.email,
        DEFAULT_PASSWORD,
        address=PROXY,
        HTTP_X_FORWARDED_FOR="192.0.2.200, 203.0.113.66",
    )
    assert sign_in(
        client, camille.email, DEFAULT_PASSWORD, address=PROXY, HTTP_X_FORWARDED_FOR="192.0.2.8"
    )


@pytest.mark.parametrize(
    ("proxies", "remote", "forwarded", "expected"),
    [
        (0, "192.0.2.1", "", "192.0.2.1"),
        (0, "192.0.2.1", "203.0.113.5", "192.0.2.1"),  # no proxy: the header is the client's
        (1, "10.0.0.2", "203.0.113.5", "203.0.113.5"),
        (1, "10.0.0.2", "1.2.3.4, 203.0.113.5", "203.0.113.5"),
        (2, "10.0.0.3", "1.2.3.4, 203.0.113.5, 10.0.0.2", "203.0.113.5"),
        (1, "10.0.0.2", " [2001:db8::1]:443 ", "2001:db8::1"),
        (1, "10.0.0.2", "203.0.113.5:5555", "203.0.113.5"),
        (1, "192.0.2.1", "", "192.0.2.1"),  # not through the proxy
        (2, "10.0.0.3", "203.0.113.5", "10.0.0.3"),  # fewer items than proxies
        (1, "10.0.0.2", "not-an-address", "10.0.0.2"),
    ],
)
def test_client_ip_reads_the_forwarded_header_from_the_right(
    settings, proxies, remote, forwarded, expected
):
    """The address counted: REMOTE_ADDR without proxy, the N-th item from the right behind N."""
    settings.TRUSTED_PROXY_COUNT = proxies
    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
    request = RequestFactory().post(LOGIN, REMOTE_ADDR=remote, **headers)
    assert client_address.client_ip(request) == expected
    assert get_adapter().get_client_ip(request) == expected
