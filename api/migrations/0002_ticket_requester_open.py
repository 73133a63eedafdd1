"""The index behind "my tickets" (open ones): a requester's tickets that are not closed,
cancelled, rejected or merged, newest activity first, as the API's cursor pages them.

Without it the read finds the person's tickets through `ticket_requester_updated` and then reads
every one of them to learn its status: at a million tickets the requester with the most tickets
has hundreds, nearly all closed, for a page of two open ones. The index is partial (open tickets
are few) and the API's own: the ticket model does not declare it, so the tickets app's migrations
neither see nor remove it."""

from django.db import migrations

TERMINAL = ("closed", "cancelled", "rejected", "merged")

CREATE = (
    "CREATE INDEX IF NOT EXISTS ticket_requester_open ON tickets_ticket "
    "(requester_id, updated_at DESC, id DESC) WHERE status NOT IN ("
    + ", ".join(f"'{status}'" for status in TERMINAL)
    + ")"
)


class Migration(migrations.Migration):
    dependencies = [
        ("api", "0001_initial"),
        ("tickets", "0013_stats_rollup"),
    ]

    operations = [
        migrations.RunSQL(CREATE, reverse_sql="DROP INDEX IF EXISTS ticket_requester_open"),
    ]
