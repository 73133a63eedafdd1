"""Signing in through the university's CAS server (Apereo CAS, the ESUP portal's SSO).

django-cas-ng speaks the protocol (redirect to the CAS login, ticket validation in CAS 2.0 or 3.0
with attributes, single logout); this module decides who the person is (`accounts.signin`) and
turns the protocol's failures into the sign-in failure page instead of a server error. It is on
when the settings name a CAS server (SSO_CAS_SERVER_URL).
"""

from __future__ import annotations

import dataclasses
import logging
from importlib import import_module
from typing import Any
from urllib.parse import urlencode

import requests
from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeXML
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import translation
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django_cas_ng import backends as cas_backends
from django_cas_ng import views as cas_views
from django_cas_ng.models import SessionTicket
from django_cas_ng.utils import get_cas_client

from accounts import attributes, landing, ldap, signin

logger = logging.getLogger(__name__)

# The session remembers the person came through CAS: signing out then also ends the CAS session.
SESSION_KEY = "signed_in_with_cas"
_REFUSAL_KEY = "cas_refusal"


# Seconds the ticket validation waits for the CAS server (settings.SSO_CAS_TIMEOUT overrides):
# python-cas sets none, and a hung server would hold the web worker for good.
VALIDATION_TIMEOUT = 10


class _Session(requests.Session):
    def request(self, *args: Any, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", getattr(settings, "SSO_CAS_TIMEOUT", VALIDATION_TIMEOUT))
        return super().request(*args, **kwargs)


def enabled() -> bool:
    return bool(getattr(settings, "CAS_SERVER_URL", None))


def button_label(language: str | None = None) -> str:
    """The sign-in button's text in the page's language (SSO_CAS_LABEL, SSO_CAS_LABEL_EN...)."""
    labels = getattr(settings, "SSO_CAS_LABELS", None) or {}
    language = language or translation.get_language() or settings.LANGUAGE_CODE
    return labels.get(language[:2]) or _("University account (CAS)")


def login_url(next_url: str = "") -> str:
    url = reverse("cas_login")
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


class Backend(cas_backends.CASBackend):
    """Validates the ticket with the CAS server and finds or makes the person's account."""

    def authenticate(self, request: HttpRequest | None, ticket: str, service: str) -> Any:
        client = get_cas_client(service_url=service, request=request)
        client.session = _Session()
        try:
            login, released, _pgtiou = client.verify_ticket(ticket)
        except OSError:
            raise  # the server is unreachable: a 503, see accounts.middleware
        except Exception:
            logger.warning("CAS ticket validation failed: unreadable answer.", exc_info=True)
            return None
        if not login:
            logger.info("CAS ticket refused by the server.")
            return None
        person = attributes.read(released or {})
        if not person.email:
            person = _completed_from_directory(str(login), person)
        try:
            user = signin.account_for_cas(str(login), person)
        except signin.SignInRefused as refusal:
            if request is not None:
                request.session[_REFUSAL_KEY] = str(refusal)
            return None
        return user if self.user_can_authenticate(user) else None


def _completed_from_directory(
    login: str, person: attributes.DirectoryAttributes
) -> attributes.DirectoryAttributes:
    """A CAS server that releases no address (CAS 2.0 often releases nothing): the directory's
    entry for the login fills in what the server left out."""
    if not ldap.enabled():
        return person
    try:
        entry = ldap.find_person(uid=login)
    except ldap.DirectoryUnavailable as error:
        logger.warning("Directory not read for the CAS login %s: %s", login, error)
        return person
    if entry is None:
        return person
    missing = {
        field.name: getattr(entry, field.name)
        for field in dataclasses.fields(person)
        if getattr(person, field.name) is None
    }
    return dataclasses.replace(person, **missing)


def _page(request: HttpRequest, status: int, **context: Any) -> HttpResponse:
    return render(request, "socialaccount/authentication_error.html", context, status=status)


class LoginView(cas_views.LoginView):
    """django-cas-ng's login (and single logout receiver), with a clear page for every failure."""

    # The CAS server's single logout request is a POST without a CSRF token, as in django-cas-ng.
    @method_decorator(csrf_exempt)
    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not enabled():
            raise Http404("CAS is not configured.")
        next_url = request.GET.get("next")
        if next_url and not url_has_allowed_host_and_scheme(
            next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            # An address elsewhere is dropped, not followed and not an error.
            request.GET = request.GET.copy()
            del request.GET["next"]
        if request.method == "POST" and "logoutRequest" in request.POST:
            return single_logout(request.POST["logoutRequest"])
        self.signing_in = not request.user.is_authenticated
        try:
            return super().dispatch(request, *args, **kwargs)
        except PermissionDenied:
            refusal = request.session.pop(_REFUSAL_KEY, "")
            return _page(request, 403, refusal=refusal)
        except cas_views.RedirectException:
            return _page(request, 400)

    def successful_login(self, request: HttpRequest, next_page: str) -> HttpResponse:
        """Where the person asked to go, else where they work (agents land on the desk), as
        after the other sign-in methods."""
        if self.signing_in:  # not someone already signed in (perhaps otherwise) coming by
            request.session[SESSION_KEY] = True
        # django-cas-ng writes CAS_REDIRECT_URL into the service address when no page was asked.
        if request.GET.get("next", "") in ("", settings.CAS_REDIRECT_URL):
            next_page = landing.landing_url(request.user) or next_page
        return super().successful_login(request, next_page)


def single_logout(logout_request: str) -> HttpResponse:
    """The CAS server says a person signed out there: their helpdesk sessions opened with the
    tickets it names end too.

    Read here with defusedxml rather than by django-cas-ng (lxml, entities resolved, a server
    error on a malformed request): the request comes from anyone who can reach the address.
    """
    try:
        root = SafeXML.fromstring(logout_request)
    except (SafeXML.ParseError, DefusedXmlException, ValueError):
        return HttpResponseBadRequest("Malformed logoutRequest.", content_type="text/plain")
    tickets = {
        (index.text or "").strip()
        for index in root.iter("{urn:oasis:names:tc:SAML:2.0:protocol}SessionIndex")
    } - {""}
    store = import_module(settings.SESSION_ENGINE).SessionStore
    records = list(SessionTicket.objects.filter(ticket__in=tickets))
    for record in records:
        store().delete(record.session_key)
        record.delete()
    logger.info("CAS single logout: %d session(s) ended.", len(records))
    return HttpResponse("ok", content_type="text/plain")


def logout_url(request: HttpRequest, next_url: str) -> str:
    """The CAS server's sign-out, coming back to `next_url` on this site."""
    client = get_cas_client(request=request)
    return client.get_logout_url(request.build_absolute_uri(next_url))


# One address: the CAS server sends people back to it with a ticket, and posts its single logout
# requests to it. (django-cas-ng's proxy-ticket callback is left out: the helpdesk asks no other
# service on a person's behalf.)
urlpatterns = [path("login/", LoginView.as_view(), name="cas_login")]
