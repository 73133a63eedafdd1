"""The knowledge base on "Déposer un ticket": answers matching the subject, "Cela a résolu mon
problème" files nothing, and filing goes on with what was typed."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from knowledge import selectors
from knowledge.models import ArticleEvent
from tests.knowledge.conftest import write
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def student(kb) -> Client:
    client = Client()
    client.force_login(kb.student)
    return client


def test_the_ticket_form_shows_the_category_answers_and_a_search_step(kb, student):
    """Once the category is chosen, its answers show above the form, refreshed by htmx as the
    subject is typed; without JavaScript a search form leads to the answers."""
    page = student.get(reverse("tickets:create"), {"category": kb.category.slug}).content.decode()
    assert "Maybe the answer is already here" in page or "La réponse est peut-être" in page
    assert kb.public.title in page
    assert kb.agents.title not in page
    assert 'hx-trigger="keyup changed delay:300ms from:#id_subject"' in page
    assert 'hx-include="#id_subject"' in page
    assert f'action="{reverse("knowledge:index")}"' in page


def test_suggestions_follow_the_subject(kb, student):
    """The words typed pick the answers: "eduroam" finds the eduroam article only."""
    response = student.get(
        reverse("knowledge:suggest"),
        {"category": kb.category.slug, "subject": "problème eduroam"},
    )
    page = response.content.decode()
    assert kb.public.title in page
    assert kb.members.title not in page


def test_suggestions_are_the_category_service_articles_only(kb, student):
    """Another service's article never shows in this category's suggestions."""
    from tests.factories import CategoryFactory, agent_of
    from tests.knowledge.conftest import write

    elsewhere = CategoryFactory()
    write(agent_of(elsewhere.service), elsewhere.service, "eduroam ailleurs", "eduroam")
    page = student.get(
        reverse("knowledge:suggest"), {"category": kb.category.slug, "subject": "eduroam"}
    ).content.decode()
    assert "eduroam ailleurs" not in page


def test_suggest_without_a_category_is_a_bad_request(kb, student):
    assert student.get(reverse("knowledge:suggest"), {"subject": "wifi"}).status_code == 400


def test_this_solved_my_problem_records_an_avoided_ticket_and_files_nothing(kb, student):
    response = student.post(
        reverse("knowledge:solved", kwargs={"pk": kb.public.pk}), {"category": kb.category.slug}
    )
    assert response.status_code == 302
    assert Ticket.objects.count() == 0
    event = ArticleEvent.objects.get(kind=ArticleEvent.Kind.AVOIDED)
    assert (event.article, event.category) == (kb.public, kb.category)
    page = student.get(response["Location"]).content.decode()
    assert kb.public.title in page


def test_the_search_step_leads_back_to_the_form_with_the_subject(kb, student):
    """Without JavaScript: the search lists the answers and a link back to the ticket form, which
    comes back with the subject typed."""
    page = student.get(
        reverse("knowledge:index"), {"q": "eduroam", "category": kb.category.slug}
    ).content.decode()
    assert kb.public.title in page
    back = f"{reverse('tickets:create')}?category={kb.category.slug}&amp;subject=eduroam"
    assert back in page
    form = student.get(
        reverse("tickets:create"), {"category": kb.category.slug, "subject": "eduroam"}
    )
    assert 'value="eduroam"' in form.content.decode()


def test_an_article_opened_from_the_form_offers_both_ways(kb, student):
    url = reverse("knowledge:article", kwargs={"pk": kb.public.pk})
    page = student.get(url, {"category": kb.category.slug, "subject": "wifi ko"}).content.decode()
    assert reverse("knowledge:solved", kwargs={"pk": kb.public.pk}) in page
    assert f"?category={kb.category.slug}&amp;subject=wifi+ko" in page
    assert ArticleEvent.objects.filter(kind=ArticleEvent.Kind.VIEW, category=kb.category).exists()


def test_filing_still_files(kb, student):
    """Not solved: the form files the ticket as before."""
    response = student.post(
        reverse("tickets:create"),
        {"category": kb.category.slug, "subject": "Wi-Fi", "description": "Still down."},
    )
    assert response.status_code == 302
    assert Ticket.objects.get().subject == "Wi-Fi"


def test_the_category_answers_come_first(kb, student):
    """An answer of the same service filed under another category comes after the category's."""
    from tests.factories import CategoryFactory
    from tests.knowledge.conftest import write

    other = CategoryFactory(name="VPN", parent=kb.category.parent, service=kb.service)
    write(kb.agent, kb.service, "Aaa eduroam et VPN", "eduroam", categories=[other])
    page = student.get(
        reverse("knowledge:suggest"), {"category": kb.category.slug, "subject": "eduroam"}
    ).content.decode()
    assert page.index(kb.public.title) < page.index("Aaa eduroam et VPN")


@pytest.mark.parametrize("language", ["fr", "en"])
def test_an_answer_in_both_languages_is_offered_once_in_the_person_language(kb, language):
    from knowledge import services
    from tests.knowledge.conftest import write

    english = write(kb.agent, kb.service, "Connecting to eduroam", "eduroam", language="en")
    services.article_save(
        actor=kb.agent, service=kb.service, data={}, article=english, translation=kb.public
    )
    kb.student.preferred_language = language
    kb.student.save()
    client = Client()
    client.force_login(kb.student)
    page = client.get(
        reverse("knowledge:suggest"),
        {"category": kb.category.slug, "subject": "eduroam"},
        HTTP_ACCEPT_LANGUAGE=language,
    ).content.decode()
    shown, hidden = (
        (kb.public.title, english.title) if language == "fr" else (english.title, kb.public.title)
    )
    assert shown in page
    assert hidden not in page


@pytest.mark.postgres
def test_the_categorys_answers_are_among_the_ranked_suggestions(postgres, kb, monkeypatch):
    """However many newer answers of the service match, those filed under the category being
    filed in are ranked, and come first."""
    for i in range(3):
        write(kb.agent, kb.service, f"Imprimantes {i}", "eduroam et imprimantes")
    monkeypatch.setattr(selectors, "RANKED_CANDIDATES", 1)
    found = selectors.suggestions(kb.student, kb.category, "eduroam imprimante")
    assert found[0] == kb.public
