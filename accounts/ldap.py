"""The university's LDAP directory (SupAnn / eduPerson), read-only, through ldap3.

Two questions are asked of it: who matches a search (`find_people`, for invitations and filing on
someone's behalf) and what it says of one person (`find_person`, at each sign-in). It is optional
(LDAP_URL); when it is slow or down the helpdesk carries on with what it knows, and logs why.
"""

from __future__ import annotations

import logging
import ssl
from collections.abc import Iterator
from contextlib import contextmanager, suppress

import ldap3
from django.conf import settings
from ldap3.core.exceptions import LDAPException
from ldap3.utils.conv import escape_filter_chars

from accounts import attributes
from accounts.attributes import DirectoryAttributes

logger = logging.getLogger(__name__)

# Words of a search, at most; each must match the person's name, email or login.
MAX_WORDS = 5


class DirectoryUnavailable(Exception):
    """The directory could not be asked (unreachable, refused the bind, timed out)."""


def enabled() -> bool:
    return bool(getattr(settings, "LDAP_URL", "") and getattr(settings, "LDAP_PEOPLE_BASE", ""))


@contextmanager
def _connection() -> Iterator[ldap3.Connection]:
    timeout = settings.LDAP_TIMEOUT
    # ldap3 checks no certificate unless told: the directory's is checked (name included) against
    # the system's authorities, or LDAP_CA_FILE's, before the helpdesk's password is sent.
    tls = ldap3.Tls(
        validate=ssl.CERT_REQUIRED, ca_certs_file=getattr(settings, "LDAP_CA_FILE", "") or None
    )
    server = ldap3.Server(settings.LDAP_URL, connect_timeout=timeout, get_info=ldap3.NONE, tls=tls)
    connection = ldap3.Connection(
        server,
        user=settings.LDAP_BIND_DN or None,
        password=settings.LDAP_BIND_PASSWORD or None,
        read_only=True,
        receive_timeout=timeout,
    )
    try:
        connection.open()
        if settings.LDAP_START_TLS and not connection.start_tls():
            raise DirectoryUnavailable(f"StartTLS refused: {connection.result}")
        if not connection.bind():
            raise DirectoryUnavailable(f"bind refused: {connection.result}")
        yield connection
    except LDAPException as error:
        raise DirectoryUnavailable(str(error)) from error
    finally:
        with suppress(LDAPException):
            connection.unbind()


def _requested() -> list[str]:
    names = attributes.attribute_names()
    return sorted({name for values in names.values() for name in values})


def _search(filter_: str, limit: int) -> list[DirectoryAttributes]:
    with _connection() as connection:
        connection.search(
            settings.LDAP_PEOPLE_BASE,
            f"(&{settings.LDAP_PEOPLE_FILTER}{filter_})",
            attributes=_requested(),
            size_limit=limit,
            time_limit=settings.LDAP_TIMEOUT,
        )
        # 0: done; 4: more entries than the limit, the first ones are there; 32: no such base.
        if connection.result.get("result") not in (0, 4, 32):
            raise DirectoryUnavailable(f"search refused: {connection.result}")
        entries = list(connection.response or [])
    return [
        attributes.read(entry.get("attributes") or {})
        for entry in entries
        if entry.get("type") == "searchResEntry"
    ]


def find_people(query: str, limit: int = 10) -> list[DirectoryAttributes]:
    """People of the directory whose name, email or login contains every word of `query`,
    those with an email address only (the helpdesk writes to people)."""
    names = attributes.attribute_names()
    searched = names["name"] + names["last_name"] + names["first_name"] + names["email"]
    condition = ""
    for word in query.split()[:MAX_WORDS]:
        escaped = escape_filter_chars(word)
        alternatives = "".join(f"({name}=*{escaped}*)" for name in searched)
        alternatives += "".join(f"({name}={escaped})" for name in names["uid"])
        condition += f"(|{alternatives})"
    if not condition:
        return []
    has_mail = "".join(f"({name}=*)" for name in names["email"])
    people = _search(f"{condition}(|{has_mail})", limit)
    return [person for person in people if person.email]


def find_person(*, uid: str | None = None, email: str | None = None) -> DirectoryAttributes | None:
    """The directory's entry for a login (preferred: it survives address changes) or an email."""
    names = attributes.attribute_names()
    if uid:
        keys, value = names["uid"], uid
    elif email:
        keys, value = names["email"], email
    else:
        return None
    escaped = escape_filter_chars(value)
    found = _search("(|" + "".join(f"({key}={escaped})" for key in keys) + ")", 2)
    if len(found) != 1:
        if len(found) > 1:
            logger.warning("The directory holds several entries for %s; none is used.", value)
        return None
    return found[0]
