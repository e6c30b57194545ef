"""Where the moderation steps meet: moderators' titles obey the watched words, held
posts and review items follow a moved or merged thread, the navigation counts what
the queues list, and a decision overtaken by a role change answers with the form."""

import re
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from community.models import (
    AuditEntry,
    Community,
    HeldPost,
    Membership,
    ModerationNotice,
    Report,
    ReviewItem,
    Thread,
)
from community.queries import moderation as moderation_queries
from community.services import (
    memberships,
    moderation,
    reports,
    rooms,
    rules,
    thread_tools,
    threads,
)
from community.views import moderation as moderation_views
from tests.community.test_moderation_people_leaks import (  # noqa: F401 (fixture)
    deleted_document_report,
)
from tests.community.thread_helpers import community_with_thread, login, watch_words
from tests.support.factories import CommunityFactory, ThreadFactory
from tests.support.roles import member_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

Decision = ReviewItem.Decision


@pytest.fixture
def watched():
    community, owner, thread = community_with_thread()
    watch_words(
        community,
        owner,
        ("idiota", "block", ""),
        ("perché no", "hold", ""),
        ("accidenti", "replace", "caspita"),
    )
    thread.refresh_from_db()
    return community, owner, thread


# --- 1. titles a moderator gives obey the community's watched words -----------------


def test_a_rename_with_a_blocked_word_is_refused_naming_the_rule(watched):
    community, owner, thread = watched
    with pytest.raises(ValidationError) as refused:
        thread_tools.thread_rename(
            actor=owner, thread=thread, title="Il thread dell’IDIOTA"
        )
    assert "“idiota”" in refused.value.message_dict["title"][0]
    thread.refresh_from_db()
    assert thread.title == "Sensori per la manifattura"


def test_the_rename_form_shows_the_rule_and_keeps_the_title(client, watched):
    community, owner, thread = watched
    login(client, owner)
    url = reverse("community:thread-moderate", args=[community.slug, thread.pk])
    page = client.post(
        url, {"action": "rename", "title": "L'idiota del giorno"}, follow=True
    )
    assert "does not allow “idiota”" in page.content.decode()
    assert Thread.objects.get(pk=thread.pk).title == "Sensori per la manifattura"


def test_a_renamed_title_has_its_replaced_words_censored_and_held_ones_refused(
    watched,
):
    community, owner, thread = watched
    thread_tools.thread_rename(actor=owner, thread=thread, title="Accidenti, i sensori")
    assert Thread.objects.get(pk=thread.pk).title == "caspita, i sensori"
    with pytest.raises(ValidationError) as refused:
        thread_tools.thread_rename(
            actor=owner, thread=thread, title="Sensori: perché no?"
        )
    assert "perché no" in refused.value.message_dict["title"][0]
    assert Thread.objects.get(pk=thread.pk).title == "caspita, i sensori"


def test_a_room_rename_obeys_the_watched_words_too(watched):
    community, owner, _thread = watched
    room = ThreadFactory(community=community, title="Caffè", kind=Thread.Kind.ROOM)
    with pytest.raises(ValidationError) as refused:
        thread_tools.thread_rename(actor=owner, thread=room, title="Stanza idiota")
    assert "idiota" in refused.value.message_dict["title"][0]


def test_a_split_title_with_a_blocked_word_moves_no_post(watched):
    community, owner, thread = watched
    reply = threads.post_reply(actor=member_of(community), thread=thread, body="Uno")
    with pytest.raises(ValidationError) as refused:
        thread_tools.thread_split(
            actor=owner, thread=thread, post_ids=[reply.pk], title="Idiota a parte"
        )
    assert "idiota" in refused.value.message_dict["title"][0]
    reply.refresh_from_db()
    assert reply.thread_id == thread.pk
    assert Thread.objects.filter(community=community).count() == 1


def test_a_thread_does_not_move_where_its_title_is_a_blocked_word(watched):
    source, owner, _thread = watched
    origin = CommunityFactory()
    Membership.objects.create(
        user=owner, community=origin, role=Membership.Role.OWNER
    )
    thread = threads.thread_create(
        actor=owner, community=origin, title="Idiota o no", body="Testo"
    )
    with pytest.raises(ValidationError, match="rename the thread first"):
        thread_tools.thread_move(actor=owner, thread=thread, community=source)
    assert Thread.objects.get(pk=thread.pk).community_id == origin.pk


