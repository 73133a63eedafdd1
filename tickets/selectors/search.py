"""Searching tickets by their words: the queues' search box and the similar tickets of a ticket
page.

PostgreSQL uses full-text search in French and English on each ticket's stored search vector
(subject, description and every event's text; tickets/migrations/0003_search_vector.py); other
databases fall back to substring matching.
"""

from __future__ import annotations

import contextlib
import re
from typing import Any

from django.contrib.postgres.search import (
    CombinedSearchQuery,
    SearchQuery,
    SearchRank,
    SearchVector,
    SearchVectorExact,
    SearchVectorField,
)
from django.core.cache import cache
from django.db import connection
from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Cast, Coalesce

from tickets.models import Ticket, TicketEvent
from tickets.selectors import ticket_pages
from tickets.selectors.stats import words

_REFERENCE = re.compile(r"^#?\s*(\d{1,18})$")


def matching(
    tickets: QuerySet[Ticket], text: str, *, bounded: bool = False, people: Q | None = None
) -> QuerySet[Ticket]:
    """Tickets matching a reference (#123 or 123) or words of their text, comments or requester.

    `people` is `requester_match(text)` when the caller already has it. `bounded` says the list
    is already small (a service's open tickets): each row is then checked against the words,
    never the search index, which for a common word is a bitmap of a large share of all tickets,
    far dearer to build than checking the list's few rows.
    """
    text = text.strip()
    if not text:
        return tickets
    reference = _REFERENCE.match(text)
    if connection.vendor == "postgresql":
        people = people if people is not None else requester_match(text)
        match = fulltext_match(text, indexed=not bounded) | people
    else:
        match = (
            Q(requester__full_name__icontains=text)
            | Q(requester__email__icontains=text)
            | substring_match(text)
        )
    if reference:
        match |= Q(pk=int(reference.group(1)))
    return tickets.filter(match)


# Beyond this many people whose name or address contains the words, the requester condition
# stays a join (slower, but the search is too vague to be quick anyway).
REQUESTER_MATCH_LIMIT = 500


def either_language(text: str) -> CombinedSearchQuery:
    """The words stemmed in French or in English, read as a search box's (websearch syntax never
    raises). The words are bound parameters, never part of the SQL text."""
    return SearchQuery(text, config="french", search_type="websearch") | SearchQuery(
        text, config="english", search_type="websearch"
    )


def fulltext_match(text: str, indexed: bool = True) -> Q:
    """The ticket's stored vector matches the words stemmed in French or in English.

    A condition on the row itself (not a join), so PostgreSQL may either read the GIN index
    (rare words) or walk the queue in display order checking each row (common words).
    `indexed=False` checks coalesce(vector, ''), an expression the GIN index does not cover,
    with the same matches: the planner then checks rows rather than reading the index.
    """
    query = either_language(text)
    if not indexed:
        unindexed = Coalesce("search_vector", Cast(Value(""), SearchVectorField()))
        return Q(SearchVectorExact(unindexed, query))
    # Written twice on purpose. PostgreSQL estimates a word absent from its sampled statistics
    # at about one ticket in a thousand; for a rare word it then expects a thousand matches,
    # walks the queue in display order to fill the first page and reads every ticket. Two
    # identical conditions multiply their estimated selectivities: rare words then look rare (the
    # GIN index is read) while common ones still look common (the walk stops after a few dozen
    # rows). Checking the condition twice on a fetched row costs nothing.
    return Q(search_vector=query) & Q(search_vector=query)


def requester_match(text: str) -> Q:
    """Tickets of the people whose name or address contains the text (one query): a list of ids
    keeps the condition on the ticket row, where an OR with a join would scan every ticket."""
    from accounts.models import User

    people = Q(full_name__icontains=text) | Q(email__icontains=text)
    ids = list(
        User.objects.filter(people).values_list("pk", flat=True)[: REQUESTER_MATCH_LIMIT + 1]
    )
    if len(ids) > REQUESTER_MATCH_LIMIT:
        return Q(requester__full_name__icontains=text) | Q(requester__email__icontains=text)
    return Q(requester_id__in=ids) if ids else Q(pk__in=[])


