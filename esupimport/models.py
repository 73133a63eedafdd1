"""What an import remembers: which helpdesk row each esup-helpdesk row became.

A re-run reads these links to update the rows it made instead of making them again, and an
interrupted run resumes after the last batch it committed.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class SourceLink(models.Model):
    """One esup-helpdesk row (its table's kind and id) and the helpdesk row made from it."""

    class Kind(models.TextChoices):
        USER = "user", _("Person")
        DEPARTMENT = "department", _("Department")
        MANAGER = "manager", _("Department manager")
        CATEGORY = "category", _("Category")
        TICKET = "ticket", _("Ticket")
        ARCHIVED_TICKET = "archived_ticket", _("Archived ticket")
        ACTION = "action", _("Action")
        ARCHIVED_ACTION = "archived_action", _("Archived action")
        FILE = "file", _("File")
        INVITATION = "invitation", _("Invitation")
        MONITORING = "monitoring", _("Monitoring")
        RESPONSE = "response", _("Canned response")
        FAQ = "faq", _("FAQ entry")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    source_id = models.CharField(_("esup-helpdesk id"), max_length=255)
    target_id = models.BigIntegerField(_("helpdesk id"))

    class Meta:
        verbose_name = _("imported row")
        verbose_name_plural = _("imported rows")
        constraints = [
            models.UniqueConstraint(fields=["kind", "source_id"], name="esup_source_link_once")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.source_id} → {self.target_id}"
