"""Finding people to invite to a ticket or to file for: the one entry point the pages call.

Without a directory the helpdesk knows only the accounts it has; with one (LDAP, set in the
settings), people the helpdesk has never seen can be found too. Either way the answer has the same
shape, so the pages do not care where a person came from.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.db.models import Q

from accounts import ldap
from accounts.models import User

logger = logging.getLogger(__name__)

# A query shorter than this finds too many people to be useful, and lists the university.
MIN_QUERY_LENGTH = 2


@dataclass(frozen=True)
class Person:
    """Someone a search found: `user` is their account when the helpdesk already has one."""

    email: str
    full_name: str
    user: User | None = None

    @property
    def display_name(self) -> str:
        return self.full_name or self.email


def search_people(query: str, limit: int = 10) -> list[Person]:
    """People whose name or email address contains every word of `query`: the helpdesk's
    accounts first, then (with a directory) the directory's other people, each address once."""
    words = query.split()
    if len(query.strip()) < MIN_QUERY_LENGTH or not words:
        return []
    condition = Q()
    for word in words[:5]:
        condition &= Q(full_name__icontains=word) | Q(email__icontains=word)
    users = User.objects.filter(condition, is_active=True).order_by("full_name", "email")[:limit]
    people = [Person(email=user.email, full_name=user.full_name, user=user) for user in users]
    if len(people) < limit and ldap.enabled():
        people += _directory_people(query, limit - len(people), {p.email for p in people})
    return people


def _directory_people(query: str, limit: int, known: set[str]) -> list[Person]:
    """The directory's people not already listed; one whose address has an account comes with
    it (their name at the university may differ from the helpdesk's)."""
    try:
        found = ldap.find_people(query, limit + len(known))
    except ldap.DirectoryUnavailable as error:
        logger.warning("People search without the directory: %s", error)
        return []
    entries = {}
    for entry in found:
        if entry.email and entry.email not in known and entry.email not in entries:
            entries[entry.email] = entry
    addresses = list(entries)[:limit]
    accounts = {
        user.email.lower(): user
        for user in User.objects.filter(email__in=addresses, is_active=True)
    }
    return [
        Person(
            email=address,
            full_name=entries[address].full_name or "",
            user=accounts.get(address),
        )
        for address in addresses
    ]
