"""Every searchable kind in one index: rows name their object by kind and id (a
post's id for threads, replies and messages), communities, people, organisations and
workspace documents join them. A title is searched on the row that owns it: a
thread's, a community's, a person's, an organisation's or a document's, not a reply's
or a room message's (found by their own words). The full-text index is built again
with that rule (SQLite rebuilds a table to alter it, which drops its triggers)."""

from django.db import migrations, models

# Titles and tags count on every kind's row but replies and room messages.
_OWN = "CASE WHEN {row}.kind IN ('post', 'message') THEN '' ELSE {row}.{column} END"


def _values(row):
    return (
        f"{row}.id, {_OWN.format(row=row, column='title')}, {row}.body, "
        f"{_OWN.format(row=row, column='tags')}"
    )


SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS search_entry_fts_update",
    "DROP TRIGGER IF EXISTS search_entry_fts_delete",
    "DROP TRIGGER IF EXISTS search_entry_fts_insert",
    "DROP TABLE IF EXISTS search_entry_fts",
]
# Contentless FTS5 (content=''): it holds only the index, fed by the triggers.
SQLITE_CREATE = [
    "CREATE VIRTUAL TABLE search_entry_fts USING fts5(title, body, tags, "
    "content='', tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER search_entry_fts_insert AFTER INSERT ON search_entry BEGIN "
    "INSERT INTO search_entry_fts(rowid, title, body, tags) "
    f"VALUES ({_values('new')}); END",
    "CREATE TRIGGER search_entry_fts_delete AFTER DELETE ON search_entry BEGIN "
    "INSERT INTO search_entry_fts(search_entry_fts, rowid, title, body, tags) "
    f"VALUES ('delete', {_values('old')}); END",
    "CREATE TRIGGER search_entry_fts_update AFTER UPDATE ON search_entry BEGIN "
    "INSERT INTO search_entry_fts(search_entry_fts, rowid, title, body, tags) "
    f"VALUES ('delete', {_values('old')}); "
    "INSERT INTO search_entry_fts(rowid, title, body, tags) "
    f"VALUES ({_values('new')}); END",
    "INSERT INTO search_entry_fts(rowid, title, body, tags) "
    f"SELECT {_values('search_entry')} FROM search_entry",
]
# Must stay the expression `search.backends` matches against, or the index is unused.
_PG_TEXT = (
    "translate(body || ' ' || CASE WHEN kind IN ('post', 'message') THEN '' "
    "ELSE title || ' ' || tags END, '<>', '  ')"
)
POSTGRES_DROP = ["DROP INDEX IF EXISTS search_entry_fts"]
POSTGRES_CREATE = [
    "CREATE INDEX search_entry_fts ON search_entry USING GIN (("
    f"to_tsvector('italian'::regconfig, {_PG_TEXT}) || "
    f"to_tsvector('english'::regconfig, {_PG_TEXT})))",
]
# The index of migration 0002, for going back.
_PG_OLD_TEXT = (
    "translate(body || ' ' || CASE WHEN kind = 'thread' THEN title || ' ' || tags "
    "ELSE '' END, '<>', '  ')"
)
POSTGRES_OLD = [
    "CREATE INDEX search_entry_fts ON search_entry USING GIN (("
    f"to_tsvector('italian'::regconfig, {_PG_OLD_TEXT}) || "
    f"to_tsvector('english'::regconfig, {_PG_OLD_TEXT})))",
]


def _run(statements):
    def run(apps, schema_editor):
        for statement in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


def _tags(names):
    names = sorted({name.lower() for name in names})
    return f"|{'|'.join(names)}|" if names else ""


def _tag_names(model, through, apps):
    """{object id: [tag names]} for a taggit `through` model."""
    names = {}
    for object_id, name in apps.get_model(*through).objects.values_list(
        "content_object_id", "tag__name"
    ):
        names.setdefault(object_id, []).append(name)
    return names


