"""The knowledge base in the statistics: readings, avoided tickets, links in replies, busy
categories without an article, and the share of tickets transferred before and after."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from knowledge import selectors, services
from knowledge.models import ArticleEvent
from tests.factories import CategoryFactory, TicketFactory
from tickets.models import TicketEvent

pytestmark = pytest.mark.django_db


def test_figures_count_readings_avoided_tickets_and_links(kb):
    services.record(kb.public, ArticleEvent.Kind.VIEW)
    services.record(kb.public, ArticleEvent.Kind.VIEW)
    services.record(kb.public, ArticleEvent.Kind.AVOIDED, category=kb.category)
    services.record(kb.members, ArticleEvent.Kind.LINKED)
    busy = CategoryFactory(name="Messagerie", service=kb.service)
    tickets = [TicketFactory(category=busy) for _i in range(5)]
    TicketEvent.objects.create(ticket=tickets[0], kind=TicketEvent.Kind.TRANSFERRED)
    now = timezone.now()
    stats = selectors.knowledge_stats(kb.service, now - timezone.timedelta(days=7), now)
    assert (stats.articles, stats.views, stats.avoided, stats.linked) == (3, 2, 1, 1)
    assert stats.top_articles[0]["article__title"] == kb.public.title
    assert [row["category__name"] for row in stats.uncovered_categories] == ["Messagerie"]
    assert stats.transferred_share == pytest.approx(0.2)
    assert stats.transferred_share_before is None


def test_the_statistics_page_loads_the_section_and_the_csv(kb):
    services.record(kb.public, ArticleEvent.Kind.AVOIDED)
    client = Client()
    client.force_login(kb.agent)
    query = {"service": kb.service.pk, "period": "30"}
    page = client.get(reverse("desk:stats"), query).content.decode()
    assert reverse("knowledge:stats") in page
    fragment = client.get(reverse("knowledge:stats"), query, HTTP_HX_REQUEST="true")
    assert kb.public.title in fragment.content.decode()
    response = client.get(reverse("knowledge:stats_export"), query)
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert response["Content-Type"].startswith("text/csv")
    assert kb.public.title in text


def test_the_figures_are_for_the_service_people_only(kb):
    client = Client()
    client.force_login(kb.student)
    query = {"service": kb.service.pk}
    assert client.get(reverse("knowledge:stats"), query).status_code == 404
    assert client.get(reverse("knowledge:stats_export"), query).status_code == 404
