"""Every read of the knowledge base, with who may see what decided in one place.

`articles_visible_to` is the rule the pages, the search, the suggestions while filing and the API
all go through: an agents-only article reaches agents (and superusers) and nobody else, a members
article needs a signed-in person, a draft is seen only by the people who may edit it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from categories.models import Category, Service
from helpdesk import auth
from knowledge import results_cache
from knowledge.models import Article, ArticleEvent
from tickets import permissions
from tickets.models import Ticket, TicketEvent

# The search configurations of the articles' languages (PostgreSQL text search).
SEARCH_CONFIGS = {Article.Language.FRENCH: "french", Article.Language.ENGLISH: "english"}
MAX_QUERY_LENGTH = 200
MAX_SEARCH_WORDS = 12
WORD = re.compile(r"\w{2,}", re.UNICODE)
# How many matches of each kind a search ranks at most (`ranked`).
RANKED_CANDIDATES = 200


def is_editor_somewhere(user: Any) -> bool:
    """Agents, heads and superusers: they read agents-only articles and edit their services'."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    # The session's user comes with whether they work in a service: for everyone else (students,
    # staff filing tickets) the memberships need no query of their own.
    if auth.works_in_a_service(user) is False:
        return False
    return bool(permissions.agent_service_ids(user))


def can_edit(user: Any, article_or_service: Article | Service | int) -> bool:
    """The service's agents and heads, and superusers, write the service's articles."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    if isinstance(article_or_service, Article):
        service_id = article_or_service.service_id
    elif isinstance(article_or_service, Service):
        service_id = article_or_service.pk
    else:
        service_id = article_or_service
    return permissions.is_agent_of(user, service_id)


def reader_class(user: Any) -> str:
    """The widest visibility of the published articles this person reads: "public" (signed
    out), "members" or "agents". Everyone of a class reads the same published articles."""
    if user is None or not user.is_authenticated or not user.is_active:
        return Article.Visibility.PUBLIC
    if is_editor_somewhere(user):
        return Article.Visibility.AGENTS
    return Article.Visibility.MEMBERS


def _published_to(reader: str) -> QuerySet[Article]:
    """The published articles a reader of this class may read."""
    if reader == Article.Visibility.PUBLIC:
        return Article.objects.filter(
            status=Article.Status.PUBLISHED, visibility=Article.Visibility.PUBLIC
        )
    visibilities = [Article.Visibility.PUBLIC, Article.Visibility.MEMBERS]
    if reader == Article.Visibility.AGENTS:
        visibilities.append(Article.Visibility.AGENTS)
    return Article.objects.filter(status=Article.Status.PUBLISHED, visibility__in=visibilities)


def articles_visible_to(user: Any, *, include_drafts: bool = False) -> QuerySet[Article]:
    """The articles this person may read: published ones of the visibilities open to them, and,
    with `include_drafts`, the drafts of the services they edit."""
    reader = reader_class(user)
    if not include_drafts or reader == Article.Visibility.PUBLIC:
        return _published_to(reader)
    articles = Article.objects.all()
    visibilities = [Article.Visibility.PUBLIC, Article.Visibility.MEMBERS]
    if reader == Article.Visibility.AGENTS:
        visibilities.append(Article.Visibility.AGENTS)
    published = Q(status=Article.Status.PUBLISHED, visibility__in=visibilities)
    if user.is_superuser:
        return articles
    return articles.filter(published | Q(service_id__in=permissions.agent_service_ids(user)))


def ranked(
    articles: QuerySet[Article], query: SearchQuery, *, first: Q | None = None
) -> QuerySet[Article]:
    """The articles matching `query`, best first, the ranking bounded.

    Ranking reads each match's vector: a common word, found in a good part of the articles,
    would have them all read for the page's 50 best. The ranked matches are the newest
    `RANKED_CANDIDATES` whose title has the words (an article named after the question is never
    left out), the newest of those meeting `first` (the category being filed in), and the newest
    of all; below that number of matches every match is ranked. `articles` carries every
    condition (visibility, service) before the call: the candidates are chosen among them.
    """
    matching = articles.filter(search_vector=query).order_by("-pk").values("pk")
    parts = [matching.filter(title_vector=query)[:RANKED_CANDIDATES]]
    if first is not None:
        parts.append(matching.filter(first)[:RANKED_CANDIDATES])
    candidates = matching[:RANKED_CANDIDATES].union(*parts)
    return (
        articles.filter(pk__in=candidates)
        .annotate(rank=SearchRank(F("search_vector"), query))
        .order_by("-rank", "title")
    )


def search_words(text: str) -> list[str]:
    """The words of a search (`search_articles`): the results depend on them alone."""
    return WORD.findall((text or "").strip()[:MAX_QUERY_LENGTH])[:MAX_SEARCH_WORDS]


def typed_words(text: str) -> list[str]:
    """The words of a typed sentence that count (`search_any_word`): short ones are left out."""
    words = WORD.findall((text or "").strip()[:MAX_QUERY_LENGTH])
    return [w for w in words if len(w) > 2][:MAX_SEARCH_WORDS]


def search_articles(articles: QuerySet[Article], text: str) -> QuerySet[Article]:
    """Articles matching the words of `text`, best first.

    PostgreSQL: full-text search in French and English (the words are stemmed in both languages,
    the article's own vector in its language), ranked, through the GIN index. Elsewhere (SQLite):
    every word must appear in the title or the text.
    """
    words = search_words(text)
    if not words:
        return articles.none()
    if connection.vendor == "postgresql":
        query = SearchQuery(" ".join(words), config="french", search_type="plain") | SearchQuery(
            " ".join(words), config="english", search_type="plain"
        )
        return ranked(articles, query)
    matching = articles
    for word in words:
        matching = matching.filter(Q(title__icontains=word) | Q(body__icontains=word))
    return matching.order_by("title")


def search_any_word(
    articles: QuerySet[Article], text: str, *, first: Q | None = None
) -> QuerySet[Article]:
    """Like `search_articles`, but an article matching some of the words is enough: what a
    person types as a subject is a sentence, not a query. The matches meeting `first` are
    among the ranked ones (`ranked`)."""
    words = typed_words(text)
    if not words:
        return articles.none()
    if connection.vendor == "postgresql":
        # "a | b | c": one stemmed word is enough; the rank puts the articles with more first.
        raw = " | ".join(words)
        query = SearchQuery(raw, config="french", search_type="raw") | SearchQuery(
            raw, config="english", search_type="raw"
        )
        return ranked(articles, query, first=first)
    condition = Q()
    for word in words:
        condition |= Q(title__icontains=word) | Q(body__icontains=word)
    return articles.filter(condition).order_by("title")


# What a suggestion shows of each article, in the model's order of fields (`Article.from_db`).
SUGGESTED_FIELDS = ("id", "title", "body", "language", "translation_id")


def suggestions(
    user: Any, category: Category, text: str, *, limit: int = 5, language: str = ""
) -> list[Article]:
    """The answers to offer while someone files in `category`: the articles of the category's
    service that match what they typed, those filed under this category first; with nothing
    typed yet, the category's own articles. An answer written in both languages is offered
    once, in the person's `language` when it matches. One query, none while the same words
    were asked since the last change (`results_cache`)."""
    reader = reader_class(user)
    typed = typed_words(text) if (text or "").strip() else None
    parts = (
        reader,
        category.pk,
        category.handling_service_id,
        typed,
        language,
        limit,
        connection.vendor,
    )
    rows = results_cache.cached(
        "suggest", parts, lambda: _suggested_rows(reader, category, text, limit, language)
    )
    # The instances `only(*SUGGESTED_FIELDS)` would have made (the other fields deferred).
    return [Article.from_db("default", SUGGESTED_FIELDS, row) for row in rows]


def _suggested_rows(
    reader: str, category: Category, text: str, limit: int, language: str
) -> list[tuple[Any, ...]]:
    base = _published_to(reader).filter(service_id=category.handling_service_id)
    if (text or "").strip():
        in_category = Exists(
            Article.categories.through.objects.filter(
                article_id=OuterRef("pk"), category_id=category.pk
            )
        )
        found = search_any_word(base, text, first=Q(in_category)).annotate(in_category=in_category)
        found = found.order_by("-in_category", *found.query.order_by)
    else:
        found = base.filter(categories=category).order_by("-updated_at")
    candidates = list(found.only(*SUGGESTED_FIELDS)[: limit * 2])
    present = {article.pk for article in candidates}
    kept = [
        article
        for article in candidates
        # The other version is in the list too: keep the one in the person's language.
        if not (
            article.translation_id in present
            and article.language != language
            and language in SEARCH_CONFIGS
        )
    ]
    return [tuple(getattr(a, name) for name in SUGGESTED_FIELDS) for a in kept[:limit]]


def search_results(
    user: Any, text: str, *, service_ids: Iterable[int] = (), limit: int = 50
) -> list[tuple[int, str, str, str]]:
    """The best `limit` matches of a search (`search_articles`) this person may read, as
    `LINK_FIELDS` rows, among the articles of every service of `service_ids`. One query, none
    while the same words were searched since the last change (`results_cache`)."""
    reader = reader_class(user)
    service_ids = sorted(set(service_ids))
    parts = (reader, service_ids, search_words(text), limit, connection.vendor)

    def compute() -> list[tuple[int, str, str, str]]:
        articles = _published_to(reader)
        # The service's conditions come before the search: it ranks a bounded number of
        # matches, chosen among those it is given.
        for service_id in service_ids:
            articles = articles.filter(service_id=service_id)
        return list(search_articles(articles, text).values_list(*LINK_FIELDS)[:limit])

    return results_cache.cached("search", parts, compute)


# What a list of articles shows of each (`article_links`).
LINK_FIELDS = ("pk", "title", "language", "service__name")


@dataclass(frozen=True)
class ArticleLink:
    """An article as a list shows it: its title, language, service and address."""

    pk: int
    title: str
    language: str
    service_name: str
    url: str


def article_links(rows: Iterable[tuple[int, str, str, str]]) -> list[ArticleLink]:
    """The list's rows (`LINK_FIELDS` tuples) with their stable addresses: a list of search
    results builds no model instance and resolves the address once, not once per article."""
    head, tail = reverse("knowledge:article", kwargs={"pk": 0}).rsplit("0", 1)
    return [
        ArticleLink(pk, title, language, service_name, f"{head}{pk}{tail}")
        for pk, title, language, service_name in rows
    ]


def articles_for_browsing(
    user: Any, *, service: Service | None = None, category: Category | None = None
) -> QuerySet[Article]:
    """The list a person browses: by service and category, newest review first."""
    articles = (
        articles_visible_to(user)
        .select_related("service")
        .only("id", "title", "language", "service__name", "service__slug")
    )
    if service is not None:
        articles = articles.filter(service=service)
    if category is not None:
        articles = articles.filter(categories=category)
    return articles.order_by("title")


def services_with_articles(user: Any) -> list[Service]:
    """The services that have articles this person may read, with how many (`article_count`).
    Two queries: the counts by service, then the services."""
    counts = dict(
        articles_visible_to(user)
        .order_by()
        .values_list("service_id")
        .annotate(n=Count("id"))
        .values_list("service_id", "n")
    )
    services = list(Service.objects.filter(pk__in=list(counts)).order_by("name"))
    for service in services:
        service.article_count = counts[service.pk]
    return services


def categories_of(service: Service) -> list[Category]:
    """The service's categories an article may be filed under, depth-first."""
    return list(
        Category.objects.filter(handling_service=service, is_active=True).order_by("tree_path")
    )


def article_for_page(user: Any, pk: int) -> Article | None:
    """The article and what its page shows (service, categories, author, other language), or
    None when this person may not read it (the page answers 404: it does not confirm that an
    agents-only article exists)."""
    return (
        articles_visible_to(user, include_drafts=True)
        .select_related("service", "author", "translation")
        .prefetch_related("categories")
        .filter(pk=pk)
        .first()
    )


def editable_articles(user: Any) -> QuerySet[Article]:
    """The articles of the services this person edits, drafts included, last changed first."""
    articles = Article.objects.select_related("service", "author")
    if not user.is_superuser:
        articles = articles.filter(service_id__in=permissions.agent_service_ids(user))
    return articles.order_by("-updated_at")


def editable_services(user: Any) -> QuerySet[Service]:
    """The services whose articles this person may write."""
    services = Service.objects.filter(is_active=True)
    if not user.is_superuser:
        services = services.filter(pk__in=permissions.agent_service_ids(user))
    return services.order_by("name")


def linkable_articles(user: Any, service_id: int, text: str = "", limit: int = 10) -> list[Article]:
    """Articles an agent may link in a reply to a ticket of `service_id`: published ones the
    requester could read (public or members), the ticket's service first."""
    articles = Article.objects.filter(
        status=Article.Status.PUBLISHED,
        visibility__in=[Article.Visibility.PUBLIC, Article.Visibility.MEMBERS],
    )
    if text.strip():
        articles = search_any_word(articles, text)
    else:
        articles = articles.filter(service_id=service_id).order_by("-updated_at")
    return list(articles.only("id", "title", "language")[:limit])


# --- Statistics ------------------------------------------------------------------------------


@dataclass(frozen=True)
class KnowledgeStats:
    """What the statistics page shows of a service's knowledge base over a period."""

    articles: int
    views: int
    avoided: int
    linked: int
    top_articles: list[dict[str, Any]]
    uncovered_categories: list[dict[str, Any]]
    transferred_share: float | None
    transferred_share_before: float | None


def _transferred_share(tickets: QuerySet[Ticket]) -> float | None:
    """The share of these tickets that were transferred at least once (sent to the wrong place
    first), or None without tickets."""
    total = tickets.count()
    if not total:
        return None
    moved = tickets.filter(events__kind=TicketEvent.Kind.TRANSFERRED).distinct().count()
    return moved / total


def knowledge_stats(
    service: Service, start: Any, end: Any, *, min_tickets: int = 5
) -> KnowledgeStats:
    """Views, avoided tickets and links in replies of the service's articles in [start, end),
    the most useful articles, the service's categories with many tickets and no published
    article, and the share of its tickets transferred, this period and the period before."""
    events = ArticleEvent.objects.filter(
        article__service=service, created_at__gte=start, created_at__lt=end
    )
    counts = dict(events.values_list("kind").annotate(n=Count("id")).values_list("kind", "n"))
    top = list(
        events.values("article_id", "article__title")
        .annotate(
            views=Count("id", filter=Q(kind=ArticleEvent.Kind.VIEW)),
            avoided=Count("id", filter=Q(kind=ArticleEvent.Kind.AVOIDED)),
            linked=Count("id", filter=Q(kind=ArticleEvent.Kind.LINKED)),
        )
        .order_by("-avoided", "-views", "article__title")[:10]
    )
    covered = set(
        Article.categories.through.objects.filter(
            article__status=Article.Status.PUBLISHED, article__service=service
        ).values_list("category_id", flat=True)
    )
    tickets = Ticket.objects.filter(service=service)
    in_period = tickets.filter(created_at__gte=start, created_at__lt=end)
    busy = (
        in_period.values("category_id", "category__name")
        .annotate(tickets=Count("id"))
        .filter(tickets__gte=min_tickets)
        .order_by("-tickets", "category__name")
    )
    uncovered = [row for row in busy if row["category_id"] not in covered][:20]
    before = tickets.filter(created_at__gte=start - (end - start), created_at__lt=start)
    return KnowledgeStats(
        articles=Article.objects.filter(service=service, status=Article.Status.PUBLISHED).count(),
        views=counts.get(ArticleEvent.Kind.VIEW, 0),
        avoided=counts.get(ArticleEvent.Kind.AVOIDED, 0),
        linked=counts.get(ArticleEvent.Kind.LINKED, 0),
        top_articles=top,
        uncovered_categories=uncovered,
        transferred_share=_transferred_share(in_period),
        transferred_share_before=_transferred_share(before),
    )


def stats_rows(stats: KnowledgeStats) -> list[list[Any]]:
    """The knowledge base's figures as CSV rows, header first."""
    rows: list[list[Any]] = [[_("Figure"), _("Article or category"), _("Value")]]
    rows += [
        [_("Published articles"), "", stats.articles],
        [_("Articles read"), "", stats.views],
        [_("Tickets avoided"), "", stats.avoided],
        [_("Articles linked in replies"), "", stats.linked],
        [_("Share of tickets transferred"), "", _share(stats.transferred_share)],
        [
            _("Share of tickets transferred, period before"),
            "",
            _share(stats.transferred_share_before),
        ],
    ]
    for row in stats.top_articles:
        rows.append([_("Read"), row["article__title"], row["views"]])
        rows.append([_("Tickets avoided"), row["article__title"], row["avoided"]])
        rows.append([_("Linked in replies"), row["article__title"], row["linked"]])
    for row in stats.uncovered_categories:
        rows.append(
            [_("Tickets in a category without article"), row["category__name"], row["tickets"]]
        )
    return rows


def _share(value: float | None) -> str:
    return "" if value is None else f"{value * 100:.1f}"


ARTICLE_LINK = re.compile(r"/kb/articles/(\d{1,10})/")


def article_ids_linked_in(text: str) -> set[int]:
    """The articles a text links to by their stable address (/kb/articles/<id>/)."""
    return {int(pk) for pk in ARTICLE_LINK.findall(text or "")}
