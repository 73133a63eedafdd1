"""A service with its agent and head, another service's agent, a student, and one published
article of each visibility plus a draft, all in the first service's category "Wi-Fi"."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from knowledge import services
from knowledge.models import Article
from tests.factories import CategoryFactory, ServiceFactory, UserFactory, agent_of, head_of


@dataclass
class KB:
    service: Any
    category: Any
    student: Any
    agent: Any
    head: Any
    foreign_agent: Any
    admin: Any
    public: Article
    members: Article
    agents: Article
    draft: Article

    def article(self, name: str) -> Article:
        return getattr(self, name)


def write(
    actor: Any, service: Any, title: str, body: str, *, categories=(), **data: Any
) -> Article:
    """An article saved as its service's agent would save it."""
    data = {
        "title": title,
        "body": body,
        "language": "fr",
        "visibility": Article.Visibility.PUBLIC,
        "status": Article.Status.PUBLISHED,
        **data,
    }
    return services.article_save(
        actor=actor, service=service, data=data, categories=list(categories)
    )


@pytest.fixture
def kb(db) -> KB:
    category = CategoryFactory(name="Wi-Fi", slug="wifi")
    service = category.service
    agent = agent_of(service)
    v = Article.Visibility
    return KB(
        service=service,
        category=category,
        student=UserFactory(full_name="Camille Student"),
        agent=agent,
        head=head_of(service),
        foreign_agent=agent_of(ServiceFactory()),
        admin=UserFactory(is_staff=True, is_superuser=True),
        public=write(
            agent,
            service,
            "Se connecter à eduroam",
            "Installez le profil eduroam (wifi) puis saisissez votre identifiant.",
            categories=[category],
            visibility=v.PUBLIC,
        ),
        members=write(
            agent,
            service,
            "Réinitialiser son mot de passe",
            "Rendez-vous sur la page du compte numérique : wifi et messagerie.",
            categories=[category],
            visibility=v.MEMBERS,
        ),
        agents=write(
            agent,
            service,
            "Redémarrer le contrôleur wifi",
            "Procédure interne : contrôleur wifi du bâtiment B.",
            categories=[category],
            visibility=v.AGENTS,
        ),
        draft=write(
            agent,
            service,
            "Brouillon wifi invité",
            "Le réseau wifi invité, en cours de rédaction.",
            categories=[category],
            status=Article.Status.DRAFT,
        ),
    )
