"""A known incident of a service: one announcement instead of one ticket per person.

The incident's own changes (declared, updated, resolved, its links and the people affected) are
written by `incidents.services` only; what each linked ticket sees of them goes through the
ticket's own moves in `tickets.workflow`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Incident(models.Model):
    """A failure of a shared service (eduroam, the ENT, printing) that many people meet at once.

    Its title and message are public (the status page, the banner while filing) unless one of
    the categories it affects is confidential.
    """

    class Status(models.TextChoices):
        ONGOING = "ongoing", _("Ongoing")
        RESOLVED = "resolved", _("Resolved")

    service = models.ForeignKey(
        "categories.Service",
        on_delete=models.PROTECT,
        related_name="incidents",
        verbose_name=_("service"),
    )
    title = models.CharField(_("public title"), max_length=150)
    message = models.TextField(_("public message"))
    categories = models.ManyToManyField(
        "categories.Category", related_name="incidents", verbose_name=_("affected categories")
    )
    started_at = models.DateTimeField(_("start"), default=timezone.now)
    declared_at = models.DateTimeField(_("declared"), default=timezone.now, editable=False)
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("declared by"),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.ONGOING
    )
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    resolution = models.TextField(_("resolution"), blank=True)

    class Meta:
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        ordering = ["-started_at", "-pk"]
        indexes = [models.Index(fields=["status", "-started_at"], name="incident_status_started")]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("incidents:detail", kwargs={"incident_pk": self.pk})

    def get_public_url(self) -> str:
        return reverse("incidents:public_detail", kwargs={"incident_pk": self.pk})

    @property
    def reference(self) -> str:
        return f"INC-{self.pk}"

    @property
    def is_ongoing(self) -> bool:
        return self.status == self.Status.ONGOING

    @property
    def label(self) -> str:
        """How a ticket's timeline names it (`TicketEvent.after`)."""
        return f"{self.reference} « {self.title} »"[:200]


class IncidentUpdate(models.Model):
    """One public message about the incident: an update, or its resolution."""

    incident = models.ForeignKey(
        Incident, on_delete=models.CASCADE, related_name="updates", verbose_name=_("incident")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("author"),
    )
    text = models.TextField(_("text"))
    is_resolution = models.BooleanField(_("resolution"), default=False)
    # The resolution also requests the closure of every linked ticket.
    request_closure = models.BooleanField(_("closure requested"), default=False)
    created_at = models.DateTimeField(_("time"), default=timezone.now)
    # When the update had reached every linked ticket (a task does it after the commit), and
    # what became of each ticket (`tickets.bulk.BulkResult.as_dict()`).
    reached_at = models.DateTimeField(_("reached the tickets"), null=True, blank=True)
    results = models.JSONField(_("results per ticket"), default=list, blank=True)

    class Meta:
        verbose_name = _("incident update")
        verbose_name_plural = _("incident updates")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.incident.reference} {self.created_at:%Y-%m-%d %H:%M}"


class IncidentLink(models.Model):
    """A ticket that reports the incident."""

    class Via(models.TextChoices):
        DESK = "desk", _("By hand")
        QUEUE = "queue", _("From a queue")
        PROPOSED = "proposed", _("Proposed by similar subjects")
        FILING = "filing", _("Filed from the incident's banner")
        DECLARATION = "declaration", _("The ticket the incident was declared from")

    incident = models.ForeignKey(
        Incident, on_delete=models.CASCADE, related_name="links", verbose_name=_("incident")
    )
    ticket = models.ForeignKey(
        "tickets.Ticket",
        on_delete=models.CASCADE,
        related_name="incident_links",
        verbose_name=_("ticket"),
    )
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("linked by"),
    )
    via = models.CharField(_("how"), max_length=16, choices=Via.choices, default=Via.DESK)
    linked_at = models.DateTimeField(_("linked"), default=timezone.now)

    class Meta:
        verbose_name = _("linked ticket")
        verbose_name_plural = _("linked tickets")
        ordering = ["linked_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["incident", "ticket"], name="incident_link_once")
        ]

    def __str__(self) -> str:
        return f"{self.incident.reference} ← #{self.ticket_id}"


class AffectedPerson(models.Model):
    """Someone who said "Je suis concerné" instead of filing a ticket: they hear the incident's
    updates and resolution by email."""

    incident = models.ForeignKey(
        Incident, on_delete=models.CASCADE, related_name="affected", verbose_name=_("incident")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="affected_by_incidents",
        verbose_name=_("person"),
    )
    created_at = models.DateTimeField(_("since"), default=timezone.now)

    class Meta:
        verbose_name = _("affected person")
        verbose_name_plural = _("affected people")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["incident", "user"], name="incident_affected_once")
        ]

    def __str__(self) -> str:
        return f"{self.incident.reference} · {self.user_id}"
