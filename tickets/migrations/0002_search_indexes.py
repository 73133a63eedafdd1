"""Full-text search indexes for the agents' queue search (PostgreSQL only).

GIN expression indexes over the same expressions `tickets.selectors.search` builds with Django's
SearchVector, in French and English: the ticket's subject and description, and each event's text
(messages, questions, notes). Other databases search by substring and need nothing here.
"""

from django.db import migrations

CONFIGS = ("french", "english")


def _statements(config: str) -> tuple[str, str]:
    ticket = (
        f"CREATE INDEX IF NOT EXISTS ticket_search_{config} ON tickets_ticket USING gin "
        f"(to_tsvector('{config}'::regconfig, COALESCE(subject, '') || ' ' || "
        f"COALESCE(description, '')))"
    )
    event = (
        f"CREATE INDEX IF NOT EXISTS ticketevent_search_{config} ON tickets_ticketevent "
        f"USING gin (to_tsvector('{config}'::regconfig, COALESCE(text, '')))"
    )
    return ticket, event


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for config in CONFIGS:
        for statement in _statements(config):
            schema_editor.execute(statement)


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for config in CONFIGS:
        schema_editor.execute(f"DROP INDEX IF EXISTS ticket_search_{config}")
        schema_editor.execute(f"DROP INDEX IF EXISTS ticketevent_search_{config}")


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(create_indexes, drop_indexes, elidable=False),
    ]
