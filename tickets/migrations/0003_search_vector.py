"""A stored, GIN-indexed search vector per ticket (PostgreSQL only), replacing 0002's indexes.

With a million tickets, searching through expression indexes on tickets and on events is slow for
common words: every matching ticket and event must be found, joined and sorted before the first
page can show. One vector per ticket (subject, description and the text of every event, stemmed in
French and in English) lets PostgreSQL either read the GIN index (rare words) or walk the queue in
its display order and check each row's vector (common words), whichever is cheaper.

Triggers keep it current on write: a ticket's vector is computed when it is created or its subject
or description change, and each event with text appends to its ticket's vector. Bulk loads that
copy a ticket after its events: its trigger is enabled ALWAYS, so it fires even with
`session_replication_role = replica`; `tickets_refresh_search_vectors(first_id, last_id)` fills
existing rows.
The column became the model field `Ticket.search_vector` in 0008; `tickets.selectors.search`
reads it.
"""

from django.db import migrations

FORWARD = [
    "ALTER TABLE tickets_ticket ADD COLUMN IF NOT EXISTS search_vector tsvector",
    """
    CREATE OR REPLACE FUNCTION tickets_text_vector(body text) RETURNS tsvector
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT to_tsvector('french'::regconfig, coalesce(body, ''))
            || to_tsvector('english'::regconfig, coalesce(body, ''))
    $$
    """,
    """
    CREATE OR REPLACE FUNCTION tickets_ticket_search_vector() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        NEW.search_vector := tickets_text_vector(NEW.subject || ' ' || NEW.description)
            || coalesce((
                SELECT tickets_text_vector(string_agg(e.text, ' ' ORDER BY e.id))
                FROM tickets_ticketevent e WHERE e.ticket_id = NEW.id AND e.text <> ''
            ), ''::tsvector);
        RETURN NEW;
    END
    $$
    """,
    "DROP TRIGGER IF EXISTS tickets_ticket_search_vector ON tickets_ticket",
    """
    CREATE TRIGGER tickets_ticket_search_vector
    BEFORE INSERT OR UPDATE OF subject, description ON tickets_ticket
    FOR EACH ROW EXECUTE FUNCTION tickets_ticket_search_vector()
    """,
    """
    CREATE OR REPLACE FUNCTION tickets_event_search_vector() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF NEW.text <> '' THEN
            UPDATE tickets_ticket
            SET search_vector = coalesce(search_vector, ''::tsvector)
                || tickets_text_vector(NEW.text)
            WHERE id = NEW.ticket_id;
        END IF;
        RETURN NULL;
    END
    $$
    """,
    "DROP TRIGGER IF EXISTS tickets_event_search_vector ON tickets_ticketevent",
    """
    CREATE TRIGGER tickets_event_search_vector
    AFTER INSERT ON tickets_ticketevent
    FOR EACH ROW EXECUTE FUNCTION tickets_event_search_vector()
    """,
    # Bulk loads run with session_replication_role = replica (no foreign-key triggers): this
    # trigger still fires there, so a ticket copied after its events gets its full vector.
    "ALTER TABLE tickets_ticket ENABLE ALWAYS TRIGGER tickets_ticket_search_vector",
    # Fills the vectors of the tickets with ids in [first_id, last_id] in one statement.
    """
    CREATE OR REPLACE FUNCTION tickets_refresh_search_vectors(first_id bigint, last_id bigint)
    RETURNS void LANGUAGE sql AS $$
        UPDATE tickets_ticket t
        SET search_vector = tickets_text_vector(t.subject || ' ' || t.description)
            || coalesce((
                SELECT tickets_text_vector(string_agg(e.text, ' ' ORDER BY e.id))
                FROM tickets_ticketevent e WHERE e.ticket_id = t.id AND e.text <> ''
            ), ''::tsvector)
        WHERE t.id BETWEEN first_id AND last_id
    $$
    """,
    "DROP INDEX IF EXISTS ticket_search_french",
    "DROP INDEX IF EXISTS ticket_search_english",
    "DROP INDEX IF EXISTS ticketevent_search_french",
    "DROP INDEX IF EXISTS ticketevent_search_english",
]
INDEX = (
    "CREATE INDEX IF NOT EXISTS ticket_search_vector ON tickets_ticket USING gin (search_vector)"
)

BACKWARD = [
    "DROP INDEX IF EXISTS ticket_search_vector",
    "DROP TRIGGER IF EXISTS tickets_event_search_vector ON tickets_ticketevent",
    "DROP TRIGGER IF EXISTS tickets_ticket_search_vector ON tickets_ticket",
    "DROP FUNCTION IF EXISTS tickets_event_search_vector()",
    "DROP FUNCTION IF EXISTS tickets_ticket_search_vector()",
    "DROP FUNCTION IF EXISTS tickets_refresh_search_vectors(bigint, bigint)",
    "ALTER TABLE tickets_ticket DROP COLUMN IF EXISTS search_vector",
    "DROP FUNCTION IF EXISTS tickets_text_vector(text)",
]
OLD_INDEXES = [
    "CREATE INDEX IF NOT EXISTS ticket_search_{config} ON tickets_ticket USING gin "
    "(to_tsvector('{config}'::regconfig, COALESCE(subject, '') || ' ' || "
    "COALESCE(description, '')))",
    "CREATE INDEX IF NOT EXISTS ticketevent_search_{config} ON tickets_ticketevent "
    "USING gin (to_tsvector('{config}'::regconfig, COALESCE(text, '')))",
]
BATCH = 100_000


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in FORWARD:
        schema_editor.execute(statement)
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(max(id), 0) FROM tickets_ticket")
        highest = cursor.fetchone()[0]
        for first in range(1, highest + 1, BATCH):
            cursor.execute(
                "SELECT tickets_refresh_search_vectors(%s, %s)", [first, first + BATCH - 1]
            )
    schema_editor.execute(INDEX)
    schema_editor.execute("ANALYZE tickets_ticket")


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in BACKWARD:
        schema_editor.execute(statement)
    for config in ("french", "english"):
        for statement in OLD_INDEXES:
            schema_editor.execute(statement.format(config=config))


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0002_search_indexes"),
    ]

    operations = [
        migrations.RunPython(forward, backward, elidable=False),
    ]
