"""Access tokens of the API: a person's own (created and revoked on their profile page) and
service tokens an administrator creates for another system (the student information system,
monitoring, a chat bot).

Only a SHA-256 digest of a token is stored: the token itself is shown once, when it is created.
A token is a long random secret, so a fast digest is enough (a slow password hash protects
secrets people choose, not these); the digest is unique and indexed, so finding a token costs one
query.
"""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Every token starts with it: secret scanners (and people) recognise a leaked one.
TOKEN_PREFIX = "hdk_"  # noqa: S105 (a prefix, not a secret)


def token_digest(token: str) -> str:
    """The stored form of a token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    """A fresh random token (256 bits)."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


class ApiTokenQuerySet(models.QuerySet):
    def usable(self) -> ApiTokenQuerySet:
        """Tokens not revoked and not expired."""
        now = timezone.now()
        return self.filter(revoked_at__isnull=True).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now)
        )


class ApiToken(models.Model):
    """One token. It acts as its person (`user`) with that person's permissions; its scope
    narrows them further: a read token never writes."""

    class Kind(models.TextChoices):
        PERSONAL = "personal", _("Personal token")
        SERVICE = "service", _("Service token")

    class Scope(models.TextChoices):
        READ = "read", _("Read only")
        WRITE = "write", _("Read and write")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("acts as"),
    )
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.PERSONAL)
    scope = models.CharField(_("scope"), max_length=8, choices=Scope.choices, default=Scope.READ)
    digest = models.CharField(_("digest"), max_length=64, unique=True, editable=False)
    # The first characters, to recognise a token in a list without revealing it.
    hint = models.CharField(_("begins with"), max_length=16, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-pk"]
        constraints = [
            # A person's token always expires; only a service token may live until revoked.
            models.CheckConstraint(
                condition=models.Q(kind="service") | models.Q(expires_at__isnull=False),
                name="api_token_personal_expires",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.hint}…)"

    def clean(self) -> None:
        if self.kind == self.Kind.PERSONAL and self.expires_at is None:
            raise ValidationError({"expires_at": _("A personal token must expire.")})

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and (
            self.expires_at is None or self.expires_at > timezone.now()
        )

    @property
    def can_write(self) -> bool:
        return self.scope == self.Scope.WRITE
