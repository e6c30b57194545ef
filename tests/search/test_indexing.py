"""The index follows the content: new, edited, deleted, hidden, removed and renamed
posts change what can be found; `search_rebuild` builds it again from scratch."""

import pytest
from django.core.management import call_command
from django.db import connection

from community.services import moderation, thread_tools, threads
from search import backends
from search.models import Entry
from tests.search.helpers import community_with
from tests.support.roles import member_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    return django_capture_on_commit_callbacks


def found(text):
    return list(
        backends.search(Entry.objects.all(), text.lower().split()).values_list(
            "object_id", flat=True
        )
    )


def test_a_new_thread_and_its_replies_are_indexed_with_their_plain_text(commit):
    community, owner, thread = community_with(
        commit, title="Sensori a basso costo", body="Chi lavora su **sensori** ottici?"
    )
    member = member_of(community)
    with commit(execute=True):
        reply = threads.post_reply(actor=member, thread=thread, body="Noi, a _Torino_.")

    rows = {row.object_id: row for row in Entry.objects.all()}
    opening = thread.posts.get(number=1)
    assert rows[opening.pk].kind == Entry.Kind.THREAD
    assert rows[opening.pk].body == "Chi lavora su sensori ottici?"
    assert rows[reply.pk].kind == Entry.Kind.POST
    assert rows[reply.pk].body == "Noi, a Torino."
    assert found("torino") == [reply.pk]


def test_an_edit_replaces_the_old_text(commit):
    community, owner, thread = community_with(commit, title="Bandi", body="Testo iniziale")
    member = member_of(community)
    with commit(execute=True):
        reply = threads.post_reply(actor=member, thread=thread, body="parola vecchiaccia")
    with commit(execute=True):
        threads.post_edit(actor=member, post=reply, body="parola nuovissima")

    assert found("vecchiaccia") == []
    assert found("nuovissima") == [reply.pk]


@pytest.mark.parametrize("action", ["delete", "hide", "remove"])
def test_deleted_hidden_and_removed_posts_leave_the_index(commit, action):
    community, owner, thread = community_with(commit, title="Bandi", body="Testo")
    member = member_of(community)
    with commit(execute=True):
        reply = threads.post_reply(actor=member, thread=thread, body="segretissimo")
    assert found("segretissimo") == [reply.pk]

    with commit(execute=True):
        if action == "delete":
            threads.post_delete(actor=member, post=reply)
        elif action == "hide":
            moderation.post_hide(actor=owner, post=reply, reason="fuori tema")
        else:
            thread_tools.post_remove(actor=owner, post=reply, reason="spam")

    assert found("segretissimo") == []
    assert not Entry.objects.filter(object_id=reply.pk).exists()


def test_a_renamed_thread_is_found_by_its_new_title_only(commit):
    community, owner, thread = community_with(commit, title="Titolo vecchio", body="Testo")
    with commit(execute=True):
        thread_tools.thread_rename(actor=owner, thread=thread, title="Intestazione nuova")

    assert found("vecchio") == []
    assert found("intestazione") == [thread.posts.get(number=1).pk]


def test_search_rebuild_builds_the_index_again(commit):
    community, owner, thread = community_with(commit, title="Robotica", body="Bracci")
    member = member_of(community)
    with commit(execute=True):
        threads.post_reply(actor=member, thread=thread, body="Pinze morbide")
        hidden = threads.post_reply(actor=member, thread=thread, body="Pinze nascoste")
    with commit(execute=True):
        moderation.post_hide(actor=owner, post=hidden, reason="x")
    Entry.objects.all().delete()
    assert found("pinze") == []

    call_command("search_rebuild", stdout=open("/dev/null", "w"))

    assert Entry.objects.filter(kind__in=["thread", "post", "message"]).count() == 2
    assert len(found("pinze")) == 1


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="PostgreSQL's text-search index",
)
def test_postgresql_searches_through_the_gin_index(commit):
    community_with(commit, title="Robotica", body="Bracci")
    queryset = backends.search(Entry.objects.all(), ["bracci"])
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        sql, params = queryset.query.sql_with_params()
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())

    assert "search_entry_fts" in plan


@pytest.mark.django_db(transaction=True)
def test_the_migration_indexes_what_was_written_before_search(commit):
    """Written, then the index dropped back to before search existed and migrated."""
    from django.core.management import call_command as run

    community, owner, thread = community_with(commit, title="Storico", body="Vecchio testo")
    member = member_of(community)
    threads.post_reply(actor=member, thread=thread, body="Risposta d'archivio")
    hidden = threads.post_reply(actor=member, thread=thread, body="Nascosta d'archivio")
    moderation.post_hide(actor=owner, post=hidden, reason="x")

    run("migrate", "search", "0002", verbosity=0)
    Entry.objects.all().delete()
    run("migrate", "search", verbosity=0)

    assert Entry.objects.filter(kind__in=["thread", "post", "message"]).count() == 2
    assert found("archivio") == [thread.posts.get(number=2).pk]
    assert found("storico") == [thread.posts.get(number=1).pk]
