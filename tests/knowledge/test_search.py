"""Full-text search on PostgreSQL: words stemmed in French and English, the title above the text,
through the GIN index; on SQLite, every word as a substring."""

from __future__ import annotations

import pytest
from django.db import connection

from knowledge import selectors
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
