"""Who reads which article, everywhere an article can appear: its page, the search, the
suggestions while filing and `articles_visible_to` (which the API reads).

An agents-only article reaches the services' agents, heads and superusers and nobody else; a
members article needs a signed-in person; a draft is read only by its service's people, on its
page, and never appears in a search or a suggestion.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from knowledge import selectors

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "student", "agent", "head", "foreign_agent", "admin")
# Which roles read each article on its page (others: 404, the article's existence not confirmed).
READS_PAGE = {
    "public": set(ROLES),
    "members": {"student", "agent", "head", "foreign_agent", "admin"},
    "agents": {"agent", "head", "foreign_agent", "admin"},
    "draft": {"agent", "head", "admin"},
}
# Which roles find each article in the search and the suggestions: drafts never.
FINDS = {**READS_PAGE, "draft": set()}


def _client(kb, role: str) -> Client:
    client = Client()
    if role != "anonymous":
        client.force_login(getattr(kb, role))
    return client


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", list(READS_PAGE))
def test_article_page(kb, role, name):
    """The article's page answers 200 to those who may read it, 404 to everyone else."""
    article = kb.article(name)
    response = _client(kb, role).get(reverse("knowledge:article", kwargs={"pk": article.pk}))
    assert response.status_code == (200 if role in READS_PAGE[name] else 404)
    if response.status_code == 200:
        assert article.title in response.content.decode()


@pytest.mark.parametrize("role", ROLES)
def test_search_lists_only_what_the_person_may_read(kb, role):
    """The search lists the articles of the visibilities open to the person, never a draft."""
    page = _client(kb, role).get(reverse("knowledge:index"), {"q": "wifi"}).content.decode()
    for name in READS_PAGE:
        assert (kb.article(name).title in page) == (role in FINDS[name]), name


@pytest.mark.parametrize("role", ROLES)
def test_suggestions_while_filing_list_only_what_the_person_may_read(kb, role):
    """The suggestions shown while typing a subject follow the same rule."""
    response = _client(kb, role).get(
        reverse("knowledge:suggest"), {"category": kb.category.slug, "subject": "wifi"}
    )
    page = response.content.decode()
    for name in READS_PAGE:
        assert (kb.article(name).title in page) == (role in FINDS[name]), name


@pytest.mark.parametrize("role", ROLES)
def test_articles_visible_to(kb, role):
    """The selector the API uses: published articles only, the same visibilities."""
    user = None if role == "anonymous" else getattr(kb, role)
    visible = set(selectors.articles_visible_to(user).values_list("pk", flat=True))
    expected = {kb.article(name).pk for name in READS_PAGE if role in FINDS[name]}
    assert visible == expected


def test_an_inactive_agent_reads_as_nobody(kb):
    """A disabled account is no longer an agent: public articles only."""
    kb.agent.is_active = False
    kb.agent.save()
    assert set(selectors.articles_visible_to(kb.agent)) == {kb.public}


@pytest.mark.parametrize("role", ROLES)
def test_solved_needs_an_article_the_person_may_read(kb, role):
    """ "Cela a résolu mon problème" on an agents-only article is a 404 for a student."""
    url = reverse("knowledge:solved", kwargs={"pk": kb.agents.pk})
    response = _client(kb, role).post(url, {"category": kb.category.slug})
    assert response.status_code == (302 if role in FINDS["agents"] else 404)
