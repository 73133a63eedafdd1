"""The search's and the suggestions' results, kept in the cache until an article changes.

The same words are searched again and again (the questions people ask are few), and the
suggestions are asked at every pause while a subject is typed: building, compiling and running
the ranking query is most of what such a request costs beyond the page itself. So a search's
results are kept under a key made of what decides them (the words, the service, the category,
what the person may read: public, members or agents; the language for the suggestions) and of
the knowledge base's *generation*: a token replaced whenever an article, its categories, a
category or a service is saved or deleted, so that the next request computes the results
afresh. A change that bypasses the models (a bulk load) is seen within
`settings.KNOWLEDGE_RESULTS_SECONDS` at most; 0 keeps nothing.

Drafts are never among these results (only published articles are searched), so what a person
may read is one of three classes and never depends on who they are beyond it.

An unreachable cache only costs the queries: every cache call fails open.
"""

from __future__ import annotations

import contextlib
import hashlib
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from helpdesk import caching

_GENERATION = "kb-articles:generation"

T = TypeVar("T")


def changed() -> None:
    """Articles changed: every search and suggestion is computed again.

    Renewed now (this request's next page) and again once the transaction commits, so that
    results computed from the data before the commit never stay cached.
    """
    _renew()
    transaction.on_commit(_renew)


def _renew() -> None:
    with contextlib.suppress(Exception):  # the cache is an optimisation, never a failure
        cache.set(_GENERATION, uuid.uuid4().hex[:12], timeout=None)


def _generation() -> str:
    generation = cache.get(_GENERATION)
    if generation is None:
        # Never set, or evicted: a new one, so that nothing kept before can be read again.
        generation = uuid.uuid4().hex[:12]
        if not cache.add(_GENERATION, generation, timeout=None):
            generation = cache.get(_GENERATION) or generation
    return generation


def cached(kind: str, parts: tuple[Any, ...], compute: Callable[[], T]) -> T:
    """`compute()`, or what it returned for the same `parts` since the last change.

    `parts` must hold everything the result depends on; their `repr` makes the key."""
    # Longest a result may lag a change the models did not see.
    seconds = settings.KNOWLEDGE_RESULTS_SECONDS
    if seconds <= 0:
        return compute()
    digest = hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()
    return caching.kept(lambda: f"kb-{kind}:{_generation()}:{digest}", compute, seconds)


def _changed(sender: Any, **kwargs: Any) -> None:
    if kwargs.get("action", "post_").startswith("post_"):
        changed()


def register() -> None:
    """Saving or deleting an article, filing it under categories, or changing a category or a
    service (whose name the results show) renews the generation (`KnowledgeConfig.ready`)."""
    from categories.models import Category, Service
    from knowledge.models import Article

    for model in (Article, Category, Service):
        name = model._meta.label_lower
        post_save.connect(_changed, sender=model, dispatch_uid=f"kb-results-saved-{name}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"kb-results-deleted-{name}")
    m2m_changed.connect(
        _changed, sender=Article.categories.through, dispatch_uid="kb-results-categories"
    )
