"""Clients of the API: a test client that sends a bearer token, as another system would."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from api import services
from api.models import ApiToken


class TokenClient(Client):
    """A client that says who it is with `Authorization: Bearer`, never with a session."""

    def __init__(self, token: str, **defaults: Any) -> None:
        super().__init__(HTTP_AUTHORIZATION=f"Bearer {token}", **defaults)


def token_for(user: Any, scope: str = ApiToken.Scope.WRITE) -> str:
    """A fresh personal token of `user`."""
    _token, secret = services.token_create(user=user, name="tests", scope=scope, days=1)
    return secret


def api_client(user: Any, scope: str = ApiToken.Scope.WRITE) -> TokenClient:
    return TokenClient(token_for(user, scope))


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    return django_capture_on_commit_callbacks
