"""The university single sign-on: allauth's provider configuration and what a sign-in tells us.

`socialaccount_providers(variables)` turns plain `SSO_*` variables (the environment) into
allauth's `SOCIALACCOUNT_PROVIDERS`, so settings and tests build the same structure from a mapping.
`claimed_profile(account)` reads a person's name and email from what the identity provider sent,
whether it speaks OpenID Connect (userinfo / ID token claims) or SAML (attributes).

This module is imported by settings: it must not touch Django models or settings at import time.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ImproperlyConfigured

if TYPE_CHECKING:
    from allauth.socialaccount.models import SocialAccount

OIDC = "openid_connect"
SAML = "saml"

DEFAULT_OIDC_PROVIDER_ID = "university"
DEFAULT_OIDC_LABEL = "Connexion Université"
DEFAULT_SAML_SLUG = "university"
DEFAULT_SAML_LABEL = "Connexion Université (SAML)"

# The SAML attributes universities release (eduPerson / SupAnn, as OIDs), by what we need them for.
DEFAULT_SAML_ATTRIBUTES = {
    "uid": "urn:oid:0.9.2342.19200300.100.1.1",  # uid
    "email": "urn:oid:0.9.2342.19200300.100.1.3",  # mail
    "name": "urn:oid:2.16.840.1.113730.3.1.241",  # displayName
    "first_name": "urn:oid:2.5.4.42",  # givenName
    "last_name": "urn:oid:2.5.4.4",  # sn
}


def _get(variables: Mapping[str, str], name: str, default: str = "") -> str:
    return (variables.get(name) or default).strip()


def _split(value: str) -> list[str]:
    return [item.strip() for item in value.replace(" ", ",").split(",") if item.strip()]


def oidc_provider(variables: Mapping[str, str]) -> dict[str, Any] | None:
    """allauth's `openid_connect` entry, or None when `SSO_OIDC_SERVER_URL` is not set.

    The button shows the app's name, so `SSO_OIDC_LABEL` is the text people click.
    """
    server_url = _get(variables, "SSO_OIDC_SERVER_URL")
    if not server_url:
        return None
    client_id = _get(variables, "SSO_OIDC_CLIENT_ID")
    if not client_id:
        raise ImproperlyConfigured("SSO_OIDC_SERVER_URL is set but SSO_OIDC_CLIENT_ID is empty.")
    app_settings: dict[str, Any] = {
        "server_url": server_url.rstrip("/"),
        "token_auth_method": _get(variables, "SSO_OIDC_TOKEN_AUTH_METHOD", "client_secret_post"),
        "scope": _split(_get(variables, "SSO_OIDC_SCOPES", "openid,profile,email")),
        # Userinfo usually carries more than the ID token (allauth prefers it when present).
        "fetch_userinfo": True,
        "oauth_pkce_enabled": True,
    }
    uid_field = _get(variables, "SSO_OIDC_UID_FIELD")
    if uid_field:
        app_settings["uid_field"] = uid_field
    return {
        "OAUTH_PKCE_ENABLED": True,
        "APPS": [
            {
                "provider_id": _get(variables, "SSO_OIDC_PROVIDER_ID", DEFAULT_OIDC_PROVIDER_ID),
                "name": _get(variables, "SSO_OIDC_LABEL", DEFAULT_OIDC_LABEL),
                "client_id": client_id,
                "secret": _get(variables, "SSO_OIDC_CLIENT_SECRET"),
                "settings": app_settings,
            }
        ],
    }


def saml_provider(variables: Mapping[str, str]) -> dict[str, Any] | None:
    """allauth's `saml` entry, or None when `SSO_SAML_IDP_ENTITY_ID` is not set.

    The identity provider is described either by its metadata URL or by its SSO URL and signing
    certificate. `SSO_SAML_SLUG` names the organisation in allauth's URLs (/accounts/saml/<slug>/).
    """
    entity_id = _get(variables, "SSO_SAML_IDP_ENTITY_ID")
    if not entity_id:
        return None
    idp: dict[str, Any] = {"entity_id": entity_id}
    metadata_url = _get(variables, "SSO_SAML_IDP_METADATA_URL")
    sso_url = _get(variables, "SSO_SAML_IDP_SSO_URL")
    x509cert = _get(variables, "SSO_SAML_IDP_X509CERT")
    if metadata_url:
        idp["metadata_url"] = metadata_url
    elif sso_url and x509cert:
        idp["sso_url"] = sso_url
        idp["x509cert"] = x509cert
        slo_url = _get(variables, "SSO_SAML_IDP_SLO_URL")
        if slo_url:
            idp["slo_url"] = slo_url
    else:
        raise ImproperlyConfigured(
            "SSO_SAML_IDP_ENTITY_ID is set: also set SSO_SAML_IDP_METADATA_URL, "
            "or SSO_SAML_IDP_SSO_URL and SSO_SAML_IDP_X509CERT."
        )
    attribute_mapping = {
        key: _split(_get(variables, f"SSO_SAML_ATTR_{key.upper()}", default))
        for key, default in DEFAULT_SAML_ATTRIBUTES.items()
    }
    app_settings: dict[str, Any] = {"attribute_mapping": attribute_mapping, "idp": idp}
    sp_entity_id = _get(variables, "SSO_SAML_SP_ENTITY_ID")
    if sp_entity_id:
        app_settings["sp"] = {"entity_id": sp_entity_id}
    sp_cert = _get(variables, "SSO_SAML_SP_X509CERT")
    sp_key = _get(variables, "SSO_SAML_SP_PRIVATE_KEY")
    if sp_cert and sp_key:
        app_settings["advanced"] = {
            "x509cert": sp_cert,
            "private_key": sp_key,
            "authn_request_signed": True,
        }
    slug = _get(variables, "SSO_SAML_SLUG", DEFAULT_SAML_SLUG)
    return {
        "APPS": [
            {
                # allauth identifies a SAML app by the IdP's entity ID and by the URL slug.
                "provider_id": _get(variables, "SSO_SAML_PROVIDER_ID", entity_id),
                "name": _get(variables, "SSO_SAML_LABEL", DEFAULT_SAML_LABEL),
                "client_id": slug,
                "settings": app_settings,
            }
        ]
    }


def socialaccount_providers(variables: Mapping[str, str]) -> dict[str, Any]:
    """The `SOCIALACCOUNT_PROVIDERS` setting for the SSO variables that are set (may be empty)."""
    providers: dict[str, Any] = {}
    oidc = oidc_provider(variables)
    if oidc:
        providers[OIDC] = oidc
    saml = saml_provider(variables)
    if saml:
        providers[SAML] = saml
    return providers


@dataclass(frozen=True)
class ClaimedProfile:
    """What the identity provider says about a person."""

    full_name: str = ""
    email: str = ""
    language: str = ""


def _oidc_claims(extra_data: Mapping[str, Any]) -> Mapping[str, Any]:
    # allauth 65 stores {"userinfo": {...}, "id_token": {...}} (userinfo is the fuller of the two);
    # rows written by older versions hold the claims directly.
    if "userinfo" in extra_data or "id_token" in extra_data:
        return {**(extra_data.get("id_token") or {}), **(extra_data.get("userinfo") or {})}
    return extra_data


def _saml_attributes(extra_data: Mapping[str, Any], app_settings: Mapping[str, Any]) -> dict:
    mapping = app_settings.get("attribute_mapping") or {}
    found: dict[str, str] = {}
    for key, names in mapping.items():
        for name in [names] if isinstance(names, str) else names:
            values = extra_data.get(name)
            if values:
                found[key] = values[0] if isinstance(values, list | tuple) else values
                break
    return found


def _join_name(*parts: Any) -> str:
    return " ".join(str(part).strip() for part in parts if part and str(part).strip())


def claimed_profile(account: SocialAccount) -> ClaimedProfile:
    """The name, email and language in a social account's last sign-in data."""
    extra = account.extra_data if isinstance(account.extra_data, dict) else {}
    provider = _provider_of(account)
    if provider is not None and provider.id == SAML:
        data = _saml_attributes(extra, provider.app.settings)
    else:
        claims = _oidc_claims(extra)
        data = {
            "name": claims.get("name"),
            "first_name": claims.get("given_name"),
            "last_name": claims.get("family_name"),
            "email": claims.get("email"),
            "locale": claims.get("locale"),
        }
    full_name = _join_name(data.get("name")) or _join_name(
        data.get("first_name"), data.get("last_name")
    )
    language = str(data.get("locale") or "")[:2].lower()
    return ClaimedProfile(
        full_name=full_name,
        email=str(data.get("email") or "").strip().lower(),
        language=language if language in {"fr", "en"} else "",
    )


def _provider_of(account: SocialAccount) -> Any:
    # A SAML account's `provider` is the app's provider_id (the IdP entity ID), not "saml".
    from allauth.socialaccount.models import SocialApp

    try:
        return account.get_provider()
    except SocialApp.DoesNotExist:  # an app no longer configured: read the data as OIDC claims
        return None
