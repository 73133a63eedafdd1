"""Full-text search on PostgreSQL: words stemmed in French and English, the title above the text,
through the GIN index; on SQLite, every word as a substring."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from knowledge import selectors
from tests.factories import ServiceFactory, agent_of
from tests.knowledge.conftest import write

pytestmark = pytest.mark.django_db


@pytest.mark.postgres
def test_words_are_stemmed_in_both_languages(postgres, kb):
    english = write(
        kb.agent, kb.service, "Printers", "Adding the printers of room B.", language="en"
    )
    visible = selectors.articles_visible_to(kb.student)
    assert kb.public in selectors.search_articles(visible, "connectez identifiants")
    assert english in selectors.search_articles(visible, "printer")
    assert english not in selectors.search_articles(visible, "printer eduroam")


@pytest.mark.postgres
def test_a_title_match_ranks_above_a_text_match(postgres, kb):
    in_text = write(kb.agent, kb.service, "Réseau invité", "Pour imprimer, passez par eduroam.")
    results = list(selectors.search_articles(selectors.articles_visible_to(kb.student), "eduroam"))
    assert results.index(kb.public) < results.index(in_text)


@pytest.mark.postgres
def test_the_search_condition_goes_through_the_gin_index(postgres, kb):
    """The condition the search filters on is served by the GIN index (the planner, told that
    scanning the table is expensive, picks it: a tiny table is otherwise scanned)."""
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        cursor.execute(
            "EXPLAIN SELECT id FROM knowledge_article "
            "WHERE search_vector @@ plainto_tsquery('french', 'eduroam')"
        )
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("SET enable_seqscan = on")
    assert "knowledge_article_search_gin" in plan


def test_every_word_must_match(kb):
    visible = selectors.articles_visible_to(kb.student)
    assert list(selectors.search_articles(visible, "eduroam profil")) == [kb.public]
    assert list(selectors.search_articles(visible, "eduroam salaire")) == []
    assert list(selectors.search_articles(visible, "  ")) == []


@pytest.mark.postgres
def test_a_common_word_ranks_a_bounded_number_of_matches(postgres, kb, monkeypatch):
    """Past `RANKED_CANDIDATES` matches, the ranked ones are the newest matches and those whose
    title has the words: an article named after the question is found however old it is."""
    named = write(kb.agent, kb.service, "Eduroam sur Android", "Le profil à installer.")
    for i in range(4):
        write(kb.agent, kb.service, f"Réseau {i}", "Passez par eduroam.")
    monkeypatch.setattr(selectors, "RANKED_CANDIDATES", 2)
    visible = selectors.articles_visible_to(kb.student)
    results = list(selectors.search_articles(visible, "eduroam"))
    newest = list(visible.filter(title__startswith="Réseau").order_by("-pk")[:2])
    assert set(results) == {kb.public, named, *newest}
    assert results.index(named) < results.index(newest[0])


def test_a_search_filtered_by_service_ranks_that_services_matches(kb, monkeypatch):
    """The service's condition comes before the ranking: another service's many matches do not
    push the service's own out of the ranked ones."""
    other = ServiceFactory()
    for i in range(3):
        write(agent_of(other), other, f"Wifi {i}", "eduroam ailleurs")
    monkeypatch.setattr(selectors, "RANKED_CANDIDATES", 2)
    client = Client()
    response = client.get(reverse("knowledge:index"), {"q": "eduroam", "service": kb.service.slug})
    assert [link.pk for link in response.context["page"].object_list] == [kb.public.pk]


def test_a_students_search_reads_three_queries(kb, django_assert_num_queries):
    """The session, the person (who comes with whether they work in a service) and the
    articles: no query for the memberships of someone who has none. The same words searched
    again read no articles: their results are kept until an article changes."""
    client = Client()
    client.force_login(kb.student)
    url = reverse("knowledge:index")
    client.get(url)  # warms the session
    with django_assert_num_queries(3):
        response = client.get(url, {"q": "eduroam"})
    assert [link.title for link in response.context["page"].object_list] == [kb.public.title]
    with django_assert_num_queries(2):
        again = client.get(url, {"q": "eduroam"})
    assert again.context["page"].object_list == response.context["page"].object_list
