"""The README's backup and restore of the database works: a custom-format dump of a database
holding tickets, restored into a new empty database, serves the ticket's page."""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

from tests.factories import TicketFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

BASE_DIR = Path(__file__).resolve().parent.parent

# Run by the restored database's Django: the requester opens their ticket's page.
SHOW_TICKET = """
import sys
import django

django.setup()
from django.test import Client
from tickets.models import Ticket

ticket = Ticket.objects.get(pk=int(sys.argv[1]))
client = Client()
client.force_login(ticket.requester)
response = client.get(ticket.get_absolute_url())
print(response.status_code)
print(response.content.decode())
"""


def client_environment(settings_dict: dict) -> dict[str, str]:
    """libpq's variables for the test database's server."""
    environment = {**os.environ}
    for variable, key in (
        ("PGHOST", "HOST"),
        ("PGPORT", "PORT"),
        ("PGUSER", "USER"),
        ("PGPASSWORD", "PASSWORD"),
    ):
        if settings_dict.get(key):
            environment[variable] = str(settings_dict[key])
    return environment


def database_url(settings_dict: dict, name: str) -> str:
    user = quote(settings_dict.get("USER") or "")
    password = settings_dict.get("PASSWORD")
    credentials = f"{user}:{quote(password)}@" if password else f"{user}@" if user else ""
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or 5432
    return f"postgres://{credentials}{host}:{port}/{name}"


def run(command: list[str], environment: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - pg_dump, pg_restore, psql and this interpreter
        command, env=environment, capture_output=True, text=True, timeout=120, check=True
    )


def test_a_dump_restored_into_an_empty_database_serves_the_ticket(postgres, tmp_path):
    for tool in ("pg_dump", "pg_restore", "psql"):
        if shutil.which(tool) is None:
            pytest.skip(f"needs {tool} (PostgreSQL's client tools)")
    ticket = TicketFactory(subject="Imprimante du bâtiment B", description="Bourrage papier.")
    settings_dict = connection.settings_dict
    environment = client_environment(settings_dict)
    dump = tmp_path / "helpdesk.dump"
    restored = f"helpdesk_restore_{secrets.token_hex(4)}"

    run(["pg_dump", "-Fc", "--no-owner", "-f", str(dump), settings_dict["NAME"]], environment)
    run(["psql", "-d", "postgres", "-c", f'CREATE DATABASE "{restored}"'], environment)
    try:
        run(["pg_restore", "--no-owner", "--exit-on-error", "-d", restored, str(dump)], environment)
        page = run(
            [sys.executable, "-c", SHOW_TICKET, str(ticket.pk)],
            {
                **environment,
                "DJANGO_SETTINGS_MODULE": "helpdesk.settings",
                "DATABASE_URL": database_url(settings_dict, restored),
                "DEBUG": "true",
                "ALLOWED_HOSTS": "testserver",
                "CELERY_BROKER_URL": "",
                "REDIS_URL": "",
            },
        )
    finally:
        run(
            ["psql", "-d", "postgres", "-c", f'DROP DATABASE IF EXISTS "{restored}" WITH (FORCE)'],
            environment,
        )
    status, _, html = page.stdout.partition("\n")
    assert status == "200"
    assert "Imprimante du bâtiment B" in html
    assert "Bourrage papier." in html
