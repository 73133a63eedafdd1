"""The knowledge base's pages read a fixed number of queries, whatever the number of articles."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.knowledge.conftest import write

pytestmark = pytest.mark.django_db


def _count(client: Client, url: str, params: dict) -> int:
    """The page's queries with nothing kept in the cache (`knowledge.results_cache`)."""
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, params).status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("knowledge:index", {}),
        ("knowledge:index", {"q": "wifi"}),
        ("knowledge:index", {"service": "{service}"}),
        ("knowledge:suggest", {"category": "wifi", "subject": "wifi eduroam"}),
        ("knowledge:manage", {}),
    ],
)
def test_pages_read_the_same_queries_for_4_and_24_articles(kb, name, params):
    client = Client()
    client.force_login(kb.agent)
    params = {k: v.format(service=kb.service.slug) for k, v in params.items()}
    url = reverse(name)
    client.get(url, params)  # warms the session and the content types
    first = _count(client, url, params)
    for i in range(20):
        write(kb.agent, kb.service, f"Wifi {i}", "wifi eduroam", categories=[kb.category])
    assert _count(client, url, params) == first


def test_the_article_page_reads_a_fixed_number_of_queries(kb, django_assert_num_queries):
    """At most eight: session, user, the article with its service, author and other language,
    its categories, the reading counted, the other language's visibility."""
    client = Client()
    client.force_login(kb.student)
    url = kb.public.get_absolute_url()
    client.get(url)
    with django_assert_num_queries(_count(client, url, {})):
        client.get(url)
    assert _count(client, url, {}) <= 8
