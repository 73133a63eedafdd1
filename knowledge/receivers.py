"""Where the knowledge base meets the tickets: its panel on "Déposer un ticket", and the links to
articles that agents send in replies (counted for the statistics).

`tickets` cannot import this app; it sends signals that these receivers answer.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from categories.models import Category
from knowledge import selectors, services
from tickets import filing_panels
from tickets.models import TicketEvent


def filing_panel(
    sender: Any, *, request: HttpRequest, category: Category, data: Any, **kwargs: Any
) -> SafeString | None:
    """The answers of the category's service that match the subject typed so far (refreshed by
    htmx while typing; without JavaScript, a "search the answers" form)."""
    subject = str(data.get("subject", "") if hasattr(data, "get") else "")[:200]
    if not subject:
        subject = request.GET.get("subject", "")[:200]
    articles = selectors.suggestions(
        request.user, category, subject, language=getattr(request, "LANGUAGE_CODE", "")[:2]
    )
    html = render_to_string(
        "knowledge/_filing_panel.html",
        {"category": category, "subject": subject, "articles": articles},
        request=request,
    )
    return SafeString(html)


def count_links(sender: Any, *, instance: TicketEvent, created: bool, **kwargs: Any) -> None:
    """A public message of an agent that links to articles counts a link for each."""
    if not created or instance.visibility != TicketEvent.Visibility.PUBLIC:
        return
    if not selectors.article_ids_linked_in(instance.text):
        return
    ticket = instance.ticket
    if instance.actor_id is None or instance.actor_id == ticket.requester_id:
        return
    services.record_links_in(instance.text, ticket)


def connect() -> None:
    filing_panels.filing_panels.connect(filing_panel, dispatch_uid="knowledge-filing-panel")
    post_save.connect(count_links, sender=TicketEvent, dispatch_uid="knowledge-count-links")
