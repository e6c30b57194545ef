"""View counts on threads: a reader counts once per thread in a window (a cache
throttle, so re-reading writes nothing), visitors by address, rooms not at all; the
count shows on the thread page and in lists."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from community.models import Community, Thread
from community.services import views_counted
from tests.community.thread_helpers import community_with_thread, login
from tests.support.roles import member_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def _views(thread):
    return Thread.objects.values_list("view_count", flat=True).get(pk=thread.pk)


def _updates(queries):
    return [q["sql"] for q in queries.captured_queries if "view_count" in q["sql"]
            and q["sql"].lstrip().upper().startswith("UPDATE")]


def test_each_person_counts_once_and_rereading_writes_nothing(client):
    community, owner, thread = community_with_thread()
    anna, bruno = member_of(community), member_of(community)

    for _ in range(3):
        login(client, anna).get(thread.get_absolute_url())
    assert _views(thread) == 1
    with CaptureQueriesContext(connection) as again:
        client.get(thread.get_absolute_url())
    assert _updates(again) == []

    login(client, bruno).get(thread.get_absolute_url())
    assert _views(thread) == 2
    html = client.get(thread.get_absolute_url()).content.decode()
    assert "2 views" in html


def test_visitors_count_by_address_and_again_after_the_window(client):
    community, owner, thread = community_with_thread()
    url = thread.get_absolute_url()

    client.get(url, REMOTE_ADDR="10.0.0.1")
    client.get(url, REMOTE_ADDR="10.0.0.1")
    client.get(url, REMOTE_ADDR="10.0.0.2")
    assert _views(thread) == 2

    cache.clear()  # the window has passed (the throttle lives only in the cache)
    client.get(url, REMOTE_ADDR="10.0.0.1")
    assert _views(thread) == 3


def test_the_throttle_is_one_key_per_reader_and_thread():
    community, owner, thread = community_with_thread()
    other = Thread.objects.create(
        community=community, title="Altro", author=owner,
        last_activity_at=thread.last_activity_at,
    )
    assert views_counted.thread_view_record(thread=thread, viewer="u1")
    assert not views_counted.thread_view_record(thread=thread, viewer="u1")
    assert views_counted.thread_view_record(thread=other, viewer="u1")
    assert views_counted.thread_view_record(thread=thread, viewer="u2")
    assert (_views(thread), _views(other)) == (2, 1)


def test_a_page_the_reader_may_not_see_counts_nothing(client):
    community, owner, thread = community_with_thread(Community.Visibility.PRIVATE)
    assert client.get(thread.get_absolute_url()).status_code == 404
    assert _views(thread) == 0


def test_lists_show_the_views(client):
    community, owner, thread = community_with_thread()
    login(client, member_of(community)).get(thread.get_absolute_url())

    listing = client.get(community.get_absolute_url()).content.decode()
    row = listing.split(f'data-thread-row="{thread.pk}"')[1].split("</li>\n")[0]
    assert "<strong>1</strong> view" in row
