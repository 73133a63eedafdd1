"""What the university says about a person, whichever door it came through.

A CAS server releases attributes, an OpenID Connect provider claims, a SAML identity provider
assertions and the LDAP directory entries; all of them name the same eduPerson / SupAnn facts. This
module reads any of them into one `DirectoryAttributes`, which `accounts.signin` writes on the
account. An attribute the source did not release at all is None: the account keeps what it had.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from accounts.text import clean_line

# The attribute names of the directory (LDAP and CAS), by what the helpdesk uses them for; the
# settings' DIRECTORY_ATTRIBUTES overrides any of them.
DEFAULT_NAMES: dict[str, tuple[str, ...]] = {
    "uid": ("uid",),
    "email": ("mail",),
    "name": ("displayName", "cn"),
    "first_name": ("givenName",),
    "last_name": ("sn",),
    "affiliations": ("eduPersonAffiliation", "eduPersonPrimaryAffiliation"),
    "department": ("supannEntiteAffectationPrincipale", "supannEntiteAffectation"),
    "groups": ("memberOf", "isMemberOf"),
    "language": ("preferredLanguage",),
}

# The same facts as OpenID Connect claims (RENATER's and common providers' names).
OIDC_NAMES: dict[str, tuple[str, ...]] = {
    "uid": ("uid", "preferred_username"),
    "affiliations": (
        "eduperson_affiliation",
        "eduPersonAffiliation",
        "eduperson_scoped_affiliation",
        "affiliation",
    ),
    "department": (
        "supann_entite_affectation_principale",
        "supannEntiteAffectationPrincipale",
        "supann_entite_affectation",
        "supannEntiteAffectation",
    ),
    "groups": ("groups", "memberOf", "isMemberOf"),
}

LIST_LIMIT = 100  # a directory listing more groups than this is cut, not stored whole
GROUP_LENGTH = 500


@dataclass(frozen=True)
class DirectoryAttributes:
    """The person as the university describes them; None: not released by this source."""

    uid: str | None = None
    email: str | None = None
    full_name: str | None = None
    affiliations: tuple[str, ...] | None = None
    groups: tuple[str, ...] | None = None
    department: str | None = None
    language: str | None = None


def attribute_names() -> dict[str, tuple[str, ...]]:
    """The directory's attribute names, the settings' choices over the defaults."""
    configured = getattr(settings, "DIRECTORY_ATTRIBUTES", None) or {}
    names = dict(DEFAULT_NAMES)
    for key, value in configured.items():
        if key in names and value:
            names[key] = (value,) if isinstance(value, str) else tuple(value)
    return names


def _values(source: Mapping[str, Any], names: Iterable[str]) -> list[str] | None:
    """The values of the first of `names` the source holds values for (case-insensitively), as
    strings; [] when it names them without values (an LDAP entry lists every attribute asked
    for), None when it names none of them."""
    lowered = {str(key).lower(): value for key, value in source.items()}
    named = False
    for name in names:
        if name.lower() not in lowered:
            continue
        named = True
        value = lowered[name.lower()]
        items = value if isinstance(value, list | tuple | set) else [value]
        found = [
            item.decode("utf-8", "replace") if isinstance(item, bytes) else str(item)
            for item in items
            if item is not None and item != ""
        ]
        if found:
            return found
    return [] if named else None


def _first(values: list[str] | None, limit: int = 200) -> str | None:
    if values is None:
        return None
    return clean_line(values[0])[:limit] if values else ""


def affiliations_of(values: Iterable[str]) -> tuple[str, ...]:
    """eduPersonAffiliation values as the helpdesk stores them: lower-case, without a scope
    ("member@univ.fr" -> "member"), each once, sorted."""
    cleaned = {clean_line(value).split("@", 1)[0].strip().lower() for value in values}
    return tuple(sorted(value for value in cleaned if value))[:LIST_LIMIT]


def _language(values: list[str] | None) -> str | None:
    if values is None:
        return None
    codes = {code for code, _name in settings.LANGUAGES}
    for value in values:
        code = value.strip()[:2].lower()
        if code in codes:
            return code
    return ""


def read(
    source: Mapping[str, Any], names: Mapping[str, Iterable[str]] | None = None
) -> DirectoryAttributes:
    """The person in a mapping of attribute name -> value(s): CAS attributes, an LDAP entry."""
    names = names or attribute_names()
    name = _first(_values(source, names.get("name", ())))
    if not name:
        first = _first(_values(source, names.get("first_name", ()))) or ""
        last = _first(_values(source, names.get("last_name", ()))) or ""
        joined = " ".join(part for part in (first, last) if part)
        name = joined or name
    email = _first(_values(source, names.get("email", ())), 254)
    affiliations = _values(source, names.get("affiliations", ()))
    groups = _values(source, names.get("groups", ()))
    return DirectoryAttributes(
        uid=_first(_values(source, names.get("uid", ())), 150),
        email=email.strip().lower() if email is not None else None,
        full_name=name,
        affiliations=affiliations_of(affiliations) if affiliations is not None else None,
        groups=(
            tuple(dict.fromkeys(clean_line(g)[:GROUP_LENGTH] for g in groups if clean_line(g)))[
                :LIST_LIMIT
            ]
            if groups is not None
            else None
        ),
        department=_first(_values(source, names.get("department", ()))),
        language=_language(_values(source, names.get("language", ()))),
    )


def from_oidc_claims(claims: Mapping[str, Any]) -> DirectoryAttributes:
    """The directory facts an OpenID Connect provider put in its claims, where it did."""
    found = read(claims, OIDC_NAMES)
    return DirectoryAttributes(
        affiliations=found.affiliations, groups=found.groups, department=found.department
    )


def from_saml_attributes(
    attributes: Mapping[str, Any], mapping: Mapping[str, Any]
) -> DirectoryAttributes:
    """The directory facts in a SAML assertion, by the app's attribute mapping (OIDs)."""
    names = {
        key: [mapping[key]] if isinstance(mapping.get(key), str) else list(mapping.get(key) or [])
        for key in ("affiliations", "groups", "department")
    }
    found = read(attributes, names)
    return DirectoryAttributes(
        affiliations=found.affiliations, groups=found.groups, department=found.department
    )
