"""The SSO configuration built from SSO_* variables, and what a sign-in takes from the claims."""

from __future__ import annotations

import datetime
import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from allauth.core import context
from allauth.socialaccount.adapter import get_adapter as get_social_adapter
from allauth.socialaccount.models import SocialAccount
from allauth.socialaccount.providers.saml.utils import build_saml_config
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory
from onelogin.saml2.settings import OneLogin_Saml2_Settings

from accounts import sso
from accounts.adapters import SocialAccountAdapter
from helpdesk import settings as helpdesk_settings
from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parents[2]
HOST = "helpdesk.univ-lorraine.example"

OIDC_VARIABLES = {
    "SSO_OIDC_SERVER_URL": "https://sso.univ-lorraine.example/oidc/",
    "SSO_OIDC_CLIENT_ID": "helpdesk",
    "SSO_OIDC_CLIENT_SECRET": "s3cret",
    "SSO_OIDC_LABEL": "Connexion Université de Lorraine",
}


def self_signed_certificate() -> str:
    """A throwaway IdP signing certificate (base64 body, as IdP metadata gives it)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "idp.univ-lorraine.example")])
    now = datetime.datetime.now(tz=datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    pem = certificate.public_bytes(serialization.Encoding.PEM).decode()
    return "".join(line for line in pem.splitlines() if "CERTIFICATE" not in line)


@pytest.fixture(scope="module")
def saml_variables() -> dict[str, str]:
    return {
        "SSO_SAML_IDP_ENTITY_ID": "https://idp.univ-lorraine.example/idp/shibboleth",
        "SSO_SAML_IDP_SSO_URL": "https://idp.univ-lorraine.example/idp/profile/SAML2/Redirect/SSO",
        "SSO_SAML_IDP_X509CERT": self_signed_certificate(),
        "SSO_SAML_LABEL": "Connexion Université de Lorraine (SAML)",
    }


# --- Building the provider configuration ---------------------------------------------------------


def test_nothing_configured_means_no_provider():
    """Without SSO variables there is no provider, hence no SSO button."""
    assert helpdesk_settings.socialaccount_providers({}) == {}


def test_oidc_configuration_matches_allauth():
    """The OIDC entry has the shape allauth 65's openid_connect provider reads."""
    providers = helpdesk_settings.socialaccount_providers(OIDC_VARIABLES)
    assert list(providers) == ["openid_connect"]
    config = providers["openid_connect"]
    assert config["OAUTH_PKCE_ENABLED"] is True
    (app,) = config["APPS"]
    assert app["provider_id"] == "university"
    assert app["name"] == "Connexion Université de Lorraine"
    assert app["client_id"] == "helpdesk"
    assert app["secret"] == "s3cret"
    assert app["settings"]["server_url"] == "https://sso.univ-lorraine.example/oidc"
    assert app["settings"]["scope"] == ["openid", "profile", "email"]
    assert app["settings"]["token_auth_method"] == "client_secret_post"


def test_oidc_without_client_id_is_refused():
    """A half-configured OIDC provider stops the start-up with a clear message."""
    with pytest.raises(ImproperlyConfigured, match="SSO_OIDC_CLIENT_ID"):
        helpdesk_settings.socialaccount_providers({"SSO_OIDC_SERVER_URL": "https://sso.example"})


def test_saml_without_idp_description_is_refused():
    """A SAML IdP needs its metadata URL, or its SSO URL and certificate."""
    with pytest.raises(ImproperlyConfigured, match="SSO_SAML_IDP_METADATA_URL"):
        helpdesk_settings.socialaccount_providers(
            {"SSO_SAML_IDP_ENTITY_ID": "https://idp.example/shibboleth"}
        )


def test_saml_with_metadata_url():
    """With a metadata URL, allauth fetches the IdP's details itself."""
    config = helpdesk_settings.saml_provider(
        {
            "SSO_SAML_IDP_ENTITY_ID": "https://idp.example/shibboleth",
            "SSO_SAML_IDP_METADATA_URL": "https://idp.example/metadata",
        }
    )
    idp = config["APPS"][0]["settings"]["idp"]
    assert idp == {
        "entity_id": "https://idp.example/shibboleth",
        "metadata_url": "https://idp.example/metadata",
    }


