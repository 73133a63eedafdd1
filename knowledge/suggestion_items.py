"""The answers suggested while filing, written by Jinja2 (jinja2/knowledge/suggestion_items.jinja).

The suggestions are asked at every pause while a subject is typed, and their results come from
the cache (`results_cache`): what is left is the page's work, and the list of answers was the
largest part of it through Django's template engine (helpdesk/jinja.py says why Jinja2 is
faster). The HTML is the one the Django template wrote. The texts are here, so that the
catalogues find them like any other Python string.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import quote

from django.template.loader import get_template
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from categories.models import Category
from knowledge.models import Article
from tickets import markdown

TEMPLATE = "knowledge/suggestion_items.jinja"


def _around_pk(name: str) -> tuple[str, str]:
    """The address of `name` before and after the article's number: resolved once a list."""
    head, tail = reverse(name, kwargs={"pk": 0}).rsplit("0", 1)
    return head, tail


def render_items(
    articles: Iterable[Article],
    category: Category,
    subject: str,
    token_field: str,
) -> SafeString:
    """Each answer as a `<details>` that opens in place, with "This solved my problem" (a form
    carrying `token_field`, the page's own CSRF token field) and a link to its page that keeps what
    was typed. Jinja2 escapes every value it writes."""
    html = get_template(TEMPLATE, using="jinja2").render(
        {
            "articles": articles,
            "markdown": markdown.render,
            "solved_url": _around_pk("knowledge:solved"),
            "article_url": _around_pk("knowledge:article"),
            "token_field": mark_safe(token_field),  # noqa: S308 - Django's own token field
            "category_slug": category.slug,
            # Django's `urlencode` filter: everything quoted but "/".
            "category_query": quote(category.slug),
            "subject_query": quote(subject),
            # As `{% translate %}` writes them: a translation is not escaped ("l'article").
            "labels": {
                "solved": mark_safe(gettext("This solved my problem")),  # noqa: S308
                "open": mark_safe(gettext("Open the article")),  # noqa: S308
            },
        }
    )
    return mark_safe(html)  # noqa: S308 - autoescaped by the Jinja2 environment
