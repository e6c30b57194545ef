"""The event log, moved here from the community app with its tables (state only).

Depends on the community migration that renamed the tables, so a new database and
one upgraded from the community-owned log end in the same schema.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("community", "0003_move_events_to_live"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="StreamCursor",
                    fields=[
                        ("stream", models.CharField(max_length=64, primary_key=True, serialize=False)),
                        ("last_seq", models.PositiveBigIntegerField(default=0)),
                    ],
                    options={"verbose_name": "stream cursor"},
                ),
                migrations.CreateModel(
                    name="Event",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("stream", models.CharField(max_length=64, verbose_name="stream")),
                        ("seq", models.PositiveBigIntegerField(verbose_name="sequence")),
                        ("type", models.CharField(max_length=48, verbose_name="type")),
                        ("payload", models.JSONField(default=dict, verbose_name="payload")),
                        ("created_at", models.DateTimeField(auto_now_add=True, db_index=True, verbose_name="created")),
                        (
                            "actor",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "event",
                        "verbose_name_plural": "events",
                        "ordering": ["stream", "seq"],
                        "constraints": [
                            models.UniqueConstraint(fields=("stream", "seq"), name="event_unique_stream_seq")
                        ],
                    },
                ),
            ],
        )
    ]
