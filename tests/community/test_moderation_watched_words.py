"""Watched words: matching (accents, case, Italian elisions, whole words), what each
action does to titles, replies and room messages at creation and edit, over HTTP
and the socket, and who manages them."""

import pytest
from asgiref.sync import sync_to_async
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from community import wordwatch
from community.models import AuditEntry, HeldPost, Post, Thread, WatchedWord
from community.services import rules, threads
from tests.community.thread_helpers import community_with_thread, login, watch_words
from tests.live.sockets import connect, send_post
from tests.support.factories import ThreadFactory
from tests.support.roles import (
    MODERATION_TOOL_ROLES,
    english_member,
    member_of,
    person_in,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def _rules(*words):
    return [(wordwatch.rule_words(word), word) for word in words]


def _found(text, *words):
    return [match.rule for match in wordwatch.find(text, _rules(*words))]


# --- matching ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Che idiota!",
        "IDIOTA",
        "Sei un Idiota.",
        "l'idiota",
        "L’IDIOTA di turno",
        "dell’idiota",
        "un'idiota",
        "quell`idiota",
        "(idiota)",
        "_idiota_",
        "ｉｄｉｏｔａ",  # full-width letters
        "idiòta",  # an accent does not dodge the rule
    ],
)
def test_a_watched_word_matches_whatever_its_case_accents_and_elision(text):
    assert _found(text, "idiota") == ["idiota"]


@pytest.mark.parametrize(
    "text", ["idiotamente", "idiotaggine", "gli idioti", "semi-idiotamente", "abcidiota"]
)
def test_a_word_inside_another_word_does_not_match(text):
    assert _found(text, "idiota") == []


@pytest.mark.parametrize("text", ["perché", "PERCHÉ", "Perche", "perche'", "perchè"])
def test_accented_words_match_with_or_without_their_accent(text):
    assert _found(text, "perché") == ["perché"]
    assert _found(text, "perche") == ["perche"]


def test_a_phrase_matches_its_words_in_a_row():
    assert _found("Sei proprio un Brutto   Idiota!", "brutto idiota") == ["brutto idiota"]
    assert _found("brutto e idiota", "brutto idiota") == []


def test_censoring_keeps_the_elision_and_the_punctuation():
    text = "Dell’idiota e l'IDIOTA, non l'idiotamente."
    matches = wordwatch.find(text, _rules("idiota"))
    assert wordwatch.censor(text, matches, lambda rule: "") == (
        "Dell’****** e l'******, non l'idiotamente."
    )
    assert wordwatch.censor(text, matches, lambda rule: "[…]") == (
        "Dell’[…] e l'[…], non l'idiotamente."
    )


# --- the actions, through the posting services -----------------------------------------


@pytest.fixture
def watched():
    community, owner, thread = community_with_thread()
    watch_words(
        community,
        owner,
        ("idiota", "block", ""),
        ("perché no", "hold", ""),
        ("cretino", "replace", ""),
        ("accidenti", "replace", "caspita"),
    )
    thread.refresh_from_db()
    return community, owner, thread, english_member(community)


def test_a_blocked_word_refuses_a_reply_naming_the_rule(watched):
    community, owner, thread, member = watched
    with pytest.raises(ValidationError, match="does not allow “idiota”"):
        threads.post_reply(actor=member, thread=thread, body="Che dell’IDIOTA!")
    assert thread.posts.count() == 1


def test_a_blocked_word_refuses_a_thread_title_and_moderators_are_bound_too(watched):
    community, owner, thread, member = watched
    with pytest.raises(ValidationError) as refused:
        threads.thread_create(
            actor=owner, community=community, title="L'idiota del giorno", body="Testo"
        )
    assert "idiota" in refused.value.message_dict["title"][0]
    assert Thread.objects.filter(community=community).count() == 1


def test_replaced_words_are_censored_in_replies_titles_and_edits(watched):
    community, owner, thread, member = watched
    post = threads.post_reply(
        actor=member, thread=thread, body="Che CRETINO, accidenti! Cretinetti resta."
    )
    assert post.body == "Che *******, caspita! Cretinetti resta."
    assert "CRETINO" not in post.body_html
    new = threads.thread_create(
        actor=member, community=community, title="Un cretino", body="Accidenti."
    )
    assert new.title == "Un *******"
    assert new.posts.get().body == "caspita."
    threads.post_edit(actor=member, post=post, body="Ora dell'cretino")
    post.refresh_from_db()
    assert post.body == "Ora dell'*******"


def test_a_held_word_holds_the_reply_for_review(watched):
    community, owner, thread, member = watched
    held = threads.post_reply(actor=member, thread=thread, body="E PERCHÉ NO?")
    assert isinstance(held, HeldPost)
    assert held.why == HeldPost.Why.WATCHED_WORD and held.word == "perché no"
    assert thread.posts.count() == 1
    community.refresh_from_db()
    assert community.held_open_count == 1


def test_a_held_word_refuses_an_edit_it_cannot_hold(watched):
    community, owner, thread, member = watched
    post = threads.post_reply(actor=member, thread=thread, body="Va bene")
    with pytest.raises(ValidationError, match="reviews messages with “perché no”"):
        threads.post_edit(actor=member, post=post, body="Perche' no")
    post.refresh_from_db()
    assert post.body == "Va bene"


