from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    """One email to one recipient: the outbox row a Celery task delivers.

    Rows are written in the same transaction as the ticket move that caused them, so an email is
    never sent for a move that was rolled back, and never lost for a move that was committed.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("recipient"),
        help_text=_("Empty for a service's alert address."),
    )
    email = models.EmailField(_("email address"))
    event = models.ForeignKey(
        "tickets.TicketEvent",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("ticket event"),
        help_text=_("Empty for a digest, which lists several tickets."),
    )
    kind = models.CharField(_("kind"), max_length=64, help_text=_("The email template's name."))
    language = models.CharField(_("language"), max_length=8)
    # What makes the row unique for its address: "event-<id>", "digest-<date>" or, for an
    # automatic answer, what the mail gateway names (one answer per incoming message).
    dedup_key = models.CharField(_("deduplication key"), max_length=64)
    payload = models.JSONField(_("payload"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)
    # When the next delivery attempt is expected; the sweep re-queues rows long past it.
    due_at = models.DateTimeField(_("due"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    message_id = models.CharField(_("Message-ID"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["email", "dedup_key"], name="notification_once"),
        ]
        indexes = [
            models.Index(
                fields=["due_at"],
                condition=models.Q(status="pending"),
                name="notification_pending_due",
            ),
            models.Index(fields=["status", "-created_at"], name="notification_status"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.email} ({self.get_status_display()})"


class NotificationPreference(models.Model):
    """Which optional emails a person wants; created the first time they save their choices.

    The requester's essential messages (a question from the service, a closure to approve) are
    not listed here: they are always sent.
    """

    class NewTicketDelivery(models.TextChoices):
        IMMEDIATE = "immediate", _("One email per new ticket")
        DIGEST = "digest", _("One daily summary of new tickets")
        NONE = "none", _("No email about new tickets")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preference",
        verbose_name=_("person"),
    )
    # --- As a requester
    ticket_acknowledgement = models.BooleanField(
        _("Acknowledgement of my new tickets"), default=True
    )
    ticket_progress = models.BooleanField(
        _("My ticket is taken in charge, transferred or reopened"), default=True
    )
    agent_replies = models.BooleanField(_("Replies from the service"), default=True)
    ticket_outcome = models.BooleanField(
        _("My ticket is closed, rejected or cancelled"), default=True
    )
    # --- As an agent
    new_ticket_delivery = models.CharField(
        _("New tickets in my services"),
        max_length=16,
        choices=NewTicketDelivery.choices,
        default=NewTicketDelivery.IMMEDIATE,
    )
    transferred_in = models.BooleanField(_("Tickets transferred to my services"), default=True)
    reopened = models.BooleanField(_("Tickets reopened in my services"), default=True)
    assigned_to_me = models.BooleanField(_("A ticket is assigned to me"), default=True)
    requester_activity = models.BooleanField(
        _("Comments, answers and files from the requester of my tickets"), default=True
    )
    closure_decisions = models.BooleanField(
        _("The requester approves or refuses the closure of my tickets"), default=True
    )

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return str(self.user)
