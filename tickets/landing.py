"""Agents, heads and superusers land on the desk when they sign in (see accounts.landing)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from accounts import landing
from tickets import permissions


def desk_for_its_people(user: Any) -> str | None:
    """The desk's address for those who work there, None for requesters."""
    return reverse("desk:home") if permissions.can_use_desk(user) else None


def register() -> None:
    landing.register(desk_for_its_people)
