from __future__ import annotations

import os

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Mailbox(models.Model):
    """A service's IMAP mailbox. Its password stays in the environment: the row names the
    variable that holds it, so a database dump never carries a mail password."""

    class Security(models.TextChoices):
        SSL = "ssl", _("TLS from the start (IMAPS, port 993)")
        STARTTLS = "starttls", _("STARTTLS (port 143)")
        NONE = "none", _("None (a server on this machine only)")

    class UnknownSenderPolicy(models.TextChoices):
        CREATE_ACCOUNT = "create_account", _("Create an account and file the ticket")
        EXPLAIN = "explain", _("Answer with how to file a ticket on the web")
        HOLD = "hold", _("Hold the message for an agent")

    service = models.ForeignKey(
        "categories.Service",
        on_delete=models.CASCADE,
        related_name="mailboxes",
        verbose_name=_("service"),
    )
    name = models.CharField(_("name"), max_length=150)
    host = models.CharField(_("IMAP server"), max_length=255)
    port = models.PositiveIntegerField(_("port"), default=993)
    security = models.CharField(
        _("connection security"), max_length=16, choices=Security.choices, default=Security.SSL
    )
    username = models.CharField(_("user name"), max_length=255)
    password_env = models.CharField(
        _("password variable"),
        max_length=100,
        help_text=_(
            "The name of the environment variable that holds the password "
            "(e.g. MAILBOX_SUPPORT_PASSWORD), never the password itself."
        ),
    )
    folder = models.CharField(_("folder"), max_length=255, default="INBOX")
    category = models.ForeignKey(
        "categories.Category",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("category of new tickets"),
    )
    unknown_sender_policy = models.CharField(
        _("unknown senders"),
        max_length=16,
        choices=UnknownSenderPolicy.choices,
        default=UnknownSenderPolicy.EXPLAIN,
    )
    is_active = models.BooleanField(_("active"), default=True)
    last_polled_at = models.DateTimeField(_("last read"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    # Messages up to this IMAP UID were read (within `uidvalidity`).
    last_uid = models.PositiveBigIntegerField(_("last UID read"), default=0)
    uidvalidity = models.PositiveBigIntegerField(_("UIDVALIDITY"), null=True, blank=True)

    class Meta:
        verbose_name = _("mailbox")
        verbose_name_plural = _("mailboxes")
        ordering = ["service__name", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.username}@{self.host})"

    @property
    def password_is_set(self) -> bool:
        return bool(self.password_env and os.environ.get(self.password_env))


class InboundMessage(models.Model):
    """One message read from a mailbox, recorded in the transaction that applies it: the unique
    (mailbox, uidvalidity, uid) makes every message count exactly once."""

    class Status(models.TextChoices):
        PROCESSED = "processed", _("Processed")
        HELD = "held", _("Held for an agent")
        IGNORED = "ignored", _("Ignored")
        REFUSED = "refused", _("Refused")
        FAILED = "failed", _("Failed")

    mailbox = models.ForeignKey(
        Mailbox, on_delete=models.CASCADE, related_name="messages", verbose_name=_("mailbox")
    )
    uid = models.PositiveBigIntegerField(_("UID"))
    uidvalidity = models.PositiveBigIntegerField(_("UIDVALIDITY"))
    message_id = models.CharField(_("Message-ID"), max_length=255, blank=True)
    # A second copy of an already read message (same Message-ID, new UID) points to the first.
    duplicate_of = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("copy of"),
    )
    sender = models.EmailField(_("sender"), max_length=254, blank=True)
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    size = models.PositiveIntegerField(_("size"), default=0)
    received_at = models.DateTimeField(_("read"), default=timezone.now, db_index=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)
    outcome = models.TextField(_("outcome"), blank=True)
    ticket = models.ForeignKey(
        "tickets.Ticket",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ticket"),
    )
    event = models.ForeignKey(
        "tickets.TicketEvent",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ticket event"),
    )
    # The message itself, kept only while an agent has to decide about it (held or failed).
    raw = models.BinaryField(_("message"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("incoming message")
        verbose_name_plural = _("incoming messages")
        ordering = ["-received_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["mailbox", "uidvalidity", "uid"], name="inbound_message_once"
            ),
            models.UniqueConstraint(
                fields=["mailbox", "message_id"],
                condition=models.Q(duplicate_of__isnull=True) & ~models.Q(message_id=""),
                name="inbound_message_id_once",
            ),
        ]
        indexes = [
            models.Index(fields=["sender", "-received_at"], name="inbound_sender"),
            models.Index(fields=["status", "-received_at"], name="inbound_status"),
        ]

    def __str__(self) -> str:
        return f"{self.sender}: {self.subject} ({self.get_status_display()})"


class FailingAddress(models.Model):
    """An address our emails bounce from: agents see it beside the person's email."""

    email = models.EmailField(_("email address"), max_length=254, unique=True)
    first_bounce_at = models.DateTimeField(_("first bounce"), default=timezone.now)
    last_bounce_at = models.DateTimeField(_("last bounce"), default=timezone.now)
    count = models.PositiveIntegerField(_("bounces"), default=1)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("failing address")
        verbose_name_plural = _("failing addresses")
        ordering = ["-last_bounce_at"]

    def __str__(self) -> str:
        return self.email
