"""Events name their subject; logged payloads stop outliving what the pages show.

Existing post events get their subject (`post:<id>`) and every earlier event of a
post takes the payload of its latest one (an edit, deletion or hide). Membership
events that only moderators and the person may know of leave the community streams,
which every reader may follow: their payload is withheld.
"""

from collections import defaultdict

from django.db import migrations, models

# Community-stream membership events that reveal requests, invitations and declines.
_WITHHELD = {
    "member.invited",
    "member.requested",
    "member.declined",
    "member.request_cancelled",
    "member.invitation_declined",
    "member.invitation_withdrawn",
}


def supersede_logged_payloads(apps, schema_editor):
    Event = apps.get_model("community", "Event")
    latest = {}
    events = defaultdict(list)
    posts = Event.objects.filter(stream__startswith="thread:", type__startswith="post.")
    for event in posts.order_by("stream", "seq").iterator():
        post_id = (event.payload or {}).get("id")
        if not isinstance(post_id, int):
            continue
        key = (event.stream, f"post:{post_id}")
        events[key].append(event.pk)
        latest[key] = event.payload
    for (stream, subject), pks in events.items():
        Event.objects.filter(pk__in=pks).update(subject=subject, payload=latest[(stream, subject)])
    withheld = Event.objects.filter(stream__startswith="community:", type__in=_WITHHELD)
    for event in withheld.iterator():
        community = (event.payload or {}).get("community")
        Event.objects.filter(pk=event.pk).update(
            type="member.withheld", payload={"community": community}
        )


class Migration(migrations.Migration):
    dependencies = [
        ("community", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="event",
            name="subject",
            field=models.CharField(blank=True, default="", max_length=64, verbose_name="subject"),
        ),
        migrations.AddIndex(
            model_name="event",
            index=models.Index(
                condition=models.Q(("subject", ""), _negated=True),
                fields=["stream", "subject"],
                name="event_stream_subject",
            ),
        ),
        migrations.RunPython(supersede_logged_payloads, migrations.RunPython.noop),
    ]