def substring_match(text: str) -> Q:
    """Every word must appear in the subject, the description or one of the ticket's messages."""
    match = Q()
    for word in text.split():
        event_ticket_ids = TicketEvent.objects.filter(text__icontains=word).values("ticket_id")
        match &= (
            Q(subject__icontains=word) | Q(description__icontains=word) | Q(pk__in=event_ticket_ids)
        )
    return match


# --- Similar tickets -------------------------------------------------------------------------


SIMILAR_WINDOW = 1000


# How long a ticket's ranking of similar tickets is kept (its own changes start a new one).
SIMILAR_CACHE_SECONDS = 300


def similar_tickets(ticket: Ticket, user: Any, limit: int = 5) -> list[Ticket]:
    """`ranked_similar_tickets`, ranked once per ticket version and person for
    SIMILAR_CACHE_SECONDS: an agent comes back to a ticket many times while handling it (each
    move shows the page again), and ranking is the page's costliest query. The tickets are read
    again by their ids (one query), so their status and the person's right to see them are
    today's; a ticket filed since the ranking shows at the next one.
    """
    key = f"similar:{ticket.pk}:{ticket.updated_at.timestamp()}:{user.pk}:{limit}"
    try:
        ids = cache.get(key)
    except Exception:  # noqa: BLE001 - the cache is an optimisation, never a failure
        ids = None
    if ids is None:
        ranked = ranked_similar_tickets(ticket, user, limit)
        with contextlib.suppress(Exception):  # same
            cache.set(key, [other.pk for other in ranked], SIMILAR_CACHE_SECONDS)
        return ranked
    if not ids:
        return []
    found = {
        other.pk: other
        for other in ticket_pages.tickets_visible_to(user)
        .filter(pk__in=ids)
        .select_related("category")
    }
    return [found[pk] for pk in ids if pk in found]


def ranked_similar_tickets(ticket: Ticket, user: Any, limit: int = 5) -> list[Ticket]:
    """Other tickets of the same service whose subject shares words with this one, the closest
    first, among the service's SIMILAR_WINDOW most recent tickets that the person may see (one
    query, plus the memberships if not yet read).

    PostgreSQL ranks them by French full-text search; other databases by the number of shared
    significant words (substring match).
    """
    subject_words = list(dict.fromkeys(words.words_of(ticket.subject)))[:8]
    if not subject_words:
        return []
    # Among the service's most recent tickets only: ranking every ticket of a service with years
    # of history would cost seconds, and the recent ones are those worth linking.
    recent = (
        Ticket.objects.filter(service_id=ticket.service_id)
        .order_by("-created_at")  # index (service_id, created_at), 0004
        .values("pk")[:SIMILAR_WINDOW]
    )
    candidates = (
        ticket_pages.tickets_visible_to(user)
        .filter(service_id=ticket.service_id, pk__in=recent)
        .exclude(pk=ticket.pk)
        .select_related("category")
    )
    if connection.vendor == "postgresql":
        # "or" joins the words, so any one of them matches.
        query_text = " or ".join(w for w in subject_words if w != "or")
        query = SearchQuery(query_text, config="french", search_type="websearch")
        # The stored search vector holds the subject's French stems: checking it first (no
        # parsing) leaves the subject to be parsed and ranked for the matching tickets alone,
        # not for the whole window (figure: bench/README.md, "Figures behind the code").
        ranked = (
            candidates.filter(search_vector=either_language(query_text))
            .annotate(document=SearchVector("subject", config="french"))
            .filter(document=query)
            .annotate(rank=SearchRank(F("document"), query))
            .order_by("-rank", "-created_at", "-pk")
        )
        return list(ranked[:limit])
    match = Q()
    score: Any = Value(0)
    for word in subject_words:
        match |= Q(subject__icontains=word)
        score = score + Case(
            When(subject__icontains=word, then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        )
    ranked = (
        candidates.filter(match)
        .annotate(rank=Coalesce(score, 0))
        .order_by("-rank", "-created_at", "-pk")
    )
    return list(ranked[:limit])
