"""esup-helpdesk's FAQ entries as knowledge-base articles.

esup-helpdesk's FAQ is a tree of entries per department with a visibility scope; the knowledge
base has flat articles per service. Every entry becomes one French article (its place in the tree
is dropped, and reported), published, last reviewed on its last update.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils import timezone

from esupimport import mapping
from esupimport.models import SourceLink
from knowledge.models import Article
from knowledge.services import _refresh_search_vector as refresh_search_vector

if TYPE_CHECKING:
    from esupimport.importer import Importer

# FAQ scopes (h_faq2.scop): ALL is the world; DEPARTMENT and MANAGER the department's managers.
AGENT_SCOPES = {"DEPARTMENT", "MANAGER", "MANAGERS"}
PUBLIC_SCOPES = {"ALL", "ANONYMOUS", "PUBLIC"}


def visibility(scope: str | None) -> str:
    key = (scope or "").strip().upper()
    if key in AGENT_SCOPES:
        return Article.Visibility.AGENTS
    if key in PUBLIC_SCOPES:
        return Article.Visibility.PUBLIC
    return Article.Visibility.MEMBERS


def import_faq_entries(importer: Importer) -> None:
    from esupimport.importer import text_of

    tally = importer.report.tallies["FAQ"]
    known = importer._load_links(SourceLink.Kind.FAQ)
    for page in importer.source.pages("h_faq2", importer.batch_size):
        with importer._batch():
            for row in page:
                service = importer.services.get(row["depa_id"])
                if service is None:
                    tally.skipped["entry of no department"] += 1
                    continue
                if row["pare_id"] is not None:
                    importer.report.notes["FAQ entries below another (the tree is flattened)"] += 1
                updated = mapping.when(row["last_upda"], importer.zone)
                values = {
                    "title": mapping.repair(row["labe"]).strip()[:200] or f"FAQ {row['id']}",
                    "body": text_of(row["cont"]),
                    "service": service,
                    "language": Article.Language.FRENCH,
                    "visibility": visibility(row["effe_scop"] or row["scop"]),
                    "status": Article.Status.PUBLISHED,
                    "reviewed_on": (updated or timezone.now()).date(),
                }
                sid = str(row["id"])
                if sid in known:
                    article = Article.objects.get(pk=known[sid])
                    if importer._changed(article, values):
                        article.save()
                        refresh_search_vector(article)
                        tally.updated += 1
                    else:
                        tally.unchanged += 1
                    continue
                article = Article.objects.create(**values)
                # Found by the knowledge base's search like an article written here.
                refresh_search_vector(article)
                importer._link(SourceLink.Kind.FAQ, [(sid, article.pk)])
                tally.created += 1