def test_a_blocked_edit_keeps_the_post_as_it_was(watched):
    community, owner, thread, member = watched
    post = threads.post_reply(actor=member, thread=thread, body="Va bene")
    with pytest.raises(ValidationError, match="idiota"):
        threads.post_edit(actor=member, post=post, body="l’idiota")
    post.refresh_from_db()
    assert post.body == "Va bene" and not post.revisions.exists()


def test_the_reply_form_shows_the_rule(client, watched):
    community, owner, thread, member = watched
    login(client, member)
    response = client.post(
        reverse("community:thread-reply", args=[community.slug, thread.pk]),
        {"body": "Sei un idiota", "client_id": "8c1c5f0e-7c53-4a56-9a0e-1a4b8e2b2b2b"},
    )
    assert response.status_code == 200
    assert "does not allow “idiota”" in response.content.decode()
    assert thread.posts.count() == 1


def test_the_room_form_censors_a_message(client, watched):
    community, owner, thread, member = watched
    room = ThreadFactory(community=community, kind="room", post_count=0)
    login(client, member)
    client.post(
        reverse("community:room-post", args=[community.slug, room.pk]),
        {"body": "Accidenti che giornata", "client_id": "1c1c5f0e-7c53-4a56-9a0e-1a4b8e2b2b2b"},
    )
    assert Post.objects.get(thread=room).body == "caspita che giornata"


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_over_the_socket_words_are_blocked_censored_and_held(watched):
    community, owner, thread, member = watched
    socket = await connect(member)
    refused = await send_post(socket, thread.pk, "Un’idiota")
    censored = await send_post(socket, thread.pk, "Cretino!")
    held = await send_post(socket, thread.pk, "perche' no")
    await socket.disconnect()

    assert refused["op"] == "error" and "“idiota”" in refused["message"]
    assert censored["op"] == "ack"
    body = await sync_to_async(lambda: Post.objects.get(pk=censored["post"]).body)()
    assert body == "*******!"
    assert held["op"] == "ack" and held["post"] is None and held["held"]
    assert "awaiting a moderator's approval" in held["message"]
    assert await sync_to_async(thread.posts.count)() == 2


# --- managing them -----------------------------------------------------------------------


@pytest.mark.parametrize("role, allowed", MODERATION_TOOL_ROLES)
def test_who_adds_and_removes_watched_words(client, role, allowed):
    community, owner, thread = community_with_thread()
    person = person_in(community, role)
    login(client, person)
    add = reverse("community:watched-word-add", args=[community.slug])
    response = client.post(add, {"word": "Scemo", "action": "block"})
    assert WatchedWord.objects.filter(community=community).exists() is allowed
    assert response.status_code == (302 if allowed else 403)
    if not allowed:
        rule = rules.watched_word_add(
            actor=owner, community=community, word="Scemo", action="block"
        )
    else:
        rule = WatchedWord.objects.get()
        assert AuditEntry.objects.filter(
            action=AuditEntry.Action.WATCHED_WORD_ADDED, target_label="Scemo"
        ).exists()
    remove = reverse("community:watched-word-remove", args=[community.slug, rule.pk])
    response = client.post(remove)
    assert WatchedWord.objects.filter(pk=rule.pk).exists() is not allowed
    if allowed:
        assert AuditEntry.objects.filter(
            action=AuditEntry.Action.WATCHED_WORD_REMOVED
        ).exists()


def test_a_moderator_of_another_community_manages_nothing_here():
    community, owner, thread = community_with_thread()
    other, _owner, _thread = community_with_thread()
    stranger = member_of(other, "moderator")
    with pytest.raises(PermissionDenied):
        rules.watched_word_add(actor=stranger, community=community, word="x1", action="block")


def test_a_word_is_watched_once_whatever_its_accents_and_case(client):
    community, owner, thread = community_with_thread()
    rules.watched_word_add(actor=owner, community=community, word="Perché", action="hold")
    login(client, owner)
    page = client.post(
        reverse("community:watched-word-add", args=[community.slug]),
        {"word": "PERCHE", "action": "block"},
    )
    assert "This word is watched already." in page.content.decode()
    assert WatchedWord.objects.count() == 1
    with pytest.raises(ValidationError):
        rules.watched_word_add(
            actor=owner, community=community, word="x", action="block", replacement="y"
        )
    with pytest.raises(ValidationError):
        rules.watched_word_add(actor=owner, community=community, word="'’", action="block")


def test_the_settings_page_lists_the_words_and_their_actions(client):
    community, owner, thread = community_with_thread()
    rules.watched_word_add(
        actor=owner, community=community, word="accidenti", action="replace",
        replacement="caspita",
    )
    moderator = member_of(community, "moderator")
    page = Client().get(reverse("community:moderation-settings", args=[community.slug]))
    assert page.status_code == 302  # visitors log in first
    login(client, moderator)
    body = client.get(
        reverse("community:moderation-settings", args=[community.slug])
    ).content.decode()
    assert "accidenti" in body and "caspita" in body
    assert "data-watched-word-form" in body  # moderators manage words
    assert "data-moderation-settings" not in body  # owners change the numbers


def test_the_audit_log_names_the_words_action_in_the_readers_language(client):
    community, owner, thread = community_with_thread()
    rules.watched_word_add(actor=owner, community=community, word="scemo", action="hold")
    owner.language = "it"
    owner.save(update_fields=["language"])
    login(client, owner)
    page = client.get(reverse("community:audit-log", args=[community.slug])).content.decode()
    assert "scemo" in page and "Trattieni per la revisione" in page
