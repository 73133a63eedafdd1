"""Reads for the people around a ticket: who is invited, who follows it, what the reader may do
about it; and the tickets a person is invited to."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet

from tickets import permissions
from tickets.models import Invitation, Ticket, Watcher
from tickets.moves import Move


@dataclass(frozen=True)
class People:
    """The ticket page's "People" box. `watchers` is empty for those who may not see it (only
    the service's agents know who of them follows a ticket)."""

    invitations: list[Invitation]
    watchers: list[Watcher] = field(default_factory=list)
    can_invite: bool = False
    can_leave: bool = False
    can_uninvite: bool = False
    can_watch: bool = False
    can_unwatch: bool = False

    @property
    def shown(self) -> bool:
        return any(
            (
                self.invitations,
                self.watchers,
                self.can_invite,
                self.can_leave,
                self.can_watch,
                self.can_unwatch,
            )
        )


def people_around(ticket: Ticket, user: Any) -> People:
    """Who is invited to the ticket (with who invited them) and, for the service's agents, who
    follows it. Two queries at most; the permission checks that follow read what they loaded."""
    invitations = list(
        Invitation.objects.filter(ticket_id=ticket.pk)
        .select_related("user", "invited_by")
        .order_by("created_at", "pk")
    )
    permissions.remember_people(ticket, invited={i.user_id for i in invitations})
    watchers: list[Watcher] = []
    if permissions.may_act(Move.WATCH, ticket, user):
        watchers = list(
            Watcher.objects.filter(ticket_id=ticket.pk)
            .select_related("agent")
            .order_by("created_at", "pk")
        )
        permissions.remember_people(ticket, watchers={w.agent_id for w in watchers})
    return People(
        invitations=invitations,
        watchers=watchers,
        can_invite=permissions.can_invite(ticket, user),
        can_leave=permissions.can_leave(ticket, user),
        can_uninvite=permissions.can_uninvite(ticket, user),
        can_watch=permissions.can_watch(ticket, user),
        can_unwatch=permissions.can_unwatch(ticket, user),
    )


def invited_tickets(user: Any) -> QuerySet[Ticket]:
    """The tickets the person is invited to, latest activity first, for their "My tickets"."""
    if not user.is_authenticated:
        return Ticket.objects.none()
    return (
        Ticket.objects.filter(invitations__user=user)
        .select_related("service", "category")
        .order_by("-updated_at")
    )
