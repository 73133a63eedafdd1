from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies: list = []

    operations = [
        migrations.CreateModel(
            name="SourceLink",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("kind", models.CharField(choices=[("user", "Person"), ("department", "Department"), ("manager", "Department manager"), ("category", "Category"), ("ticket", "Ticket"), ("archived_ticket", "Archived ticket"), ("action", "Action"), ("archived_action", "Archived action"), ("file", "File"), ("invitation", "Invitation"), ("monitoring", "Monitoring"), ("response", "Canned response"), ("faq", "FAQ entry")], max_length=20, verbose_name="kind")),
                ("source_id", models.CharField(max_length=255, verbose_name="esup-helpdesk id")),
                ("target_id", models.BigIntegerField(verbose_name="helpdesk id")),
            ],
            options={"verbose_name": "imported row", "verbose_name_plural": "imported rows"},
        ),
        migrations.AddConstraint(
            model_name="sourcelink",
            constraint=models.UniqueConstraint(fields=("kind", "source_id"), name="esup_source_link_once"),
        ),
    ]
