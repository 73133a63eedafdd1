"""The knowledge base's part of a person's data (see accounts.personal_data): the articles they
wrote and the changes they made.

Anonymizing keeps them: an answer belongs to its service, and the account, renamed, stays its
author.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from accounts import personal_data
from knowledge.models import Article, ArticleRevision

if TYPE_CHECKING:
    from accounts.models import User


def register() -> None:
    personal_data.register("knowledge_base", knowledge_base)


def knowledge_base(user: User) -> dict[str, list[dict[str, Any]]]:
    return {
        "articles_written": [
            {"id": pk, "title": title, "service": service, "created_at": created}
            for pk, title, service, created in Article.objects.filter(author=user)
            .order_by("pk")
            .values_list("pk", "title", "service__name", "created_at")
        ],
        "changes_made": [
            {"article": article, "title": title, "at": at, "note": note}
            for article, title, at, note in ArticleRevision.objects.filter(editor=user)
            .order_by("pk")
            .values_list("article_id", "title", "created_at", "note")
        ],
    }
