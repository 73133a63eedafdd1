"""A small world for notification tests: one service with three members, a requester, and a
second service to transfer tickets to."""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace

import pytest

from tests.factories import (
    CategoryFactory,
    ServiceFactory,
    TicketFactory,
    UserFactory,
    agent_of,
    head_of,
)

ALERT = "it-alerts@univ.example"


def headline(message) -> str:
    """What happened, as the first line of the body says it (below the reply marker, if any)."""
    lines = [line for line in message.body.splitlines() if line and not line.startswith("##-")]
    return lines[0]


@pytest.fixture(autouse=True)
def _tasks_in_process(settings) -> Iterator[None]:
    """Tasks run in this process right after the commit, as with `make run` (no broker), even if
    the environment names one; the delivery tests hand them to a real worker instead."""
    from helpdesk.celery import app

    saved = app.conf.task_always_eager
    settings.CELERY_TASK_ALWAYS_EAGER = True
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = saved


@pytest.fixture
def world(db) -> SimpleNamespace:
    service = ServiceFactory(name="Informatique", alert_email=ALERT)
    other_service = ServiceFactory(name="Scolarité")
    category = CategoryFactory(name="Messagerie", service=service)
    other_category = CategoryFactory(name="Inscriptions", service=other_service)
    requester = UserFactory(
        email="camille@univ.example", full_name="Camille Martin", preferred_language="fr"
    )
    assignee = agent_of(
        service,
        user=UserFactory(
            email="alex@univ.example", full_name="Alex Agent", preferred_language="en"
        ),
    )
    agent2 = agent_of(service, user=UserFactory(email="noa@univ.example", full_name="Noa Agent"))
    head = head_of(service, user=UserFactory(email="sam@univ.example", full_name="Sam Head"))
    other_agent = agent_of(
        other_service, user=UserFactory(email="lou@univ.example", full_name="Lou Scolarite")
    )
    return SimpleNamespace(
        service=service,
        other_service=other_service,
        category=category,
        other_category=other_category,
        requester=requester,
        assignee=assignee,
        agent2=agent2,
        head=head,
        other_agent=other_agent,
    )


@pytest.fixture
def ticket(world):
    """An open ticket of the world's requester, in the first service."""
    return TicketFactory(
        requester=world.requester,
        category=world.category,
        subject="Mot de passe <oublié>",
        description="Je ne peux plus me connecter.",
    )
