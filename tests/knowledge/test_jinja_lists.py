"""The answers suggested while filing, and the pages of the answers' list, are written by
Jinja2 with the HTML the Django template wrote: the same escaping, addresses, translations and
token field; and the suggested form still says "This solved my problem"."""

from __future__ import annotations

import re

import pytest
from django.template import engines
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import translation

from knowledge import selectors
from knowledge.models import ArticleEvent
from tests.knowledge.conftest import write

pytestmark = pytest.mark.django_db

# The list as the Django template wrote it before Jinja2 did.
DJANGO_LIST = """{% load i18n helpdesk_text %}{% for article in articles %}
    <details class="kb-suggestion mb-2" lang="{{ article.language }}">
      <summary class="fw-semibold">{{ article.title }}</summary>
      <div class="kb-body border-start ps-3 my-2">{{ article.body|markdown }}</div>
      <div class="d-flex flex-wrap gap-3 align-items-center">
        <form method="post" action="{% url 'knowledge:solved' article.pk %}">{% csrf_token %}
          <input type="hidden" name="category" value="{{ category.slug }}">
          <button type="submit" class="btn btn-sm btn-success">{% translate "This solved my problem" %}</button>
        </form>
        <a href="{{ article.get_absolute_url }}?category={{ category.slug|urlencode }}&amp;subject={{ subject|urlencode }}">{% translate "Open the article" %}</a>
      </div>
    </details>
  {% endfor %}"""  # noqa: E501
TOKEN = re.compile(r'(?<=name="csrfmiddlewaretoken" value=")\w+')
JINJA_LIST = "{% load knowledge_suggestions %}{% suggestion_items articles category subject %}"


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_list_is_the_html_the_django_template_wrote(kb, language):
    write(
        kb.agent,
        kb.service,
        'Wifi <script>alert("x")</script> & “eduroam”',
        "**Gras** <b>typé</b> [lien](javascript:alert(1)) & l'accès\n\n- un\n- deux",
        categories=[kb.category],
        language="en",
    )
    request = RequestFactory().get("/")
    request.user = kb.student
    subject = "l'accès <b> & wifi/eduroam ?"
    with translation.override(language):
        articles = selectors.suggestions(kb.student, kb.category, "wifi eduroam accès")
        assert len(articles) >= 2
        context = {"articles": articles, "category": kb.category, "subject": subject}
        expected = engines["django"].from_string(DJANGO_LIST).render(context, request)
        written = engines["django"].from_string(JINJA_LIST).render(context, request)
    # Each rendering masks the token afresh; within one, every form carries the same.
    tokens = re.findall(r'name="csrfmiddlewaretoken" value="(\w+)"', written)
    assert len(tokens) == len(articles)
    assert len(set(tokens)) == 1
    assert TOKEN.sub("TOKEN", written) == TOKEN.sub("TOKEN", expected)
    assert "&lt;script&gt;" in written


def test_the_suggested_form_says_it_solved_the_problem(kb):
    """The token field written by Jinja2 is the page's: the form passes the CSRF check."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(kb.student)
    page = client.get(
        reverse("knowledge:suggest"), {"category": kb.category.slug, "subject": "eduroam"}
    ).content.decode()
    action = re.search(r'<form method="post" action="([^"]+)">', page).group(1)
    token = re.search(r'name="csrfmiddlewaretoken" value="(\w+)"', page).group(1)
    response = client.post(action, {"csrfmiddlewaretoken": token, "category": kb.category.slug})
    assert response.status_code == 302
    assert ArticleEvent.objects.filter(
        article=kb.public, kind=ArticleEvent.Kind.AVOIDED, category=kb.category
    ).exists()


# A page of the answers' list as the Django template wrote it before Jinja2 did.
DJANGO_RESULTS = """{% for article in page %}
        <li class="mb-3">
          <a class="fw-semibold" href="{{ article.url }}{% if filing %}?category={{ filing.slug|urlencode }}&amp;subject={{ text|urlencode }}{% endif %}" lang="{{ article.language }}">{{ article.title }}</a>
          <div class="small text-body-secondary">{{ article.service_name }}</div>
        </li>
      {% endfor %}"""  # noqa: E501
JINJA_RESULTS = "{% load knowledge_results %}{% result_items page filing text %}"


@pytest.mark.parametrize("filing", [True, False])
def test_the_result_list_is_the_html_the_django_template_wrote(kb, filing):
    write(kb.agent, kb.service, 'Wifi <script>"x"</script> & “eduroam”', "wifi", language="en")
    page = selectors.article_links(
        selectors.articles_for_browsing(kb.agent, service=kb.service).values_list(
            *selectors.LINK_FIELDS
        )
    )
    context = {
        "page": page,
        "filing": kb.category if filing else None,
        "text": "l'accès <b> & wifi/eduroam ?",
    }
    expected = engines["django"].from_string(DJANGO_RESULTS).render(context)
    written = engines["django"].from_string(JINJA_RESULTS).render(context)
    assert written == expected
    assert "&lt;script&gt;" in written
    assert ("&amp;subject=" in written) is filing
