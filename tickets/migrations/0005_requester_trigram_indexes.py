"""Trigram indexes on people's names and addresses, for the queue search (PostgreSQL only).

The search also finds the tickets of the people whose name or address contains the words
(`tickets.selectors.search.requester_match`, a case-insensitive substring match). Among 60,000
people that is a full scan of the table on every search; pg_trgm's GIN indexes answer it from the
index. Where the extension cannot be created (no privilege), the migration creates nothing and the
search still works, scanning.
"""

from django.db import migrations, transaction

STATEMENTS = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS user_full_name_trigram ON accounts_user "
    "USING gin (UPPER(full_name::text) gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS user_email_trigram ON accounts_user "
    "USING gin (UPPER(email::text) gin_trgm_ops)",
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic(using=schema_editor.connection.alias):
            for statement in STATEMENTS:
                schema_editor.execute(statement)
    except Exception:  # noqa: BLE001 - no privilege for the extension: search scans instead
        return


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS user_full_name_trigram")
    schema_editor.execute("DROP INDEX IF EXISTS user_email_trigram")


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0004_ticket_service_created"),
        ("accounts", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(forward, backward, elidable=False),
    ]
