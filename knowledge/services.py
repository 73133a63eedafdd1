"""Every write of the knowledge base: saving an article (with its revision and its search vector),
and the counts the statistics read (a reading, an avoided ticket, a link sent in a reply)."""

from __future__ import annotations

from typing import Any

from django.contrib.postgres.search import SearchVector
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from categories.models import Category, Service
from knowledge import results_cache, selectors
from knowledge.models import Article, ArticleEvent, ArticleRevision
from tickets.models import Ticket

EDITABLE_FIELDS = ("title", "body", "language", "visibility", "status", "reviewed_on")


def refresh_search_vectors(articles: QuerySet[Article]) -> None:
    """These articles' full-text vectors, each in its language, title above text (PostgreSQL
    only); bulk loaders (the benchmark, imports) call it once for all their rows."""
    results_cache.changed()
    if connection.vendor != "postgresql":
        return
    for language, config in selectors.SEARCH_CONFIGS.items():
        articles.filter(language=language).update(
            search_vector=SearchVector("title", weight="A", config=config)
            + SearchVector("body", weight="B", config=config),
            title_vector=SearchVector("title", config=config),
        )


def _refresh_search_vector(article: Article) -> None:
    """The article's full-text vector, in its language, title above text (PostgreSQL only)."""
    refresh_search_vectors(Article.objects.filter(pk=article.pk))


def _link_translation(article: Article, translation: Article | None) -> None:
    """Both versions point at each other; a version they replace is let go."""
    previous = article.translation
    if previous is not None and previous != translation:
        Article.objects.filter(pk=previous.pk, translation=article).update(translation=None)
    if translation is not None:
        if translation.language == article.language:
            raise ValidationError(
                _("The translation must be written in the other language."), code="same_language"
            )
        # The translation's former partner loses it.
        Article.objects.filter(translation=translation).exclude(pk=article.pk).update(
            translation=None
        )
        Article.objects.filter(pk=translation.pk).update(translation=article)
    Article.objects.filter(pk=article.pk).update(translation=translation)
    article.translation = translation


@transaction.atomic
def article_save(
    *,
    actor: Any,
    service: Service,
    data: dict[str, Any],
    article: Article | None = None,
    categories: list[Category] | None = None,
    translation: Article | None = None,
    source_ticket: Ticket | None = None,
    note: str = "",
) -> Article:
    """Creates or changes an article as `actor`, keeps the revision, refreshes the search.

    Only the service's agents and heads (and superusers) write its articles; moving an article
    to another service needs the right to write in both.
    """
    if not selectors.can_edit(actor, service) or (
        article is not None and not selectors.can_edit(actor, article)
    ):
        raise PermissionDenied(_("You may not edit the articles of this service."))
    categories = list(categories or [])
    if any(category.handling_service_id != service.pk for category in categories):
        raise ValidationError(
            _("An article's categories must belong to its service."), code="foreign_category"
        )
    creating = article is None
    if creating:
        article = Article(author=actor, service=service, source_ticket=source_ticket)
    article.service = service
    for name in EDITABLE_FIELDS:
        if name in data and data[name] is not None:
            setattr(article, name, data[name])
    article.updated_at = timezone.now()
    article.save()
    article.categories.set(categories)
    _link_translation(article, translation)
    ArticleRevision.objects.create(
        article=article,
        editor=actor,
        title=article.title,
        body=article.body,
        visibility=article.visibility,
        status=article.status,
        note=note or (_("Article created") if creating else ""),
    )
    _refresh_search_vector(article)
    return article


def record(
    article: Article,
    kind: ArticleEvent.Kind,
    *,
    category: Category | None = None,
    ticket: Ticket | None = None,
) -> ArticleEvent:
    """Counts a reading, an avoided ticket or a link sent in a reply."""
    return ArticleEvent.objects.create(article=article, kind=kind, category=category, ticket=ticket)


def record_links_in(text: str, ticket: Ticket) -> int:
    """Counts the articles a reply links to (their stable addresses); returns how many."""
    ids = selectors.article_ids_linked_in(text)
    articles = list(Article.objects.filter(pk__in=ids))
    ArticleEvent.objects.bulk_create(
        ArticleEvent(article=article, kind=ArticleEvent.Kind.LINKED, ticket=ticket)
        for article in articles
    )
    return len(articles)
