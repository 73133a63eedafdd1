"""Indexes for the statistics: the figures of a service's period filter tickets on
(service_id, created_at) or (service_id, closed_at). Without them PostgreSQL reads all the
service's tickets through the service index and filters them by date (seconds at a million
tickets).

Plain SQL, outside the model's Meta: the same statement works on PostgreSQL and SQLite.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0003_search_vector"),
    ]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX IF NOT EXISTS ticket_service_created "
            "ON tickets_ticket (service_id, created_at)",
            "DROP INDEX IF EXISTS ticket_service_created",
            elidable=False,
        ),
        migrations.RunSQL(
            "CREATE INDEX IF NOT EXISTS ticket_service_closed "
            "ON tickets_ticket (service_id, closed_at)",
            "DROP INDEX IF EXISTS ticket_service_closed",
            elidable=False,
        ),
    ]
