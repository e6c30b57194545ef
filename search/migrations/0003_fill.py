"""Index what was written before search existed (what `search_rebuild` does, with the
migration's models), so an upgraded site finds its old threads at once."""

from django.db import migrations

BATCH = 500


def fill(apps, schema_editor):
    from search.indexing import plain_text

    Entry = apps.get_model("search", "Entry")
    Thread = apps.get_model("community", "Thread")
    Post = apps.get_model("community", "Post")
    ThreadTag = apps.get_model("community", "ThreadTag")
    tags = {}
    for thread_id, name in ThreadTag.objects.values_list(
        "content_object_id", "tag__name"
    ):
        tags.setdefault(thread_id, set()).add(name.lower())
    threads = dict(Thread.objects.values_list("pk", "title"))
    kinds = dict(Thread.objects.values_list("pk", "kind"))
    communities = dict(Thread.objects.values_list("pk", "community_id"))
    posts = Post.objects.filter(is_deleted=False, is_hidden=False, is_removed=False)
    rows = []
    for post in posts.order_by("pk").iterator(chunk_size=BATCH):
        thread_id = post.thread_id
        names = sorted(tags.get(thread_id, ()))
        if kinds[thread_id] == "room":
            kind = "message"
        else:
            kind = "thread" if post.number == 1 else "post"
        rows.append(
            Entry(
                kind=kind,
                post_id=post.pk,
                thread_id=thread_id,
                number=post.number,
                community_id=communities[thread_id],
                author_id=post.author_id,
                title=threads[thread_id][:255],
                body=plain_text(post.body_html),
                tags=f"|{'|'.join(names)}|" if names else "",
                created_at=post.created_at,
            )
        )
        if len(rows) >= BATCH:
            Entry.objects.bulk_create(rows, ignore_conflicts=True)
            rows = []
    Entry.objects.bulk_create(rows, ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0002_full_text"),
        ("community", "0011_notice_banned"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
