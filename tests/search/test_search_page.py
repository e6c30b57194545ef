"""The search page: operators and their errors, escaped snippets with marked terms,
accents, pagination, the empty and no-result states, and the header's box."""

import datetime

import pytest
from django.utils import timezone

from community.models import Post
from community.services import rooms, threads
from search.models import Entry
from search.query import highlight, parse
from tests.search.helpers import community_with, result_count, search_page
from tests.support.roles import member_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    return django_capture_on_commit_callbacks


@pytest.fixture
def two_communities(commit):
    """Two public communities: "idrogeno" talked about in both, by different people,
    in a tagged thread, a reply and a room message."""
    energy, owner, thread = community_with(
        commit, title="Idrogeno verde", body="Elettrolizzatori e idrogeno", tags=["energia"]
    )
    other, other_owner, other_thread = community_with(
        commit, title="Mobilità", body="Autobus a idrogeno"
    )
    replier = member_of(energy)
    with commit(execute=True):
        threads.post_reply(actor=replier, thread=thread, body="Stoccaggio di idrogeno")
        room = rooms.room_create(actor=other_owner, community=other, name="Bar")
        threads.post_reply(actor=other_owner, thread=room, body="idrogeno al bar")
    return energy, other, owner, replier, other_owner


def test_a_visitor_finds_public_content_without_javascript(client, two_communities):
    html = search_page(client, None, "idrogeno")

    assert result_count(html) == 4
    assert "<mark>idrogeno</mark>" in html
    assert 'action="/search/"' in html  # a plain GET form


def test_in_narrows_to_one_community(client, two_communities):
    energy, other, *_ = two_communities

    html = search_page(client, None, f"idrogeno in:{energy.slug}")

    assert result_count(html) == 2
    assert "Autobus" not in html and "al bar" not in html


def test_from_type_and_tag(client, two_communities):
    energy, other, owner, replier, other_owner = two_communities

    html = search_page(client, None, f"idrogeno from:{replier.username}")
    assert result_count(html) == 1 and "Stoccaggio" in html

    html = search_page(client, None, "idrogeno type:message")
    assert result_count(html) == 1 and "al bar" in html

    html = search_page(client, None, "idrogeno type:thread")
    assert result_count(html) == 2 and "Stoccaggio" not in html

    html = search_page(client, None, "tag:energia")
    assert result_count(html) == 2 and "Autobus" not in html


def test_before_and_after_bound_the_days(client, two_communities):
    old = timezone.now() - datetime.timedelta(days=30)
    first = Post.objects.get(body="Autobus a idrogeno")
    Entry.objects.filter(object_id=first.pk).update(created_at=old)
    # The day after, as the site counts days (its time zone, not UTC: at 23:30 UTC
    # Rome is already on the next day).
    day = timezone.localdate(old + datetime.timedelta(days=1)).isoformat()

    html = search_page(client, None, f"idrogeno before:{day}")
    assert result_count(html) == 1 and "Autobus" in html

    html = search_page(client, None, f"idrogeno after:{day}")
    assert result_count(html) == 3 and "Autobus" not in html


@pytest.mark.parametrize(
    ("q", "message"),
    [
        ("idrogeno before:ieri", "“before:ieri” is not a date"),
        ("idrogeno after:2026-13-45", "“after:2026-13-45” is not a date"),
        ("idrogeno type:video", "“type:video” is unknown"),
        ("idrogeno from:", "right after “from:”"),
        ("idrogeno in:nessuna-comunita", "There is no community “nessuna-comunita”"),
        ("idrogeno from:sconosciuto", "Nobody has the username “sconosciuto”"),
    ],
)
def test_malformed_operators_are_explained(client, two_communities, q, message):
    html = search_page(client, None, q)

    assert message in html
    assert 'role="alert"' in html
    assert result_count(html) == 0


def test_in_does_not_reveal_a_private_community(client, commit):
    private, owner, thread = community_with(
        commit, "private", title="Riservato", body="idrogeno segreto"
    )

    html = search_page(client, None, f"idrogeno in:{private.slug}")

    assert f"There is no community “{private.slug}”" in html
    assert "segreto" not in html


