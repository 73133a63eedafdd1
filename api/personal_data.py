"""The API's part of a person's data (see accounts.personal_data): their access tokens, described
without their secret (only its first characters are kept anyway). Forgetting a person deletes
their tokens: nothing may act as them any more."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from accounts import personal_data
from api.models import ApiToken

if TYPE_CHECKING:
    from accounts.models import User


def register() -> None:
    personal_data.register("api_tokens", tokens, forget_tokens)


def tokens(user: User) -> list[dict[str, Any]]:
    return [
        {
            "name": token.name,
            "kind": token.kind,
            "scope": token.scope,
            "begins_with": token.hint,
            "created_at": token.created_at.isoformat(),
            "expires_at": token.expires_at.isoformat() if token.expires_at else None,
            "last_used_at": token.last_used_at.isoformat() if token.last_used_at else None,
            "revoked_at": token.revoked_at.isoformat() if token.revoked_at else None,
        }
        for token in ApiToken.objects.filter(user=user).order_by("created_at", "pk")
    ]


def forget_tokens(forgotten: personal_data.Forgotten) -> None:
    ApiToken.objects.filter(user=forgotten.user).delete()
