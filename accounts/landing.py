"""Where a person lands after signing in, when the sign-in follows no link of its own.

An app above accounts registers a rule from its AppConfig.ready() (the desk sends its agents to
it): accounts knows no app above it. The first rule that names a page wins; without one the person
lands on LOGIN_REDIRECT_URL.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from accounts.models import User

Rule = Callable[["User"], str | None]

_rules: list[Rule] = []


def register(rule: Rule) -> None:
    if rule not in _rules:
        _rules.append(rule)


def landing_url(user: User) -> str | None:
    """The page a registered rule sends this person to, or None."""
    for rule in _rules:
        url = rule(user)
        if url:
            return url
    return None
