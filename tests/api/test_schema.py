"""The OpenAPI 3 schema: generated from the views without a warning, valid against the OpenAPI
specification, naming every endpoint and move; the documentation page loads its assets from the
helpdesk itself (drf-spectacular-sidecar through whitenoise), never from a CDN, under the site's
Content-Security-Policy."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from django.test import Client
from drf_spectacular.validation import validate_schema

from api.views.moves import API_MOVES

pytestmark = pytest.mark.django_db


def test_the_schema_is_generated_without_warnings_and_valid(tmp_path):
    """`manage.py spectacular --validate --fail-on-warn`, as a deployment would run it."""
    out = tmp_path / "schema.json"
    call_command(
        "spectacular",
        "--validate",
        "--fail-on-warn",
        "--format",
        "openapi-json",
        "--file",
        str(out),
    )
    schema = json.loads(out.read_text())
    validate_schema(schema)
    assert schema["openapi"].startswith("3.")


def test_the_schema_served_names_every_endpoint_and_its_security():
    response = Client().get("/api/v1/schema/?format=json")
    assert response.status_code == 200
    schema = json.loads(response.content)
    validate_schema(schema)
    paths = set(schema["paths"])
    assert {
        "/api/v1/me/",
        "/api/v1/categories/",
        "/api/v1/tickets/",
        "/api/v1/tickets/{id}/",
        "/api/v1/desk/queues/{key}/",
        "/api/v1/desk/tickets/{id}/",
    } <= paths
    for api_move in API_MOVES:
        assert f"/api/v1/tickets/{{id}}/{api_move.name}/" in paths
    schemes = schema["components"]["securitySchemes"]
    assert schemes["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "A personal or service token.",
    }
    # Errors are documented nowhere as plain JSON bodies with a token in a query parameter.
    for path, operations in schema["paths"].items():
        for operation in operations.values():
            names = {p["name"] for p in operation.get("parameters", [])}
            assert not names & {"token", "access_token", "api_key"}, path


def test_the_documentation_page_uses_local_assets_only():
    response = Client().get("/api/v1/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in html
    assert "cdn" not in html.lower()
    assert "<script>" not in html  # no inline script: the page's own script is a file
    assert "script-src 'self'" in response["Content-Security-Policy"]
