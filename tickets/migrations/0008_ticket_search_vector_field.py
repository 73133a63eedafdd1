"""The stored search vector of 0003 becomes a model field, `Ticket.search_vector`, so the search
reads it through the ORM (`filter(search_vector=SearchQuery(...))`).

On PostgreSQL the column, its GIN index and the triggers that keep it current are 0003's and stay
as they are: only Django's picture of the model changes. Other databases get the plain column
(empty: they search by substring). The GIN index stays plain SQL, outside the model's Meta like
0004's and 0007's, since SQLite has no GIN.
"""

from django.contrib.postgres.search import SearchVectorField
from django.db import migrations


def _column() -> SearchVectorField:
    field = SearchVectorField(null=True, editable=False)
    field.set_attributes_from_name("search_vector")
    return field


def add_column(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        return  # 0003 added it, with its index and triggers.
    schema_editor.add_field(apps.get_model("tickets", "Ticket"), _column())


def remove_column(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        return  # 0003's reversal drops it.
    schema_editor.remove_field(apps.get_model("tickets", "Ticket"), _column())


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0007_ticket_service_active_created"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddField(
                    model_name="ticket",
                    name="search_vector",
                    field=SearchVectorField(editable=False, null=True),
                ),
            ],
            database_operations=[
                migrations.RunPython(add_column, remove_column, elidable=False),
            ],
        ),
    ]