# --- 13. review items and held posts follow their thread -----------------------------


def _reported_post():
    community, owner, thread = community_with_thread()
    author = member_of(community)
    post = threads.post_reply(actor=author, thread=thread, body="Offerta SPAM123")
    reports.post_report(
        actor=member_of(community), post=post, reason=Report.Reason.SPAM
    )
    return community, owner, thread, author, post, ReviewItem.objects.get(post=post)


def test_a_moderator_of_the_old_community_cannot_decide_an_item_that_moved_away():
    community, owner, thread, author, post, item = _reported_post()
    moderator = member_of(community, "moderator")
    target = CommunityFactory()
    Membership.objects.create(user=owner, community=target, role=Membership.Role.OWNER)
    Membership.objects.create(user=author, community=target)
    stale = ReviewItem.objects.select_related("community").get(pk=item.pk)

    thread_tools.thread_move(actor=owner, thread=thread, community=target)

    for decision in (Decision.DISMISSED, Decision.WARNED):
        with pytest.raises(ValidationError) as refused:
            reports.review_decide(
                actor=moderator, item=stale, decision=decision, reason="Basta"
            )
        assert refused.value.code == "moved"
    item.refresh_from_db()
    assert item.is_open and item.community_id == target.pk
    # The new community's owner decides it, in the new community.
    reports.review_decide(actor=owner, item=item, decision=Decision.DISMISSED)
    item.refresh_from_db()
    assert not item.is_open


def _held_reply(community, thread):
    Community.objects.filter(pk=community.pk).update(first_posts_approval=1)
    community.refresh_from_db()
    newcomer = member_of(community)
    held = threads.post_reply(actor=newcomer, thread=thread, body="Il mio primo post")
    assert isinstance(held, HeldPost)
    return held


def test_held_replies_follow_a_moved_thread_and_its_queue_counts():
    community, owner, thread = community_with_thread()
    held = _held_reply(community, thread)
    target = CommunityFactory()
    Membership.objects.create(user=owner, community=target, role=Membership.Role.OWNER)

    thread_tools.thread_move(actor=owner, thread=thread, community=target)

    held.refresh_from_db()
    assert held.community_id == target.pk and held.thread_id == thread.pk
    assert Community.objects.get(pk=community.pk).held_open_count == 0
    assert Community.objects.get(pk=target.pk).held_open_count == 1


def test_held_replies_of_a_merged_thread_wait_in_the_thread_that_took_its_posts():
    community, owner, thread = community_with_thread()
    held = _held_reply(community, thread)
    target = threads.thread_create(
        actor=owner, community=community, title="Altra discussione", body="Testo"
    )

    thread_tools.thread_merge(actor=owner, thread=thread, target=target)

    held.refresh_from_db()  # not deleted with the merged thread
    assert held.thread_id == target.pk and held.is_held
    assert Community.objects.get(pk=community.pk).held_open_count == 1
    released = threads.held_release(actor=owner, held=held)
    assert released.post.thread_id == target.pk


# --- c. the navigation counts what the queues list ------------------------------------


def test_staff_navigation_does_not_count_items_in_threads_hidden_from_them(
    client, deleted_document_report  # noqa: F811
):
    community, roles, _reporter, item = deleted_document_report
    assert item.is_open
    assert moderation_queries.nav_moderation(roles.staff)["review_open"] == 0
    assert moderation_queries.nav_moderation(roles.lead)["review_open"] == 1
    login(client, roles.staff)
    page = client.get(reverse("community:home")).content.decode()
    assert re.search(r"data-review-open hidden>0<", page)
    home = reverse("community:moderation-home", args=[community.slug])
    assert "reported posts waiting" not in client.get(home).content.decode()
    login(client, roles.lead)
    assert "reported posts waiting" in client.get(home).content.decode()


# --- d. a decision overtaken by a role change -----------------------------------------


