"""Finding people to invite to a ticket or to file for: the one entry point the pages call.

Without a directory the helpdesk knows only the accounts it has; with one (LDAP, set in the
settings), people the helpdesk has never seen can be found too. Either way the answer has the same
shape, so the pages do not care where a person came from.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from accounts.models import User

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
    """People whose name or email address contains every word of `query`, accounts first."""
    words = query.split()
    if len(query.strip()) < MIN_QUERY_LENGTH or not words:
        return []
    condition = Q()
    for word in words[:5]:
        condition &= Q(full_name__icontains=word) | Q(email__icontains=word)
    users = User.objects.filter(condition, is_active=True).order_by("full_name", "email")[:limit]
    return [Person(email=user.email, full_name=user.full_name, user=user) for user in users]