def fill(apps, schema_editor):
    """Index the communities, people, organisations and text documents written
    before (what `search_rebuild` does, with the migration's models)."""
    from django.core.files.storage import default_storage

    Entry = apps.get_model("search", "Entry")
    rows = []
    Community = apps.get_model("community", "Community")
    themes = _tag_names(Community, ("community", "CommunityTheme"), apps)
    for community in Community.objects.filter(kind="community").iterator():
        rows.append(
            Entry(
                kind="community",
                object_id=community.pk,
                community_id=community.pk,
                title=community.name[:255],
                body=community.description,
                tags=_tags(themes.get(community.pk, ())),
                created_at=community.created_at,
            )
        )
    User = apps.get_model("community", "User")
    expertise = _tag_names(User, ("community", "UserExpertise"), apps)
    for person in User.objects.filter(is_active=True).iterator():
        rows.append(
            Entry(
                kind="person",
                object_id=person.pk,
                title=(person.display_name or person.username)[:255],
                body=f"@{person.username} {person.bio}".strip(),
                tags=_tags(expertise.get(person.pk, ())),
                created_at=person.date_joined,
            )
        )
    Organisation = apps.get_model("community", "Organisation")
    competences = _tag_names(
        Organisation, ("community", "OrganisationCompetence"), apps
    )
    interests = _tag_names(Organisation, ("community", "OrganisationInterest"), apps)
    for organisation in Organisation.objects.iterator():
        rows.append(
            Entry(
                kind="organisation",
                object_id=organisation.pk,
                title=organisation.name[:255],
                body=" ".join(
                    filter(
                        None,
                        [
                            organisation.sector,
                            organisation.city,
                            organisation.description,
                        ],
                    )
                ),
                tags=_tags(
                    [
                        *competences.get(organisation.pk, ()),
                        *interests.get(organisation.pk, ()),
                    ]
                ),
                created_at=organisation.created_at,
            )
        )
    Document = apps.get_model("workspaces", "Document")
    Version = apps.get_model("workspaces", "DocumentVersion")
    for document in (
        Document.objects.filter(deleted_at__isnull=True)
        .select_related("workspace")
        .iterator()
    ):
        version = Version.objects.filter(document=document).order_by("-number").first()
        text = ""
        if version is not None and version.content_type.startswith("text/"):
            try:
                with default_storage.open(version.file.name, "rb") as file:
                    text = file.read(200_000).decode("utf-8", "replace")
            except OSError:
                text = ""
        rows.append(
            Entry(
                kind="document",
                object_id=document.pk,
                community_id=document.workspace.community_id,
                author_id=document.created_by_id,
                title=document.title[:255],
                body=" ".join(text.split()),
                created_at=document.updated_at,
            )
        )
    Entry.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0003_fill"),
        ("community", "0012_notification_levels"),
        ("workspaces", "0004_document_preview_problem"),
    ]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}),
            migrations.RunPython.noop,
        ),
        migrations.RenameField("entry", "post_id", "object_id"),
        migrations.AlterField(
            model_name="entry",
            name="object_id",
            field=models.PositiveBigIntegerField(verbose_name="object id"),
        ),
        migrations.AlterField(
            model_name="entry",
            name="kind",
            field=models.CharField(
                choices=[
                    ("thread", "Discussion"),
                    ("post", "Reply to a discussion"),
                    ("message", "Room message"),
                    ("community", "Community"),
                    ("person", "Person"),
                    ("organisation", "Organisation"),
                    ("document", "Workspace document"),
                ],
                max_length=12,
                verbose_name="kind",
            ),
        ),
        migrations.AlterField(
            model_name="entry",
            name="thread_id",
            field=models.PositiveBigIntegerField(
                blank=True, db_index=True, null=True, verbose_name="thread id"
            ),
        ),
        migrations.AlterField(
            model_name="entry",
            name="number",
            field=models.PositiveIntegerField(
                blank=True, null=True, verbose_name="number"
            ),
        ),
        migrations.AlterField(
            model_name="entry",
            name="community_id",
            field=models.PositiveBigIntegerField(
                blank=True, db_index=True, null=True, verbose_name="community id"
            ),
        ),
        migrations.AddConstraint(
            model_name="entry",
            constraint=models.UniqueConstraint(
                fields=("kind", "object_id"), name="search_entry_one_per_object"
            ),
        ),
        migrations.RunPython(
            _run({"sqlite": SQLITE_CREATE, "postgresql": POSTGRES_CREATE}),
            _run({"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
