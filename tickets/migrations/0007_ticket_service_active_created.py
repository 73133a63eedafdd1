"""A partial index on the open tickets of a service, by age: the dashboard's "oldest open
tickets" and the "to handle" tab (sorted by age) read the service's oldest active tickets. With
(service_id, created_at) alone PostgreSQL walks the service's history from its first ticket,
skipping every closed one (years of them at a million tickets); this index holds only the few
thousand active tickets.

Plain SQL, outside the model's Meta, like 0004; SQLite has partial indexes too.
"""

from django.db import migrations

ACTIVE = "'open', 'reopened', 'in_progress', 'info_requested', 'closure_pending'"


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0006_ticket_service_updated"),
    ]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX IF NOT EXISTS ticket_service_active_created "
            f"ON tickets_ticket (service_id, created_at) WHERE status IN ({ACTIVE})",
            "DROP INDEX IF EXISTS ticket_service_active_created",
            elidable=False,
        ),
    ]
