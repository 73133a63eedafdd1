"""Writes of the API app: creating and revoking access tokens."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from api.models import ApiToken, new_token, token_digest

# A personal token lives at most a year: a forgotten token stops working by itself.
MAX_PERSONAL_DAYS = 365


@transaction.atomic
def token_create(
    *,
    user: Any,
    name: str,
    scope: str = ApiToken.Scope.READ,
    days: int | None = 30,
    kind: str = ApiToken.Kind.PERSONAL,
    created_by: Any = None,
) -> tuple[ApiToken, str]:
    """A new token acting as `user`; returns it and its secret, which is never stored and
    cannot be shown again. A personal token expires within `MAX_PERSONAL_DAYS`."""
    if kind == ApiToken.Kind.PERSONAL:
        days = min(max(int(days or 1), 1), MAX_PERSONAL_DAYS)
    secret = new_token()
    token = ApiToken.objects.create(
        user=user,
        name=(name or "").strip()[:100] or "API",
        kind=ApiToken.Kind(kind),
        scope=ApiToken.Scope(scope),
        digest=token_digest(secret),
        hint=secret[:10],
        created_by=created_by or user,
        expires_at=timezone.now() + timedelta(days=days) if days else None,
    )
    return token, secret


@transaction.atomic
def token_revoke(*, token: ApiToken, actor: Any) -> ApiToken:
    """Revokes a token at once: its owner may revoke their own, an administrator any."""
    if token.user_id != actor.pk and not actor.is_superuser:
        raise PermissionDenied
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def token_touch(token: ApiToken) -> None:
    """Records that the token was used, at most once a minute (one UPDATE, no read)."""
    now = timezone.now()
    if token.last_used_at is not None and now - token.last_used_at < timedelta(minutes=1):
        return
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    token.last_used_at = now
