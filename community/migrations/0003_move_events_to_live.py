"""The event log moves to the domain-free `live` app; its tables are renamed, not copied.

Logged post payloads lose their rendered content (`html`, `body_html`): from now on the
community app renders posts at delivery from their current state, so the log holds
ids and plain facts only. The `subject` column of 0002 is no longer needed for that.
"""

from django.db import migrations

_RENDERED = ("html", "body_html")


def strip_rendered_content(apps, schema_editor):
    Event = apps.get_model("community", "Event")
    posts = Event.objects.filter(stream__startswith="thread:", type__startswith="post.")
    for event in posts.iterator():
        payload = event.payload or {}
        if any(key in payload for key in _RENDERED):
            kept = {k: v for k, v in payload.items() if k not in _RENDERED}
            Event.objects.filter(pk=event.pk).update(payload=kept)


class Migration(migrations.Migration):
    dependencies = [
        ("community", "0002_event_subject"),
    ]

    operations = [
        migrations.RunPython(strip_rendered_content, migrations.RunPython.noop),
        migrations.RemoveIndex(model_name="event", name="event_stream_subject"),
        migrations.RemoveField(model_name="event", name="subject"),
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.AlterModelTable(name="event", table="live_event"),
                migrations.AlterModelTable(name="streamcursor", table="live_streamcursor"),
            ],
            state_operations=[
                migrations.DeleteModel(name="Event"),
                migrations.DeleteModel(name="StreamCursor"),
            ],
        ),
    ]
