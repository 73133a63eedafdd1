"""A page of the answers' list (search results, a service's or a category's articles), written
by Jinja2 (jinja2/knowledge/result_items.jinja).

Its 25 rows were the page's largest part through Django's template engine beyond the frame
every page shares (helpdesk/jinja.py says why Jinja2 is faster). The HTML is the one the Django
template wrote.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import quote

from django.template.loader import get_template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from categories.models import Category
from knowledge.selectors import ArticleLink

TEMPLATE = "knowledge/result_items.jinja"


def render_items(links: Iterable[ArticleLink], filing: Category | None, text: str) -> SafeString:
    """Each article's `<li>`: its title linking to its page (with, for someone filing a ticket,
    the category and what they typed, so that the page leads back to the form) and its
    service. Jinja2 escapes every value it writes."""
    query = ""
    if filing is not None:
        # Django's `urlencode` filter (everything quoted but "/"), escaped as the page writes it.
        query = mark_safe(  # noqa: S308 - escaped here
            f"?category={escape(quote(filing.slug))}&amp;subject={escape(quote(text))}"
        )
    html = get_template(TEMPLATE, using="jinja2").render({"links": links, "query": query})
    return mark_safe(html)  # noqa: S308 - autoescaped by the Jinja2 environment
