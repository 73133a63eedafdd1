"""The knowledge base: articles a service publishes so that recurring questions need no ticket.

An article belongs to one service (whose agents and heads edit it), may be filed under some of
that service's categories, is written in one language and may name its version in the other one.
Every save keeps a revision; views, avoided tickets and links sent in replies are counted as
`ArticleEvent` rows, which the statistics read.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from categories.models import Category, Service


class Article(models.Model):
    """One answer, in one language."""

    class Language(models.TextChoices):
        FRENCH = "fr", _("French")
        ENGLISH = "en", _("English")

    class Visibility(models.TextChoices):
        PUBLIC = "public", _("Public: anyone, without signing in")
        MEMBERS = "members", _("Members of the university (signed in)")
        AGENTS = "agents", _("Agents only")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), help_text=_("Markdown: *emphasis*, lists, links, code."))
    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, related_name="articles", verbose_name=_("service")
    )
    categories = models.ManyToManyField(
        Category, blank=True, related_name="articles", verbose_name=_("categories")
    )
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.FRENCH
    )
    # The version in the other language: both versions point at each other.
    translation = models.OneToOneField(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("translation"),
    )
    visibility = models.CharField(
        _("visibility"), max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="articles",
        verbose_name=_("author"),
    )
    source_ticket = models.ForeignKey(
        "tickets.Ticket",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="articles",
        verbose_name=_("made from ticket"),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("last change"), default=timezone.now)
    reviewed_on = models.DateField(_("last review"), default=timezone.localdate)
    # Filled by knowledge.services on PostgreSQL (title weighted above text, in the article's
    # language); a GIN index serves the full-text search. Unused on SQLite.
    search_vector = SearchVectorField(null=True, editable=False)
    # The title's words alone, with a GIN index of their own: a common word's matches are too
    # many to rank them all, and those whose title has it are always among the ranked ones.
    title_vector = SearchVectorField(null=True, editable=False)

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        ordering = ["title"]
        indexes = [models.Index(fields=["service", "status", "visibility"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("knowledge:article", kwargs={"pk": self.pk})

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED


class ArticleRevision(models.Model):
    """The article as one save left it: the history of changes."""

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="revisions", verbose_name=_("article")
    )
    editor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("edited by"),
    )
    created_at = models.DateTimeField(_("time"), default=timezone.now)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    visibility = models.CharField(_("visibility"), max_length=10)
    status = models.CharField(_("status"), max_length=10)
    note = models.CharField(_("what changed"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("article revision")
        verbose_name_plural = _("article revisions")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.article_id} @ {self.created_at:%Y-%m-%d %H:%M}"


class ArticleEvent(models.Model):
    """Something the statistics count: a reading, an avoided ticket, a link sent in a reply."""

    class Kind(models.TextChoices):
        VIEW = "view", _("Read")
        AVOIDED = "avoided", _("Solved the problem, no ticket filed")
        LINKED = "linked", _("Linked in a reply")

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="events", verbose_name=_("article")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    # The category being filed in when the article was read or solved the problem.
    category = models.ForeignKey(
        Category, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("article event")
        verbose_name_plural = _("article events")
        indexes = [models.Index(fields=["kind", "created_at"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.article_id}"


class CategoryModel(models.Model):
    """The category classifier last trained on the university's own tickets (a pickled
    scikit-learn pipeline, kept in the database so that every web process reads the same one)."""

    created_at = models.DateTimeField(_("trained"), default=timezone.now)
    tickets = models.PositiveIntegerField(_("tickets learned from"), default=0)
    top3_accuracy = models.FloatField(_("top-3 accuracy on held-out tickets"), null=True)
    blob = models.BinaryField(_("model"))

    class Meta:
        verbose_name = _("category classifier")
        verbose_name_plural = _("category classifiers")
        get_latest_by = "created_at"

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} ({self.tickets})"
