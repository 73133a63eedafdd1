"""The search's and the suggestions' results are kept in the cache: a change to an article is
seen at once, each class of reader keeps its own results, and a cache that is down only costs
the queries."""

from __future__ import annotations

from unittest import mock

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from knowledge import results_cache, selectors
from knowledge.models import Article
from tests.knowledge.conftest import write

pytestmark = pytest.mark.django_db


def _titles(client: Client, q: str) -> list[str]:
    response = client.get(reverse("knowledge:index"), {"q": q})
    return [link.title for link in response.context["page"].object_list]


def _suggested(user, kb, subject: str) -> list[str]:
    return [a.title for a in selectors.suggestions(user, kb.category, subject, language="fr")]


def test_an_article_written_is_found_by_the_next_search(kb):
    client = Client()
    client.force_login(kb.student)
    assert _titles(client, "eduroam") == [kb.public.title]
    added = write(kb.agent, kb.service, "Eduroam sur Android", "Le profil eduroam sur Android.")
    assert set(_titles(client, "eduroam")) == {kb.public.title, added.title}


def test_an_article_changed_or_deleted_leaves_the_results(kb):
    client = Client()
    client.force_login(kb.student)
    assert _titles(client, "eduroam") == [kb.public.title]
    assert _suggested(kb.student, kb, "eduroam") == [kb.public.title]
    kb.public.visibility = Article.Visibility.AGENTS
    kb.public.save()
    assert _titles(client, "eduroam") == []
    assert _suggested(kb.student, kb, "eduroam") == []
    kb.public.delete()
    assert _suggested(kb.agent, kb, "eduroam") == []


def test_an_article_filed_under_another_category_leaves_the_categorys_suggestions(kb):
    assert kb.public.title in _suggested(kb.student, kb, "")
    kb.public.categories.clear()
    assert kb.public.title not in _suggested(kb.student, kb, "")


def test_each_class_of_reader_keeps_its_own_results(kb):
    agent = Client()
    agent.force_login(kb.agent)
    student = Client()
    student.force_login(kb.student)
    assert kb.agents.title in _titles(agent, "contrôleur")
    assert _titles(student, "contrôleur") == []
    assert _titles(Client(), "contrôleur") == []
    assert kb.agents.title in _suggested(kb.agent, kb, "contrôleur")
    assert _suggested(kb.student, kb, "contrôleur") == []
    assert kb.members.title in _titles(student, "réinitialiser")
    assert _titles(Client(), "réinitialiser") == []


def test_the_same_words_read_no_articles_again(kb):
    with CaptureQueriesContext(connection) as first:
        found = selectors.suggestions(kb.student, kb.category, "wifi eduroam", language="fr")
    with CaptureQueriesContext(connection) as again:
        kept = selectors.suggestions(kb.student, kb.category, "  wifi, eduroam!", language="fr")
    assert len(first) >= 1
    assert len(again) == 0
    assert [(a.pk, a.title, a.body, a.language) for a in kept] == [
        (a.pk, a.title, a.body, a.language) for a in found
    ]


def test_a_cache_that_is_down_only_costs_the_queries(kb):
    broken = mock.Mock(side_effect=ConnectionError("cache down"))
    client = Client()
    client.force_login(kb.student)
    with (
        mock.patch.object(results_cache.cache, "get", broken),
        mock.patch.object(results_cache.cache, "set", broken),
        mock.patch.object(results_cache.cache, "add", broken),
    ):
        assert _titles(client, "eduroam") == [kb.public.title]
        assert _suggested(kb.student, kb, "eduroam") == [kb.public.title]
        write(kb.agent, kb.service, "Eduroam sur Android", "Le profil eduroam sur Android.")
        assert len(_titles(client, "eduroam")) == 2


def test_zero_seconds_keeps_nothing(kb, settings):
    settings.KNOWLEDGE_RESULTS_SECONDS = 0
    selectors.suggestions(kb.student, kb.category, "wifi eduroam", language="fr")
    with CaptureQueriesContext(connection) as again:
        selectors.suggestions(kb.student, kb.category, "wifi eduroam", language="fr")
    assert len(again) >= 1
