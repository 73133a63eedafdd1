"""The title's own search vector and its GIN index (PostgreSQL only), filled for the existing
articles in their language."""

import django.contrib.postgres.search
from django.db import migrations

GIN_INDEX = "knowledge_article_title_gin"


def create_title_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "UPDATE knowledge_article SET title_vector = to_tsvector("
        "CASE language WHEN 'en' THEN 'english'::regconfig ELSE 'french'::regconfig END, title)"
    )
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {GIN_INDEX} ON knowledge_article USING gin (title_vector)"
    )


def drop_title_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {GIN_INDEX}")


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="article",
            name="title_vector",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.RunPython(create_title_index, drop_title_index),
    ]
