"""An index for the statistics' timeline figures: closures, endings and reopenings of a period are
events, and the tickets that had an event since a moment are those whose last activity
(`updated_at`, set at every event by tickets/events.py) is since that moment. With
(service_id, updated_at) PostgreSQL reads those tickets and their events alone, instead of every
event of the period joined to every ticket of the service (a sequential scan at a million tickets).

Plain SQL, outside the model's Meta, like 0004.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0005_requester_trigram_indexes"),
    ]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX IF NOT EXISTS ticket_service_updated "
            "ON tickets_ticket (service_id, updated_at)",
            "DROP INDEX IF EXISTS ticket_service_updated",
            elidable=False,
        ),
    ]