def test_settings_module_reads_the_environment():
    """helpdesk.settings builds SOCIALACCOUNT_PROVIDERS from the process environment."""
    environment = {**os.environ, **OIDC_VARIABLES, "DJANGO_SETTINGS_MODULE": "helpdesk.settings"}
    script = (
        "import json; from django.conf import settings; "
        "print(json.dumps(settings.SOCIALACCOUNT_PROVIDERS))"
    )
    output = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert json.loads(output) == helpdesk_settings.socialaccount_providers(OIDC_VARIABLES)


@pytest.mark.django_db
def test_saml_configuration_is_valid_for_python3_saml(rf: RequestFactory, settings, saml_variables):
    """allauth turns the SAML entry into a configuration python3-saml accepts."""
    settings.ALLOWED_HOSTS = [HOST]
    providers = helpdesk_settings.socialaccount_providers(saml_variables)
    (app,) = providers["saml"]["APPS"]
    assert app["client_id"] == "university"
    request = rf.get("/accounts/saml/university/login/", HTTP_HOST=HOST)
    config = build_saml_config(request, app["settings"], app["client_id"])
    saml_settings = OneLogin_Saml2_Settings(config, sp_validation_only=False)
    assert saml_settings.get_idp_data()["entityId"] == saml_variables["SSO_SAML_IDP_ENTITY_ID"]
    assert saml_settings.get_sp_data()["assertionConsumerService"]["url"] == (
        f"http://{HOST}/accounts/saml/university/acs/"
    )


@pytest.mark.django_db
def test_saml_button_and_redirect_to_the_idp(client, settings, saml_variables):
    """The SAML button shows with its label and starts a SAML request to the IdP, keeping `next`."""
    settings.SOCIALACCOUNT_PROVIDERS = helpdesk_settings.socialaccount_providers(saml_variables)
    settings.ALLOWED_HOSTS = [HOST]
    client.defaults["HTTP_HOST"] = HOST  # python3-saml reads the Host header a browser sends
    html = client.get("/accounts/login/?next=/profile/").content.decode()
    assert "Connexion Université de Lorraine (SAML)" in html
    assert 'action="/accounts/saml/university/login/?process=login&amp;next=%2Fprofile%2F"' in html

    response = client.post("/accounts/saml/university/login/?process=login&next=/profile/")
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert (
        f"{location.scheme}://{location.netloc}{location.path}"
        == (saml_variables["SSO_SAML_IDP_SSO_URL"])
    )
    assert "SAMLRequest" in parse_qs(location.query)

    metadata = client.get("/accounts/saml/university/metadata/")
    assert metadata.status_code == 200
    assert b"/accounts/saml/university/acs/" in metadata.content


@pytest.mark.django_db
def test_both_buttons_when_both_protocols_are_configured(client, settings, saml_variables):
    """OIDC and SAML can be offered side by side, each with its own label."""
    settings.SOCIALACCOUNT_PROVIDERS = helpdesk_settings.socialaccount_providers(
        {**OIDC_VARIABLES, **saml_variables}
    )
    html = client.get("/accounts/login/").content.decode()
    assert html.count("data-sso-provider=") == 2


# --- What a sign-in takes from the identity provider ---------------------------------------------


def oidc_login(rf: RequestFactory, claims: dict):
    """The SocialLogin allauth builds from an OIDC sign-in with these userinfo claims."""
    request = rf.get("/accounts/oidc/university/login/callback/")
    with context.request_context(request):
        provider = get_social_adapter().get_provider(request, "university")
        return request, provider.sociallogin_from_response(
            request, {"userinfo": claims, "id_token": {"sub": claims["sub"]}}
        )


@pytest.fixture
def oidc_settings(settings):
    settings.SOCIALACCOUNT_PROVIDERS = helpdesk_settings.socialaccount_providers(OIDC_VARIABLES)


@pytest.mark.django_db
@pytest.mark.usefixtures("oidc_settings")
def test_new_person_gets_name_email_and_language_from_the_claims(rf):
    """A first sign-in fills the name, the email (lower-cased) and the language."""
    _request, login = oidc_login(
        rf,
        {
            "sub": "u1",
            "name": "Camille Lefèvre",
            "given_name": "Camille",
            "family_name": "Lefèvre",
            "email": "Camille.Lefevre@Univ-Lorraine.example",
            "locale": "en-GB",
        },
    )
    assert login.user.full_name == "Camille Lefèvre"
    assert login.user.email == "camille.lefevre@univ-lorraine.example"
    assert login.user.preferred_language == "en"
    assert login.account.provider == "university"


