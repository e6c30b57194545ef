"""Dates on pages: Italian writes day and month names in lower case in running text,
days have no leading zero, and room day separators read as room.js writes them."""

import datetime
import re
import zoneinfo

import pytest
from django.urls import reverse
from django.utils import translation

from community.models import Membership, Post, Thread, User
from community.queries.rooms import room_day_label
from community.services import rooms, threads
from tests.community.thread_helpers import community_with_thread, login

pytestmark = pytest.mark.django_db

ROME = zoneinfo.ZoneInfo("Europe/Rome")
# A Saturday, long enough ago that no separator calls it "today" or "yesterday".
SATURDAY = datetime.datetime(2025, 11, 8, 9, 5, tzinfo=ROME)
CAPITALISED = re.compile(
    r"\b(Lunedì|Martedì|Mercoledì|Giovedì|Venerdì|Sabato|Domenica|Gennaio|Febbraio"
    r"|Marzo|Aprile|Maggio|Giugno|Luglio|Agosto|Settembre|Ottobre|Novembre"
    r"|Dicembre)\b"
)


@pytest.fixture
def dated_thread():
    """A thread, its owner and its room, every date on 8 November 2025 at 9:05."""
    community, owner, thread = community_with_thread()
    room = rooms.room_create(actor=owner, community=community, name="Caffè")
    threads.post_reply(actor=owner, thread=room, body="Buongiorno")
    Thread.objects.filter(pk__in=[thread.pk, room.pk]).update(
        created_at=SATURDAY, last_activity_at=SATURDAY
    )
    Post.objects.filter(thread__community=community).update(created_at=SATURDAY)
    Membership.objects.filter(community=community).update(created_at=SATURDAY)
    User.objects.filter(pk=owner.pk).update(date_joined=SATURDAY)
    return owner, thread, room


def _italian_page(client, url):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "it"
    response = client.get(url)
    assert response.status_code == 200
    return response.text


def test_italian_pages_write_day_and_month_names_in_lower_case(client, dated_thread):
    owner, thread, room = dated_thread
    login(client, owner)
    community = thread.community

    thread_page = _italian_page(client, thread.get_absolute_url())
    members = _italian_page(
        client, reverse("community:community-members", args=[community.slug])
    )
    profile = _italian_page(client, owner.get_absolute_url())
    history = _italian_page(
        client, reverse("community:post-history", args=[thread.posts.get().pk])
    )

    assert "Ultima attività <time" in thread_page
    assert ">sabato 8 novembre 2025 09:05</time>" in thread_page
    assert 'title="sabato 8 novembre 2025 09:05"' in thread_page
    assert ">8 novembre 2025</time>" in members
    assert ">novembre 2025</time>" in profile
    assert ">sabato 8 novembre 2025 09:05</time>" in history
    for page in (thread_page, members, profile, history):
        assert not CAPITALISED.search(page), CAPITALISED.search(page)


@pytest.mark.parametrize(
    "language, label",
    # What room.js writes with Intl.DateTimeFormat(language, {day: "numeric",
    # month: "long", year: "numeric"}) for the separators it adds.
    [("it", "8 novembre 2025"), ("en", "November 8, 2025")],
)
def test_room_day_separators_read_as_the_browser_writes_them(
    client, dated_thread, language, label
):
    owner, thread, room = dated_thread
    login(client, owner)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = language
    owner.language = language
    owner.save(update_fields=["language"])

    html = client.get(room.get_absolute_url()).text

    assert f'<h3 class="room-day__label">{label}</h3>' in html
    with translation.override(language):
        assert room_day_label(SATURDAY.date(), datetime.date(2026, 1, 1)) == label
