"""Thread pages put kept post fragments together (`community.fragments`): whatever
was rendered before, each reader sees each post as it is now, with their own actions,
their own CSRF token, in their language and time zone."""

import re
import zoneinfo

import pytest
from django.test import Client
from django.test.signals import template_rendered
from django.utils import timezone
from django.utils.formats import date_format

from community import fragments
from community.services import moderation, threads
from tests.community.thread_helpers import community_with_thread, login, thread_url
from tests.support.roles import english_member, member_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def conversation():
    """A thread whose owner wrote the opening post and a member one reply."""
    fragments.page_fragments.clear()
    community, owner, thread = community_with_thread()
    member = member_of(community)
    reply = threads.post_reply(actor=member, thread=thread, body="Prima versione")
    return thread, owner, member, reply


def post_item(html, post):
    match = re.search(rf'<li class="post[^"]*" id="{post.anchor}".*?</li>', html, re.S)
    assert match, f"post {post.anchor} not on the page"
    return match.group(0)


def page(client, thread):
    response = client.get(thread_url(thread))
    assert response.status_code == 200
    return response.content.decode()


def test_a_post_changed_after_it_was_kept_shows_as_it_is_now(client, conversation):
    thread, owner, member, reply = conversation
    assert "Prima versione" in post_item(page(client, thread), reply)

    threads.post_edit(actor=member, post=reply, body="Seconda versione")
    edited = post_item(page(client, thread), reply)
    assert "Seconda versione" in edited and "Prima versione" not in edited

    member.display_name = "Giulia Nuovonome"
    member.save(update_fields=["display_name"])
    member.organisation.name = "Laboratorio Rinominato"
    member.organisation.save(update_fields=["name"])
    renamed = post_item(page(client, thread), reply)
    assert "Giulia Nuovonome" in renamed and "Laboratorio Rinominato" in renamed

    moderation.post_hide(actor=owner, post=reply, reason="fuori tema")
    hidden = post_item(page(client, thread), reply)
    assert "Seconda versione" not in hidden
    assert "hidden by a moderator" in hidden


def test_each_reader_gets_their_own_actions_whoever_read_first(conversation):
    thread, owner, member, reply = conversation
    other = member_of(thread.community)
    readers = {
        "author": login(Client(), member),
        "other member": login(Client(), other),
        "anonymous": Client(),
    }
    # Twice round: the second time every fragment comes from the cache.
    for _ in range(2):
        seen = {who: post_item(page(c, thread), reply) for who, c in readers.items()}
        assert 'data-action="edit"' in seen["author"]
        assert 'data-action="delete"' in seen["author"]
        assert 'data-action="report"' not in seen["author"]
        assert 'data-action="report"' in seen["other member"]
        assert 'data-action="edit"' not in seen["other member"]
        assert 'data-action="delete"' not in seen["other member"]
        assert "data-action=" not in seen["anonymous"]


def test_a_kept_post_is_not_rendered_again(client, conversation):
    thread, owner, member, reply = conversation
    page(client, thread)
    rendered = []

    def count(sender, template, **kwargs):
        rendered.append(template.name)

    template_rendered.connect(count)
    try:
        page(client, thread)
    finally:
        template_rendered.disconnect(count)

    assert "community/thread_detail.html" in rendered
    assert "community/includes/post.html" not in rendered


