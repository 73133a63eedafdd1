"""Writes of the API app: creating and revoking access tokens; and finding the token of a
request, which every call of a program makes first."""

from __future__ import annotations

import functools
from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
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


# The token's columns read beside its person's, and the names they come back under.
_TOKEN_COLUMNS = [field.column for field in ApiToken._meta.concrete_fields]


def token_for_secret(secret: str) -> ApiToken | None:
    """The usable token (not revoked, not expired) with this secret, its person loaded, or None.

    One query, written out rather than built by the ORM: every request of a program starts
    here, and composing the same join query each time cost more than the rest of a small
    request (bench/README.md, the API section)."""
    user_model = get_user_model()
    quote = connection.ops.quote_name
    selected = ", ".join(
        f"t.{quote(column)} AS {quote('token_' + column)}" for column in _TOKEN_COLUMNS
    )
    sql = (
        f"SELECT u.*, {selected} FROM {quote(user_model._meta.db_table)} u "  # noqa: S608
        f"INNER JOIN {quote(ApiToken._meta.db_table)} t ON t.{quote('user_id')} = u.{quote('id')} "
        f"WHERE t.{quote('digest')} = %s AND t.{quote('revoked_at')} IS NULL "
        f"AND (t.{quote('expires_at')} IS NULL OR t.{quote('expires_at')} > %s)"
    )
    rows = list(user_model.objects.raw(sql, [token_digest(secret), timezone.now()])[:1])
    if not rows:
        return None
    user = rows[0]
    # The token's columns come back as plain extra columns: converted as the ORM would (dates
    # as aware datetimes on SQLite too).
    values = []
    for name, column, converters in _token_converters(connection.vendor):
        value = getattr(user, name)
        for converter in converters:
            value = converter(value, column, connection)
        values.append(value)
    token = ApiToken.from_db(connection.alias, _TOKEN_ATTNAMES, values)
    token.user = user
    return token


_TOKEN_ATTNAMES = [field.attname for field in ApiToken._meta.concrete_fields]


@functools.cache
def _token_converters(vendor: str) -> list[tuple[str, Any, list]]:
    """Each token column's name in the joined row, its column and the converters the ORM would
    apply to it: they depend on the database, not on the request, so they are looked up once."""
    found = []
    for field in ApiToken._meta.concrete_fields:
        column = field.get_col(ApiToken._meta.db_table)
        converters = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
        found.append(("token_" + field.column, column, converters))
    return found
