"""A service in trouble: its categories, its people, and tickets about the same failure."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from categories.models import Category, Service
from incidents import services
from incidents.models import Incident
from tests.factories import CategoryFactory, TicketFactory, UserFactory, agent_of, head_of
from tests.tickets.lifecycle import fast_passwords, notified  # noqa: F401 - fixtures


@dataclass
class Scene:
    service: Service
    network: Category  # "Réseau"
    wifi: Category  # "Réseau › Wi-Fi", below it
    other_category: Category  # another service's
    agent: Any
    head: Any
    other_agent: Any
    student: Any  # French
    teacher: Any  # English
    superuser: Any

    def ticket(self, subject: str = "Eduroam ne marche plus", **kwargs: Any) -> Any:
        kwargs.setdefault("requester", self.student)
        kwargs.setdefault("category", self.wifi)
        return TicketFactory(subject=subject, **kwargs)

    def incident(self, **kwargs: Any) -> Incident:
        kwargs.setdefault("categories", [self.wifi])
        return services.declare(
            actor=kwargs.pop("actor", self.agent),
            service=self.service,
            title=kwargs.pop("title", "Eduroam indisponible"),
            message=kwargs.pop("message", "Le Wi-Fi eduroam est coupé sur le campus Cité."),
            **kwargs,
        )


def make_scene() -> Scene:
    network = CategoryFactory(name="Réseau", slug="reseau")
    wifi = CategoryFactory(name="Wi-Fi", slug="wifi", parent=network, service=None)
    other = CategoryFactory(name="Scolarité", slug="scolarite")
    service = network.handling_service
    return Scene(
        service=service,
        network=network,
        wifi=wifi,
        other_category=other,
        agent=agent_of(service, user__full_name="Alice Agent"),
        head=head_of(service, user__full_name="Hector Head"),
        other_agent=agent_of(other.handling_service, user__full_name="Olga Elsewhere"),
        student=UserFactory(full_name="Camille Martin", preferred_language="fr"),
        teacher=UserFactory(full_name="Taylor Smith", preferred_language="en"),
        superuser=UserFactory(full_name="Sam Super", is_superuser=True, is_staff=True),
    )


@pytest.fixture
def scene(db, fast_passwords) -> Scene:  # noqa: F811
    return make_scene()