def test_the_delete_form_carries_the_readers_own_working_csrf_token(conversation):
    thread, owner, member, reply = conversation
    # Another reader's visit fills the cache first.
    page(login(Client(), owner), thread)
    author = login(Client(enforce_csrf_checks=True), member)

    item = post_item(page(author, thread), reply)

    assert fragments.CSRF_SLOT not in item
    action, token = re.search(
        r'<form method="post" action="([^"]+)" data-action="delete".*?'
        r'name="csrfmiddlewaretoken" value="([^"]+)"',
        item,
        re.S,
    ).groups()
    response = author.post(action, {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    reply.refresh_from_db()
    assert reply.is_deleted


def test_times_are_written_in_each_readers_time_zone(conversation):
    thread, owner, member, reply = conversation
    reader = member_of(thread.community)
    client = login(Client(), reader)
    shown = {}
    for zone in ("Europe/Rome", "America/New_York"):
        reader.time_zone = zone
        reader.save(update_fields=["time_zone"])
        item = post_item(page(client, thread), reply)
        shown[zone] = re.search(r"<time [^>]*data-relative>([^<]+)</time>", item).group(1)

    assert shown["Europe/Rome"] != shown["America/New_York"]
    for zone, text in shown.items():
        with timezone.override(zoneinfo.ZoneInfo(zone)):
            assert text == date_format(timezone.localtime(reply.created_at), "DATETIME_FORMAT")


def test_italian_readers_get_italian_fragments(conversation):
    thread, owner, member, reply = conversation
    reader = english_member(thread.community)
    client = login(Client(), reader)
    assert "Report" in post_item(page(client, thread), reply)  # English kept first
    reader.language = "it"
    reader.save(update_fields=["language"])

    item = post_item(page(client, thread), reply)

    assert "Segnala" in item and "Report" not in item


def test_a_moderator_reading_first_never_hands_a_hidden_text_to_readers(conversation):
    thread, owner, member, reply = conversation
    moderation.post_hide(actor=owner, post=reply, reason="fuori tema")
    reader = login(Client(), member_of(thread.community))

    marked = post_item(page(login(Client(), owner), thread), reply)
    shown = post_item(page(reader, thread), reply)

    assert "Prima versione" in marked and "data-hidden-mark" in marked
    assert "Prima versione" not in shown and "data-hidden-mark" not in shown
    assert 'class="post__placeholder"' in shown


def test_the_split_boxes_are_for_the_moderators_page_only(conversation):
    thread, owner, member, reply = conversation
    reader = login(Client(), member_of(thread.community))

    moderator_view = post_item(page(login(Client(), owner), thread), reply)
    reader_view = post_item(page(reader, thread), reply)

    assert 'form="split-form"' in moderator_view
    assert 'form="split-form"' not in reader_view


def thread_row_item(html, thread):
    # The row's own end (its participants are list items too).
    match = re.search(
        rf'<li class="thread-row[^"]*" data-thread-row="{thread.pk}".*?</div>\n</li>',
        html,
        re.S,
    )
    assert match, f"thread {thread.pk} not listed"
    return match.group(0)


def test_a_thread_row_kept_before_shows_the_thread_as_it_is_now(client, conversation):
    thread, owner, member, reply = conversation
    listing = thread.community.get_absolute_url()
    before = thread_row_item(client.get(listing).content.decode(), thread)
    assert member.name in before  # the last poster

    newcomer = member_of(thread.community)
    newcomer.display_name = "Ultima Voce"
    newcomer.save(update_fields=["display_name"])
    threads.post_reply(actor=newcomer, thread=thread, body="Ancora una")
    thread.refresh_from_db()
    thread.title = "Titolo rivisto"
    thread.save(update_fields=["title"])

    after = thread_row_item(client.get(listing).content.decode(), thread)
    assert "Titolo rivisto" in after and "Ultima Voce" in after
    assert re.search(r"<strong>2</strong>", after)  # two replies now


def test_thread_rows_follow_the_readers_language(conversation):
    thread, owner, member, reply = conversation
    reader = english_member(thread.community)
    client = login(Client(), reader)
    listing = thread.community.get_absolute_url()
    english = thread_row_item(client.get(listing).content.decode(), thread)
    reader.language = "it"
    reader.save(update_fields=["language"])

    italian = thread_row_item(client.get(listing).content.decode(), thread)

    assert "Started by" in english and "Started by" not in italian


def test_each_page_gets_a_fresh_composer_that_posts_with_the_readers_token(conversation):
    thread, owner, member, reply = conversation
    page(login(Client(), owner), thread)  # someone else's visit keeps the composer
    author = login(Client(enforce_csrf_checks=True), member)

    first, second = page(author, thread), page(author, thread)

    ids = [
        re.search(r'name="client_id" value="([^"]+)"', html).group(1)
        for html in (first, second)
    ]
    assert ids[0] != ids[1] and str(fragments.CLIENT_ID_SLOT) not in first
    composer = re.search(r'<form class="composer.*?</form>', second, re.S).group(0)
    action = re.search(r'action="([^"]+)"', composer).group(1)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', composer).group(1)
    response = author.post(
        action,
        {"csrfmiddlewaretoken": token, "body": "Risposta dal compositore", "client_id": ids[1]},
    )
    assert response.status_code == 302
    assert thread.posts.filter(body="Risposta dal compositore").count() == 1