def test_snippets_are_escaped_before_terms_are_marked(client, commit):
    community, owner, thread = community_with(
        commit, title="Sicurezza <b>web</b>", body="`<script>alert(1)</script>` attacco"
    )

    html = search_page(client, None, "script")

    assert "<script>alert" not in html
    assert "&lt;<mark>script</mark>&gt;alert(1)&lt;/<mark>script</mark>&gt;" in html
    title = search_page(client, None, "sicurezza")
    assert "<mark>Sicurezza</mark> &lt;b&gt;web&lt;/b&gt;" in title


def test_accents_are_ignored_both_ways(client, commit):
    community, owner, thread = community_with(
        commit, title="Perché l'università", body="Città e società"
    )

    html = search_page(client, None, "perche citta")
    assert result_count(html) == 1
    assert "<mark>Perché</mark>" in html and "<mark>Città</mark>" in html
    assert result_count(search_page(client, None, "società")) == 1
    assert result_count(search_page(client, None, "SOCIETA")) == 1


def test_words_match_as_prefixes(client, commit):
    community_with(commit, title="Sensori", body="Microcontrollori programmabili")

    assert result_count(search_page(client, None, "programm")) == 1
    assert result_count(search_page(client, None, "ammabili")) == 0


def test_results_are_paginated(client, commit, settings):
    community, owner, thread = community_with(commit, title="Lungo", body="inizio")
    member = member_of(community)
    with commit(execute=True):
        for number in range(22):
            threads.post_reply(actor=member, thread=thread, body=f"risposta numero {number}")

    first = search_page(client, None, "risposta")
    second = search_page(client, None, "risposta", page=2)

    assert result_count(first) == 22
    assert first.count('class="search-result ') == 20
    assert second.count('class="search-result ') == 2
    assert 'rel="next"' in first


def test_the_empty_and_no_result_states(client, two_communities):
    empty = search_page(client, None, "")
    assert "Write one or more words" in empty

    none = search_page(client, None, "zanzibar")
    assert "Nothing found." in none


def test_the_header_has_the_search_box(client, two_communities):
    from django.urls import reverse

    html = client.get(reverse("community:community-list")).content.decode()

    assert 'role="search"' in html and 'action="/search/"' in html and 'name="q"' in html


def test_operators_and_words_are_told_apart():
    query = parse("Idrogeno verde in:Energia from:@anna tag:H2 type:post after:2026-01-02")

    assert query.terms == ["Idrogeno", "verde"]
    assert query.community == "energia" and query.author == "anna"
    assert query.tags == ["h2"] and query.kinds == ["post"]
    assert query.after == datetime.date(2026, 1, 2)
    assert query.errors == []


def test_highlight_cuts_around_the_first_term():
    text = "parola " * 100 + "bersaglio finale"

    snippet = highlight(text, ["bersaglio"], 60)

    assert snippet.startswith("… ")
    assert "<mark>bersaglio</mark>" in snippet
    assert len(snippet) < 120



def test_the_page_reads_a_fixed_number_of_queries_whatever_the_results(client, commit):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    community, owner, thread = community_with(commit, title="Lungo", body="inizio")
    member = member_of(community)
    with commit(execute=True):
        threads.post_reply(actor=member, thread=thread, body="risposta sola")
    client.force_login(member)
    url = "/search/?q=risposta"
    client.get(url)  # warm the per-process caches

    with CaptureQueriesContext(connection) as few:
        client.get(url)
    with commit(execute=True):
        for number in range(19):
            threads.post_reply(actor=owner, thread=thread, body=f"risposta {number}")
    with CaptureQueriesContext(connection) as many:
        html = client.get(url).content.decode()

    assert html.count('class="search-result ') == 20
    assert len(many) == len(few)


def test_an_over_long_search_is_refused_with_its_length(client, two_communities):
    html = search_page(client, None, "idrogeno " * 60)

    assert "Search with at most 500 characters (you wrote 539)." in html
    assert result_count(html) == 0
