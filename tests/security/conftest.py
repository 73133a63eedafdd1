"""The people and the ticket the security tests act with."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.factories import CategoryFactory, ServiceFactory, UserFactory, agent_of, head_of
from tickets import services
from tickets.models import Attachment, Ticket

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
ROLES = ("anonymous", "owner", "other", "agent", "foreign_agent", "head", "admin")


@dataclass
class World:
    """A service with its agent and head, another service with its agent, two requesters, an
    administrator, and one open ticket of the first requester with a file and an internal file."""

    people: dict[str, Any]
    ticket: Ticket
    other_ticket: Ticket
    attachment: Attachment
    internal_attachment: Attachment

    def user(self, role: str) -> Any:
        return self.people.get(role)


def role_clients(world: World) -> dict[str, Client]:
    """One test client per role, signed in as that role's person (anonymous: not signed in)."""
    clients = {}
    for role in ROLES:
        client = Client()
        user = world.user(role)
        if user is not None:
            client.force_login(user)
        clients[role] = client
    return clients


@pytest.fixture
def world(db, django_capture_on_commit_callbacks) -> World:
    category = CategoryFactory()
    service = category.service
    foreign_service = ServiceFactory()
    people = {
        "owner": UserFactory(full_name="Camille Owner"),
        "other": UserFactory(full_name="Dominique Other"),
        "agent": agent_of(service),
        "foreign_agent": agent_of(foreign_service),
        "head": head_of(service),
        "admin": UserFactory(is_staff=True, is_superuser=True),
    }
    ticket = services.ticket_create(
        requester=people["owner"],
        category=category,
        subject="Wi-Fi does not connect",
        description="Since Monday.",
    )
    attachment = services.attachment_add(
        ticket=ticket,
        uploader=people["owner"],
        file=SimpleUploadedFile("screen.png", PNG, content_type="image/png"),
    )
    internal = services.attachment_add(
        ticket=ticket,
        uploader=people["agent"],
        file=SimpleUploadedFile("notes.png", PNG, content_type="image/png"),
        internal=True,
    )
    other_ticket = services.ticket_create(
        requester=people["other"],
        category=category,
        subject="Printer jam",
        description="Floor 2.",
    )
    return World(people, ticket, other_ticket, attachment, internal)