@pytest.mark.django_db
@pytest.mark.usefixtures("oidc_settings")
def test_name_from_given_and_family_names_when_no_name_claim(rf):
    """Without a `name` claim, the given and family names make the full name."""
    _request, login = oidc_login(
        rf, {"sub": "u2", "given_name": "Yanis", "family_name": "Haddad", "email": "y@u.example"}
    )
    assert login.user.full_name == "Yanis Haddad"
    assert login.user.preferred_language == "fr"


@pytest.mark.django_db
@pytest.mark.usefixtures("oidc_settings")
def test_returning_person_gets_the_new_name(rf):
    """When the IdP's name changed since last time, the helpdesk account follows it."""
    user = UserFactory(email="camille@u.example", full_name="Camille Lefèvre")
    SocialAccount.objects.create(
        user=user, provider="university", uid="u3", extra_data={"userinfo": {"sub": "u3"}}
    )
    request, login = oidc_login(
        rf, {"sub": "u3", "name": "Camille Martin", "email": "camille.martin@u.example"}
    )
    with context.request_context(request):
        login.lookup()
        SocialAccountAdapter().pre_social_login(request, login)
    user.refresh_from_db()
    assert login.is_existing
    assert user.full_name == "Camille Martin"
    # The email is the person's login here: a sign-in does not change it behind their back.
    assert user.email == "camille@u.example"
    assert SocialAccount.objects.get().extra_data["userinfo"]["name"] == "Camille Martin"


@pytest.mark.django_db
def test_saml_attributes_give_the_name_and_email(settings, saml_variables):
    """A SAML account's attributes are read through the configured attribute mapping."""
    settings.SOCIALACCOUNT_PROVIDERS = helpdesk_settings.socialaccount_providers(saml_variables)
    account = SocialAccount(
        provider=saml_variables["SSO_SAML_IDP_ENTITY_ID"],
        uid="clefevre",
        extra_data={
            "urn:oid:0.9.2342.19200300.100.1.3": ["Camille.Lefevre@univ-lorraine.example"],
            "urn:oid:2.5.4.42": ["Camille"],
            "urn:oid:2.5.4.4": ["Lefèvre"],
        },
    )
    profile = sso.claimed_profile(account)
    assert profile.full_name == "Camille Lefèvre"
    assert profile.email == "camille.lefevre@univ-lorraine.example"


@pytest.mark.django_db
@pytest.mark.usefixtures("oidc_settings")
def test_account_created_beforehand_is_found_by_its_email(rf, settings):
    """An agent added by an administrator signs in through the SSO into that same account."""
    settings.SSO_TRUST_EMAIL = True
    settings.SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
    agent = UserFactory(email="alex.agent@univ-lorraine.example", full_name="Alex Agent")
    request, login = oidc_login(
        rf, {"sub": "u4", "name": "Alex Agent", "email": "Alex.Agent@univ-lorraine.example"}
    )
    with context.request_context(request):
        login.lookup()
    assert login.user == agent


@pytest.mark.django_db
@pytest.mark.usefixtures("oidc_settings")
def test_untrusted_email_does_not_reach_an_existing_account(rf, settings):
    """With SSO_TRUST_EMAIL off, an unverified address from the IdP matches no account."""
    settings.SSO_TRUST_EMAIL = False
    UserFactory(email="alex.agent@univ-lorraine.example")
    request, login = oidc_login(
        rf, {"sub": "u5", "name": "Someone", "email": "alex.agent@univ-lorraine.example"}
    )
    with context.request_context(request):
        login.lookup()
    assert login.user.pk is None


@pytest.mark.django_db
@pytest.mark.usefixtures("oidc_settings")
def test_claims_missing_from_userinfo_are_read_from_the_id_token():
    """Userinfo wins where both say something; the ID token fills what userinfo leaves out."""
    account = SocialAccount(
        provider="university",
        uid="u6",
        extra_data={
            "userinfo": {"sub": "u6", "email": "Yanis@U.example"},
            "id_token": {"sub": "u6", "name": "Yanis Haddad", "email": "old@u.example"},
        },
    )
    assert sso.claimed_profile(account) == sso.ClaimedProfile(
        full_name="Yanis Haddad", email="yanis@u.example"
    )
