"""Reports and the review queue: who may report, who reviews, what each decision does,
claims, the threshold, and what reporters and authors are told."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from community.models import (
    AuditEntry,
    Community,
    Membership,
    ModerationNotice,
    Report,
    ReviewItem,
)
from community.services import moderation, reports, threads
from tests.community.thread_helpers import community_with_thread, login, thread_url
from tests.support.factories import CommunityFactory, UserFactory
from tests.support.roles import member_of, person_in
from tests.support.workspaces import make_workspace, workspace_roles

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_default")]


Decision = ReviewItem.Decision
Action = AuditEntry.Action

ROLES = (
    "anonymous",
    "member",
    "silenced",
    "banned",
    "moderator",
    "other_moderator",
    "owner",
    "staff",
)
MODERATORS = {"moderator", "owner", "staff"}


def _person(community, role, owner=None):
    if role == "owner":
        return owner
    if role == "other_moderator":
        return person_in(CommunityFactory(), "moderator")
    if role == "silenced":
        return person_in(community, "muted")
    return person_in(community, role)


def _reported(threshold=3, reporters=1, **thread_kwargs):
    """A community with a post by `author` reported by `reporters` members."""
    community, owner, thread = community_with_thread(**thread_kwargs)
    Community.objects.filter(pk=community.pk).update(report_threshold=threshold)
    community.report_threshold = threshold
    author = member_of(community)
    post = threads.post_reply(
        actor=author, thread=thread, body="Compra ora: offerta SPAM123"
    )
    people = [member_of(community) for _ in range(reporters)]
    for person in people:
        reports.post_report(actor=person, post=post, reason=Report.Reason.SPAM)
    post.refresh_from_db()
    item = ReviewItem.objects.filter(post=post).first()
    return community, owner, thread, author, post, item, people


def _report_url(post):
    return reverse("community:post-report", args=[post.pk])


# --- reporting -----------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_who_may_report_a_post(client, role):
    community, owner, thread = community_with_thread()
    post = threads.post_reply(actor=member_of(community), thread=thread, body="Testo")
    person = _person(community, role, owner)
    login(client, person)
    page = client.get(_report_url(post))
    sent = client.post(_report_url(post), {"reason": "spam"})
    allowed = role in {"member", "silenced"}
    if role == "anonymous":
        assert page.status_code == 302 and reverse("account_login") in page["Location"]
    elif allowed:
        assert page.status_code == 200 and "Testo" in page.content.decode()
        assert sent.status_code == 302
    else:
        assert page.status_code == 403
        assert sent.status_code == 403
    assert Report.objects.filter(post=post).exists() is allowed
    # The thread page offers the action to the same people.
    offered = 'data-action="report"' in client.get(thread_url(thread)).content.decode()
    assert offered is allowed


def test_outsiders_of_a_private_community_get_not_found(client):
    community, owner, thread = community_with_thread(Community.Visibility.PRIVATE)
    post = threads.post_reply(
        actor=member_of(community), thread=thread, body="Riservato"
    )
    client.force_login(UserFactory())
    assert client.get(_report_url(post)).status_code == 404


def test_nobody_reports_their_own_or_a_hidden_post():
    community, owner, thread = community_with_thread()
    author = member_of(community)
    post = threads.post_reply(actor=author, thread=thread, body="Mio")
    with pytest.raises(PermissionDenied):
        reports.post_report(actor=author, post=post, reason="spam")
    moderation.post_hide(actor=owner, post=post)
    with pytest.raises(PermissionDenied):
        reports.post_report(actor=member_of(community), post=post, reason="spam")


def test_a_post_is_reported_once_per_member(client):
    community, owner, thread, author, post, item, (reporter,) = _reported()
    with pytest.raises(ValidationError, match="already reported"):
        reports.post_report(actor=reporter, post=post, reason="abusive")
    client.force_login(reporter)
    page = client.post(_report_url(post), {"reason": "abusive"})
    assert "You have already reported this post." in page.content.decode()
    assert Report.objects.filter(post=post).count() == 1


def test_other_needs_a_note_and_notes_have_a_limit(client):
    community, owner, thread = community_with_thread()
    post = threads.post_reply(actor=member_of(community), thread=thread, body="Testo")
    client.force_login(member_of(community))
    page = client.post(_report_url(post), {"reason": "other", "note": "  "})
    assert "Say in a few words what is wrong with this post." in page.content.decode()
    page = client.post(_report_url(post), {"reason": "other", "note": "x" * 501})
    assert page.status_code == 200
    assert not Report.objects.exists()
    client.post(_report_url(post), {"reason": "other", "note": "Dati personali"})
    assert Report.objects.get().note == "Dati personali"


def test_room_messages_are_reported_the_same_way(client):
    from community.services import rooms
    from tests.community.room_helpers import community_with_room

    community, owner, room = community_with_room()
    message = threads.post_reply(
        actor=member_of(community), thread=room, body="Link sospetto"
    )
    reporter = member_of(community)
    client.force_login(reporter)
    assert (
        'data-action="report"' in client.get(room.get_absolute_url()).content.decode()
    )
    assert client.post(_report_url(message), {"reason": "spam"}).status_code == 302
    assert Report.objects.get().post == message
    assert rooms  # the room services module is the one the room page uses


def test_the_threshold_hides_the_post_once():
    community, owner, thread, author, post, item, people = _reported(
        threshold=2, reporters=2
    )
    assert post.is_hidden and item.hidden_by_reports
    assert AuditEntry.objects.filter(action=Action.POST_HIDDEN_BY_REPORTS).count() == 1
    assert AuditEntry.objects.get(action=Action.POST_HIDDEN_BY_REPORTS).actor is None
    # A hidden post cannot be reported any more.
    with pytest.raises(PermissionDenied):
        reports.post_report(actor=member_of(community), post=post, reason="spam")


def test_below_the_threshold_the_post_stays(client):
    community, owner, thread, author, post, item, people = _reported(
        threshold=3, reporters=2
    )
    assert not post.is_hidden
    assert "SPAM123" in client.get(thread_url(thread)).content.decode()


# --- who reviews ---------------------------------------------------------------------------

QUEUE_PAGES = ("community:review-queue", "community:review-item")


@pytest.mark.parametrize("role", ROLES)
def test_queue_pages_and_decisions_by_role(client, role):
    community, owner, thread, author, post, item, people = _reported()
    person = _person(community, role, owner)
    login(client, person)
    queue = client.get(reverse("community:review-queue", args=[community.slug]))
    detail_url = reverse("community:review-item", args=[community.slug, item.pk])
    detail = client.get(detail_url)
    combined = client.get(reverse("community:review-combined"))
    decided = client.post(
        detail_url, {"action": "decide", "decision": "hidden", "reason": "r"}
    )
    post.refresh_from_db()
    item.refresh_from_db()
    if role in MODERATORS:
        assert queue.status_code == detail.status_code == combined.status_code == 200
        assert "SPAM123" in detail.content.decode()
        assert "SPAM123" in combined.content.decode()
        assert post.is_hidden and item.decision == Decision.HIDDEN
    else:
        assert post.is_hidden is False and item.is_open
        if role == "anonymous":
            assert queue.status_code == detail.status_code == 302
        else:
            assert queue.status_code == detail.status_code == decided.status_code == 403
            assert "SPAM123" not in detail.content.decode()
        if role == "other_moderator":
            # Their own combined queue, without this community's items.
            assert combined.status_code == 200
            assert "SPAM123" not in combined.content.decode()
        elif role != "anonymous":
            assert combined.status_code == 403


def test_an_item_of_another_community_is_not_found(client):
    community, owner, thread, author, post, item, people = _reported()
    other, other_owner, _thread = community_with_thread()
    client.force_login(other_owner)
    url = reverse("community:review-item", args=[other.slug, item.pk])
    assert client.get(url).status_code == 404


def test_navigation_counts_open_items_for_moderators(client):
    community, owner, thread, author, post, item, people = _reported()
    client.force_login(owner)
    assert (
        "data-review-open>1<" in client.get(reverse("community:home")).content.decode()
    )
    client.force_login(people[0])
    assert (
        "data-review-open" not in client.get(reverse("community:home")).content.decode()
    )


# --- decisions ------------------------------------------------------------------------------


def _decide(owner, item, decision, **kwargs):
    return reports.review_decide(actor=owner, item=item, decision=decision, **kwargs)


def test_dismiss_shows_a_post_the_reports_hid():
    community, owner, thread, author, post, item, people = _reported(threshold=1)
    assert post.is_hidden
    _decide(owner, item, Decision.DISMISSED)
    post.refresh_from_db()
    assert not post.is_hidden
    assert AuditEntry.objects.filter(action=Action.REVIEW_DISMISSED).exists()


def test_restoring_a_post_that_is_shown_is_refused_and_leaves_the_item_open():
    """Every closed item has its audit entry: restoring a post nobody hid is refused
    (dismissing the reports is the decision for it)."""
    community, owner, thread, author, post, item, people = _reported()
    assert not post.is_hidden
    entries = AuditEntry.objects.count()

    with pytest.raises(ValidationError) as refused:
        _decide(owner, item, Decision.RESTORED)

    assert refused.value.code == "shown"
    item.refresh_from_db()
    assert item.status == ReviewItem.Status.OPEN
    assert AuditEntry.objects.count() == entries


def test_hide_with_a_reason_tells_the_author(client):
    community, owner, thread, author, post, item, people = _reported()
    _decide(owner, item, Decision.HIDDEN, reason="Pubblicità non richiesta")
    post.refresh_from_db()
    assert post.is_hidden and post.hidden_reason == "Pubblicità non richiesta"
    client.force_login(author)
    home = client.get(reverse("community:home")).content.decode()
    assert "1 moderation notice" in home
    mine = client.get(reverse("community:my-moderation")).content.decode()
    assert "Pubblicità non richiesta" in mine
    # Read once opened: the navigation stops counting it.
    assert (
        "moderation notice"
        not in client.get(reverse("community:home")).content.decode()
    )


def test_warn_needs_a_reason_and_sends_a_private_notice(client):
    community, owner, thread, author, post, item, people = _reported()
    with pytest.raises(ValidationError):
        _decide(owner, item, Decision.WARNED)
    _decide(owner, item, Decision.WARNED, reason="Niente pubblicità, per favore")
    notice = ModerationNotice.objects.get(kind=ModerationNotice.Kind.WARNING)
    assert notice.user == author
    client.force_login(people[0])
    assert (
        "Niente pubblicità"
        not in client.get(reverse("community:my-moderation")).content.decode()
    )


def test_silence_and_ban_sanction_the_author():
    community, owner, thread, author, post, item, people = _reported()
    until = timezone.now() + timedelta(days=2)
    _decide(owner, item, Decision.SILENCED, until=until, reason="Calma")
    membership = Membership.objects.get(user=author, community=community)
    assert membership.muted_until == until
    assert AuditEntry.objects.filter(
        action=Action.MEMBER_SILENCED, member=author
    ).exists()

    other = threads.post_reply(actor=member_of(community), thread=thread, body="Altro")
    reports.post_report(actor=people[0], post=other, reason="abusive")
    item2 = ReviewItem.objects.get(post=other)
    _decide(owner, item2, Decision.BANNED)
    assert (
        Membership.objects.get(user=other.author, community=community).state == "banned"
    )


def test_silence_by_form_needs_a_period(client):
    community, owner, thread, author, post, item, people = _reported()
    client.force_login(owner)
    url = reverse("community:review-item", args=[community.slug, item.pk])
    page = client.post(url, {"action": "decide", "decision": "silenced"})
    assert "Say for how many days the author is silenced." in page.content.decode()
    client.post(url, {"action": "decide", "decision": "silenced", "days": "3"})
    muted = Membership.objects.get(user=author, community=community).muted_until
    assert muted > timezone.now() + timedelta(days=2)


def test_a_moderator_cannot_silence_another_moderator_through_the_queue():
    community, owner, thread = community_with_thread()
    colleague = member_of(community, "moderator")
    post = threads.post_reply(actor=colleague, thread=thread, body="Testo")
    reports.post_report(actor=member_of(community), post=post, reason="abusive")
    item = ReviewItem.objects.get()
    with pytest.raises(PermissionDenied):
        _decide(
            member_of(community, "moderator"),
            item,
            Decision.SILENCED,
            until=timezone.now() + timedelta(days=1),
        )
    item.refresh_from_db()
    assert item.is_open


# --- claims -------------------------------------------------------------------------------


def test_a_claimed_item_is_left_to_its_moderator(client):
    community, owner, thread, author, post, item, people = _reported()
    first = member_of(community, "moderator")
    second = member_of(community, "moderator")
    reports.review_claim(actor=first, item=item)
    with pytest.raises(ValidationError, match="already handling"):
        reports.review_claim(actor=second, item=item)
    with pytest.raises(ValidationError, match="already handling"):
        _decide(second, item, Decision.DISMISSED)
    client.force_login(second)
    url = reverse("community:review-item", args=[community.slug, item.pk])
    page = client.post(url, {"action": "decide", "decision": "hidden"}, follow=True)
    assert "is already handling this item." in page.content.decode()
    reports.review_release(actor=first, item=item)
    reports.review_claim(actor=second, item=item)


def test_acting_on_a_closed_item_answers_clearly(client):
    community, owner, thread, author, post, item, people = _reported()
    _decide(owner, item, Decision.DISMISSED)
    moderator = member_of(community, "moderator")
    client.force_login(moderator)
    url = reverse("community:review-item", args=[community.slug, item.pk])
    page = client.post(url, {"action": "decide", "decision": "hidden"}, follow=True)
    body = page.content.decode()
    assert f"This item was already closed by {owner.name}" in body
    post.refresh_from_db()
    assert not post.is_hidden
    assert AuditEntry.objects.filter(action=Action.POST_HIDDEN).count() == 0


def test_two_moderators_claiming_from_the_same_page_get_one_claim():
    """Both loaded the item while it was free; the claim decides on the row as it is
    when it is written (locked), not on what each page saw."""
    community, owner, thread, author, post, item, people = _reported()
    first, second = (member_of(community, "moderator") for _ in range(2))
    seen_by_first = ReviewItem.objects.get(pk=item.pk)
    seen_by_second = ReviewItem.objects.get(pk=item.pk)
    reports.review_claim(actor=first, item=seen_by_first)
    with pytest.raises(ValidationError, match="already handling"):
        reports.review_claim(actor=second, item=seen_by_second)
    item.refresh_from_db()
    assert item.claimed_by == first


def test_two_moderators_deciding_from_the_same_page_decide_once(client):
    community, owner, thread, author, post, item, people = _reported()
    first, second = (member_of(community, "moderator") for _ in range(2))
    url = reverse("community:review-item", args=[community.slug, item.pk])
    other = type(client)()
    client.force_login(first)
    other.force_login(second)
    assert client.get(url).status_code == other.get(url).status_code == 200
    client.post(url, {"action": "decide", "decision": "hidden", "reason": "spam"})
    page = other.post(url, {"action": "decide", "decision": "dismissed"}, follow=True)
    assert f"This item was already closed by {first.name}" in page.content.decode()
    post.refresh_from_db()
    item.refresh_from_db()
    assert post.is_hidden and item.decision == Decision.HIDDEN
    assert AuditEntry.objects.filter(action=Action.REVIEW_DISMISSED).count() == 0
    assert AuditEntry.objects.filter(action=Action.POST_HIDDEN).count() == 1


# --- settings, workspaces -------------------------------------------------------------------


@pytest.mark.parametrize(
    "role, allowed",
    [("owner", True), ("staff", True), ("moderator", False), ("member", False)],
)
def test_owners_set_the_report_threshold(client, role, allowed):
    community, owner, thread = community_with_thread()
    login(client, _person(community, role, owner))
    response = client.post(
        reverse("community:moderation-settings", args=[community.slug]),
        {"report_threshold": "5"},
    )
    community.refresh_from_db()
    assert (community.report_threshold == 5) is allowed
    assert response.status_code == (302 if allowed else 403)
    assert AuditEntry.objects.filter(action=Action.SETTINGS_CHANGED).exists() is allowed


def test_the_threshold_must_be_sensible(client):
    community, owner, thread = community_with_thread()
    client.force_login(owner)
    url = reverse("community:moderation-settings", args=[community.slug])
    page = client.post(url, {"report_threshold": "0"}, follow=True)
    community.refresh_from_db()
    assert community.report_threshold == 3
    assert page.status_code == 200


def test_workspace_discussions_are_moderated_by_their_leads(client):
    workspace = make_workspace()
    roles = workspace_roles(workspace)
    thread = workspace.community.threads.first()
    post = threads.post_reply(
        actor=roles.member, thread=thread, body="Dati riservati XYZ"
    )
    reports.post_report(actor=roles.guest, post=post, reason="confidential")
    item = ReviewItem.objects.get()
    url = reverse("community:review-item", args=[workspace.community.slug, item.pk])
    client.force_login(roles.member)
    assert client.get(url).status_code == 403
    client.force_login(roles.stranger)
    assert client.get(url).status_code == 404
    client.force_login(roles.lead)
    assert "Dati riservati XYZ" in client.get(url).content.decode()
    client.post(url, {"action": "decide", "decision": "hidden", "reason": "riservato"})
    post.refresh_from_db()
    assert post.is_hidden


def test_moderation_pages_speak_italian(client, settings):
    settings.LANGUAGE_CODE = "it"
    community, owner, thread, author, post, item, people = _reported()
    client.force_login(people[0])
    assert "Segnala" in client.get(thread_url(thread)).content.decode()
    assert "Perché lo segnali?" in client.get(_report_url(post)).content.decode()
    client.force_login(owner)
    queue = client.get(reverse("community:review-queue", args=[community.slug]))
    assert "Post segnalati in attesa di revisione" in queue.content.decode()
