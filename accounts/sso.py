"""The university single sign-on: what a sign-in tells us about the person.

`claimed_profile(account)` reads a person's name and email from what the identity provider sent,
whether it speaks OpenID Connect (userinfo / ID token claims) or SAML (attributes). The providers
themselves are configured from the SSO_* variables by the settings
(`helpdesk.settings.socialaccount_providers`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from accounts import attributes
from accounts.text import clean_line

if TYPE_CHECKING:
    from allauth.socialaccount.models import SocialAccount

SAML = "saml"


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
    """The parts on one line, without control characters or bidi overrides."""
    return " ".join(clean_line(part) for part in parts if part and clean_line(part))


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


def claimed_directory(account: SocialAccount) -> attributes.DirectoryAttributes:
    """The affiliations, department and groups the identity provider released, where it did
    (None for each it did not: the account keeps what it had)."""
    extra = account.extra_data if isinstance(account.extra_data, dict) else {}
    provider = _provider_of(account)
    if provider is not None and provider.id == SAML:
        mapping = provider.app.settings.get("directory_attributes") or {}
        return attributes.from_saml_attributes(extra, mapping)
    return attributes.from_oidc_claims(_oidc_claims(extra))


def _provider_of(account: SocialAccount) -> Any:
    # A SAML account's `provider` is the app's provider_id (the IdP entity ID), not "saml".
    from allauth.socialaccount.models import SocialApp

    try:
        return account.get_provider()
    except SocialApp.DoesNotExist:  # an app no longer configured: read the data as OIDC claims
        return None
