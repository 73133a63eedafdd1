"""Webhooks: an administrator registers a URL for a service and chooses the events it hears; each
event becomes one outbox row per webhook (`Delivery`), sent by a task with retries, exactly once
per event and webhook."""

from __future__ import annotations

import secrets

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from categories.models import Service


def new_secret() -> str:
    return secrets.token_urlsafe(32)


class Webhook(models.Model):
    """A receiver of a service's ticket events (the chat of the team, a monitoring system...)."""

    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, related_name="webhooks", verbose_name=_("service")
    )
    name = models.CharField(_("name"), max_length=100)
    url = models.URLField(_("URL"), max_length=500)
    # The moves (`tickets.moves.Move` values) it hears; empty: every public event.
    events = models.JSONField(_("events"), default=list, blank=True)
    # Shared with the receiver, which checks each delivery's signature with it.
    secret = models.CharField(_("signing secret"), max_length=100, default=new_secret)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")
        ordering = ["service", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.service})"

    def hears(self, action: str) -> bool:
        return not self.events or action in self.events


class Delivery(models.Model):
    """One event for one webhook: the outbox row."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    webhook = models.ForeignKey(
        Webhook, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("webhook")
    )
    event = models.ForeignKey(
        "tickets.TicketEvent",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("event"),
    )
    payload = models.JSONField(_("payload"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    response_status = models.PositiveSmallIntegerField(_("last answer"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    due_at = models.DateTimeField(_("due"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["webhook", "event"], name="webhook_delivery_once"),
        ]
        indexes = [models.Index(fields=["status", "due_at"], name="webhook_delivery_due")]

    def __str__(self) -> str:
        return f"{self.webhook} #{self.event_id} ({self.status})"