def test_an_author_made_moderator_meanwhile_gets_a_form_error_not_a_403(
    client, monkeypatch
):
    community, owner, thread, author, post, item = _reported_post()
    moderator = member_of(community, "moderator")
    decide = reports.review_decide

    def promoted_meanwhile(**kwargs):
        memberships.membership_set_role(
            actor=owner,
            membership=Membership.objects.get(user=author, community=community),
            role=Membership.Role.MODERATOR,
        )
        return decide(**kwargs)

    monkeypatch.setattr(moderation_views.reports, "review_decide", promoted_meanwhile)
    login(client, moderator)
    url = reverse("community:review-item", args=[community.slug, item.pk])
    response = client.post(
        url, {"action": "decide", "decision": Decision.SILENCED, "days": 3}
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "the author&#x27;s role changed meanwhile" in page
    item.refresh_from_db()
    assert item.is_open
    assert Membership.objects.get(user=author, community=community).muted_until is None
    # The form now offers only what this moderator may decide about a moderator.
    assert f'value="{Decision.SILENCED}"' not in page


# --- review follow-ups: texts in the reader's language --------------------------------


def _audit_page(client, user, community, language):
    client.force_login(user)
    url = reverse("community:audit-log", args=[community.slug])
    return client.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()


def test_a_post_hidden_by_reports_is_logged_in_each_readers_language(client):
    community, owner, thread = community_with_thread()
    Community.objects.filter(pk=community.pk).update(report_threshold=1)
    community.report_threshold = 1
    post = threads.post_reply(actor=member_of(community), thread=thread, body="Spam")
    with translation.override("it"):  # an Italian reporter crosses the threshold
        reports.post_report(
            actor=member_of(community), post=post, reason=Report.Reason.SPAM
        )
    post.refresh_from_db()
    assert post.is_hidden and post.hidden_reason == ""

    english = _audit_page(client, owner, community, "en")
    assert "Reported by 1 member, waiting for review." in english
    assert "Segnalat" not in english
    italian = _audit_page(client, owner, community, "it")
    assert "Reported by 1 member" not in italian
    # The moderators' view of the post says who hid it.
    marked = client.get(
        reverse("community:post-marked", args=[post.pk]), HTTP_ACCEPT_LANGUAGE="en"
    ).json()["html"]
    assert "Hidden by members' reports, waiting for review." in marked
    assert "Hidden by a moderator" not in marked


def test_a_settings_entry_names_the_setting_in_each_readers_language(client):
    community, owner, _thread = community_with_thread()
    with translation.override("it"):
        reports.moderation_settings_change(
            actor=owner, community=community, report_threshold=5
        )
    english = _audit_page(client, owner, community, "en")
    assert "Moderation settings: Report threshold" in english
    csv = client.get(
        reverse("community:audit-log-csv", args=[community.slug]),
        HTTP_ACCEPT_LANGUAGE="en",
    ).content.decode()
    assert "Moderation settings: Report threshold" in csv
    italian = _audit_page(client, owner, community, "it")
    assert "Moderation settings: Report threshold" not in italian


# --- review follow-ups: notices read only when shown ------------------------------------


def test_only_the_notices_the_page_showed_are_marked_read(client):
    community, owner, _thread = community_with_thread()
    member = member_of(community)
    membership = Membership.objects.select_related("user", "community").get(
        user=member, community=community
    )
    for number in range(52):
        moderation.membership_warn(
            actor=owner, membership=membership, reason=f"Avviso {number}"
        )
    notices = ModerationNotice.objects.filter(user=member)
    # Two older ones, read already, must not push unread ones off the page.
    notices.filter(reason__in=["Avviso 50", "Avviso 51"]).update(
        read_at=timezone.now()
    )
    login(client, member)

    client.get(reverse("community:my-moderation"))
    assert notices.filter(read_at__isnull=True).count() == 0

    for number in range(52, 112):
        moderation.membership_warn(
            actor=owner, membership=membership, reason=f"Avviso {number}"
        )
    page = client.get(reverse("community:my-moderation")).content.decode()
    # 50 shown and read; the ten past the page wait for the next visit.
    assert notices.filter(read_at__isnull=True).count() == 10
    assert "Avviso 111" in page
    page = client.get(reverse("community:my-moderation")).content.decode()
    assert "Avviso 52<" in page
    assert notices.filter(read_at__isnull=True).count() == 0


# --- review follow-ups: a moderator's own hide and the review item ----------------------


def _hidden_by_reports():
    community, owner, thread = community_with_thread()
    Community.objects.filter(pk=community.pk).update(report_threshold=1)
    community.report_threshold = 1
    post = threads.post_reply(actor=member_of(community), thread=thread, body="Spam")
    reports.post_report(actor=member_of(community), post=post, reason="spam")
    post.refresh_from_db()
    item = ReviewItem.objects.get(post=post)
    assert post.is_hidden and item.hidden_by_reports
    return community, owner, post, item


def test_showing_a_post_again_by_hand_takes_it_off_hidden_pending_review(client):
    community, owner, post, item = _hidden_by_reports()
    moderation.post_unhide(actor=owner, post=post)
    item.refresh_from_db()
    assert item.is_open and not item.hidden_by_reports
    login(client, owner)
    queue = client.get(reverse("community:review-queue", args=[community.slug]))
    assert "Hidden pending review" not in queue.content.decode()


def test_dismissing_the_reports_leaves_a_moderators_own_hide(client):
    community, owner, post, item = _hidden_by_reports()
    moderation.post_unhide(actor=owner, post=post)
    moderation.post_hide(actor=owner, post=post, reason="Lo nascondo io")
    reports.review_decide(actor=owner, item=item, decision=Decision.DISMISSED)
    post.refresh_from_db()
    assert post.is_hidden and post.hidden_reason == "Lo nascondo io"


def test_two_hides_of_one_post_write_one_entry():
    community, owner, thread = community_with_thread()
    post = threads.post_reply(actor=member_of(community), thread=thread, body="Testo")
    moderator = member_of(community, "moderator")
    first = type(post).objects.get(pk=post.pk)
    second = type(post).objects.get(pk=post.pk)  # loaded before the first hide
    moderation.post_hide(actor=owner, post=first, reason="Uno")
    moderation.post_hide(actor=moderator, post=second, reason="Due")
    entries = AuditEntry.objects.filter(
        action=AuditEntry.Action.POST_HIDDEN, post_id_ref=post.pk
    )
    assert entries.count() == 1
    post.refresh_from_db()
    assert post.hidden_reason == "Uno" and second.hidden_reason == "Uno"


# --- review follow-ups: a ban is told ---------------------------------------------------


def test_a_banned_member_is_told_with_the_reason(client):
    community, owner, _thread = community_with_thread()
    member = member_of(community)
    moderation.membership_ban(
        actor=owner,
        membership=Membership.objects.select_related("user", "community").get(
            user=member, community=community
        ),
        reason="Spam ripetuto",
    )
    notice = ModerationNotice.objects.get(user=member)
    assert notice.kind == ModerationNotice.Kind.BANNED
    login(client, member)
    page = client.get(reverse("community:my-moderation")).content.decode()
    assert "banned you from this community" in page and "Spam ripetuto" in page


def test_a_silence_from_the_members_page_is_told_once(client):
    community, owner, _thread = community_with_thread()
    member = member_of(community)
    moderation.membership_mute(
        actor=owner,
        membership=Membership.objects.select_related("user", "community").get(
            user=member, community=community
        ),
        until=timezone.now() + timedelta(days=2),
        reason="Calma",
    )
    notice = ModerationNotice.objects.get(user=member)
    assert notice.kind == ModerationNotice.Kind.SILENCED and notice.until


def test_a_new_room_name_obeys_the_watched_words(watched):
    community, owner, _thread = watched
    with pytest.raises(ValidationError) as refused:
        rooms.room_create(actor=owner, community=community, name="Angolo dell'idiota")
    assert "idiota" in refused.value.message_dict["name"][0]
    room = rooms.room_create(actor=owner, community=community, name="Accidenti")
    assert room.title == "caspita"


def test_a_moderator_of_the_old_community_cannot_decide_a_held_reply_that_moved():
    community, owner, thread = community_with_thread()
    held = _held_reply(community, thread)
    moderator = member_of(community, "moderator")
    stale = HeldPost.objects.select_related("community").get(pk=held.pk)
    target = CommunityFactory()
    Membership.objects.create(user=owner, community=target, role=Membership.Role.OWNER)
    thread_tools.thread_move(actor=owner, thread=thread, community=target)

    with pytest.raises(ValidationError) as refused:
        threads.held_release(actor=moderator, held=stale)
    assert refused.value.code == "moved"
    with pytest.raises(ValidationError):
        rules.held_reject(actor=moderator, held=stale)
    held.refresh_from_db()
    assert held.is_held
    assert threads.held_release(actor=owner, held=held).post.thread_id == thread.pk
