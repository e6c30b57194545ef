"""A mention, a reply or an invitation is e-mailed once, when its time has come, to
someone who was away and has not read it; never otherwise."""

from datetime import timedelta
from unittest import mock

import pytest
from django.conf import settings
from django.core import mail as outbox
from django.urls import reverse
from django.utils import timezone

from community.models import Community, Membership
from community.queries.threads import post_quote_markdown
from community.services import accounts, memberships, moderation, threads
from notifications import mail, tasks
from notifications.email_models import EmailPreference, LastSeen, NotificationEmail
from notifications.models import Notification
from tests.community.thread_helpers import community_with_thread
from tests.support.factories import CommunityFactory, UserFactory
from tests.support.roles import member_of, person_in

from .email_helpers import due, mention, run

pytestmark = pytest.mark.django_db

Outcome = NotificationEmail.Outcome


@pytest.fixture
def capture(django_capture_on_commit_callbacks):
    return django_capture_on_commit_callbacks


def outcome_of(notification):
    return NotificationEmail.objects.get(notification=notification).outcome


def test_an_unread_mention_is_emailed_once_its_time_has_come(capture):
    _community, owner, ada, post, notification = mention(capture)
    assert mail.deliver_due(now=due(notification, -1)) == 0
    assert outbox.outbox == []

    assert mail.deliver_due(now=due(notification)) == 1
    [message] = outbox.outbox
    assert message.to == [ada.email]
    assert message.from_email == settings.DEFAULT_FROM_EMAIL
    assert "Crocevia" in message.from_email
    assert message.subject.startswith("[Crocevia] ")
    assert owner.name in message.subject
    # An absolute link to the exact post, and an excerpt of it.
    assert settings.SITE_URL + post.get_absolute_url() in message.body
    assert "Servono sensori economici." in message.body
    assert outcome_of(notification) == Outcome.SENT


def test_a_notification_is_never_emailed_twice(capture):
    _community, _owner, _ada, _post, notification = mention(capture)
    later = due(notification, 5)
    assert mail.deliver_due(now=later) == 1
    assert mail.deliver_due(now=later) == 0
    assert mail.deliver_one(notification.pk, now=later) == 0
    assert tasks.send_notification_email.call(notification.pk) == 0
    assert len(outbox.outbox) == 1


@pytest.mark.parametrize("kind", ["reply_thread", "quote", "invitation"])
def test_replies_and_invitations_are_emailed_too(capture, kind):
    if kind == "invitation":
        community = CommunityFactory(visibility=Community.Visibility.PRIVATE)
        owner = person_in(community, "owner")
        person = UserFactory()
        run(
            capture,
            memberships.membership_invite,
            actor=owner,
            community=community,
            invitee=person,
        )
        link = settings.SITE_URL + community.get_absolute_url()
    else:
        community, owner, thread = community_with_thread()
        person = owner
        body = "Anch'io"
        if kind == "quote":
            person = member_of(community)
            quoted = run(
                capture, threads.post_reply, actor=person, thread=thread, body="Io"
            )
            body = post_quote_markdown(quoted) + body
        replier = member_of(community)
        post = run(capture, threads.post_reply, actor=replier, thread=thread, body=body)
        link = settings.SITE_URL + post.get_absolute_url()
    notification = Notification.objects.get(recipient=person, kind=kind)
    mail.deliver_due(now=due(notification, 1))
    [message] = [m for m in outbox.outbox if m.to == [person.email]]
    assert link in message.body


def test_an_invitation_declined_before_its_time_is_not_emailed(capture):
    community = CommunityFactory(visibility=Community.Visibility.PRIVATE)
    owner = person_in(community, "owner")
    guest = UserFactory()
    run(
        capture,
        memberships.membership_invite,
        actor=owner,
        community=community,
        invitee=guest,
    )
    run(
        capture,
        memberships.membership_invitation_decline,
        actor=guest,
        community=community,
    )
    notification = Notification.objects.get(recipient=guest, kind="invitation")
    assert mail.deliver_due(now=due(notification)) == 0
    assert outbox.outbox == []
    assert outcome_of(notification) == Outcome.HIDDEN


def test_kinds_that_are_not_emailed_one_by_one_are_left_to_the_digest(capture):
    community = CommunityFactory(visibility=Community.Visibility.RESTRICTED)
    owner = person_in(community, "owner")
    asker = person_in(community, "pending")
    membership = Membership.objects.get(user=asker, community=community)
    run(capture, memberships.membership_approve, actor=owner, membership=membership)
    notification = Notification.objects.get(recipient=asker)
    assert mail.deliver_due(now=due(notification, 1)) == 0
    assert outbox.outbox == []
    assert not NotificationEmail.objects.exists()


def test_a_notification_read_in_time_is_not_emailed(capture, client):
    _community, _owner, ada, _post, notification = mention(capture)
    Notification.objects.filter(pk=notification.pk).update(read_at=timezone.now())
    assert mail.deliver_due(now=due(notification)) == 0
    assert mail.deliver_one(notification.pk, now=due(notification)) == 0
    assert outbox.outbox == []
    assert outcome_of(notification) == Outcome.READ


def test_someone_seen_on_the_site_since_it_arrived_is_not_emailed(capture, client):
    _community, _owner, ada, _post, notification = mention(capture)
    client.force_login(ada)
    client.get(
        reverse("community:home")
    )  # any page: they had the bell in front of them
    assert LastSeen.objects.get(person=ada).seen_at >= notification.created_at
    assert mail.deliver_due(now=due(notification)) == 0
    assert outbox.outbox == []
    assert outcome_of(notification) == Outcome.SEEN


def test_a_visit_before_the_mention_does_not_count_as_seeing_it(capture, client):
    community, owner, thread = community_with_thread()
    ada = member_of(community)
    LastSeen.objects.create(person=ada, seen_at=timezone.now() - timedelta(minutes=1))
    client.force_login(ada)
    client.get(reverse("community:home"))  # nothing awaited her visit: no stamp
    run(
        capture, threads.post_reply, actor=owner, thread=thread, body=f"@{ada.username}"
    )
    notification = Notification.objects.get(recipient=ada)
    assert mail.deliver_due(now=due(notification)) == 1


def test_the_seen_stamp_is_written_at_most_once_a_minute(capture, client):
    _community, _owner, ada, _post, notification = mention(capture)
    client.force_login(ada)
    client.get(reverse("community:home"))
    first = LastSeen.objects.get(person=ada).seen_at
    client.get(reverse("community:home"))
    client.get(reverse("notifications:list"))
    assert LastSeen.objects.get(person=ada).seen_at == first


def test_someone_who_turned_mentions_off_gets_no_mention_but_still_replies(capture):
    community, owner, ada, _post, notification = mention(capture)
    EmailPreference.objects.create(person=ada, mentions=False)
    mail.deliver_due(now=due(notification))
    assert outbox.outbox == []
    assert outcome_of(notification) == Outcome.DECLINED
    # Her own thread's reply still comes by e-mail.
    thread = threads.thread_create(
        actor=ada, community=community, title="Il mio", body="Testo"
    )
    run(capture, threads.post_reply, actor=owner, thread=thread, body="Risposta")
    reply = Notification.objects.get(recipient=ada, kind="reply_thread")
    mail.deliver_due(now=due(reply))
    assert [m.to for m in outbox.outbox] == [[ada.email]]


def _delete(community, owner, ada, post):
    threads.post_delete(actor=owner, post=post)


def _hide(community, owner, ada, post):
    moderation.post_hide(actor=owner, post=post, reason="Fuori tema")


def _leave(community, owner, ada, post):
    memberships.community_leave(actor=ada, community=community)


def _ban(community, owner, ada, post):
    membership = Membership.objects.get(user=ada, community=community)
    moderation.membership_ban(actor=owner, membership=membership, reason="Spam")


def _close(community, owner, ada, post):
    accounts.account_deactivate(actor=UserFactory(is_staff=True), person=ada)


def _suspend(community, owner, ada, post):
    accounts.account_suspend(
        actor=UserFactory(is_staff=True),
        person=ada,
        until=timezone.now() + timedelta(days=3),
        reason="Spam",
    )


@pytest.mark.parametrize(
    "change",
    [_delete, _hide, _leave, _ban, _close, _suspend],
    ids=[
        "post deleted",
        "post hidden",
        "left private",
        "banned",
        "closed",
        "suspended",
    ],
)
def test_nothing_is_emailed_about_what_the_person_can_no_longer_see(capture, change):
    community, owner, ada, post, notification = mention(
        capture, visibility=Community.Visibility.PRIVATE
    )
    run(capture, change, community=community, owner=owner, ada=ada, post=post)
    assert mail.deliver_due(now=due(notification)) == 0
    assert outbox.outbox == []
    assert outcome_of(notification) == Outcome.HIDDEN


def test_an_edited_post_is_quoted_as_it_reads_when_the_email_goes(capture):
    _community, _owner, ada, post, notification = mention(capture)
    threads.post_edit(
        actor=post.author, post=post, body=f"@{ada.username} testo corretto"
    )
    mail.deliver_due(now=due(notification))
    [message] = outbox.outbox
    assert "testo corretto" in message.body
    assert "Servono sensori economici." not in message.body


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("en", ("mentioned you in", "Read it on the site:")),
        ("it", ("ti ha menzionato in", "Leggilo sul sito:")),
        ("", ("ti ha menzionato in", "Leggilo sul sito:")),  # the site's language
    ],
)
def test_the_email_is_in_the_persons_language(capture, language, words):
    _community, _owner, _ada, _post, notification = mention(capture, language=language)
    mail.deliver_due(now=due(notification))
    [message] = outbox.outbox
    subject_words, body_words = words
    assert subject_words in message.subject
    assert body_words in message.body
    html, mimetype = message.alternatives[0]
    assert subject_words in html


def test_the_email_has_plain_text_and_escaped_html_parts(capture):
    _community, _owner, ada, post, notification = mention(
        capture, body="@{username} <script>alert(1)</script> & <b>co</b>"
    )
    mail.deliver_due(now=due(notification))
    [message] = outbox.outbox
    assert "<script>alert(1)</script> & <b>co</b>" in message.body
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    assert "<script>" not in html and "<b>co</b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;co&lt;/b&gt;" in html
    assert f'href="{settings.SITE_URL}{post.get_absolute_url()}"' in html


def test_the_email_names_its_one_click_unsubscribe_for_that_kind(capture):
    _community, _owner, ada, _post, notification = mention(capture)
    mail.deliver_due(now=due(notification))
    [message] = outbox.outbox
    address = message.extra_headers["List-Unsubscribe"].strip("<>")
    assert (
        message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    )
    assert address.startswith(settings.SITE_URL + "/notifications/unsubscribe/")
    assert address in message.body
    token = address.rstrip("/").rsplit("/", 1)[1]
    assert mail.read_unsubscribe_token(token) == (ada.pk, "mentions")


def test_with_the_immediate_backend_nothing_is_queued_and_the_sweep_sends(capture):
    _community, _owner, ada, _post, notification = mention(capture)
    # Created a moment ago: the immediate backend cannot defer, so nothing ran yet.
    assert outbox.outbox == []
    created = [(notification.pk, notification.recipient_id, notification.kind)]
    assert tasks.schedule_emails(created, notification.created_at) == 0
    with mock.patch("django.utils.timezone.now", return_value=due(notification)):
        assert tasks.send_due_notification_emails.enqueue().return_value == 1
    assert [m.to for m in outbox.outbox] == [[ada.email]]


@pytest.fixture
def database_backend(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.mark.usefixtures("database_backend")
def test_with_the_database_backend_each_email_is_queued_for_its_due_time(capture):
    from django_tasks_db.models import DBTaskResult

    _community, _owner, ada, _post, notification = mention(capture)
    [queued] = DBTaskResult.objects.all()
    assert queued.task_path == "notifications.tasks.send_notification_email"
    assert queued.args_kwargs == {"args": [notification.pk], "kwargs": {}}
    assert queued.run_after == due(notification)
    # The worker runs it at that time: the e-mail goes, once.
    with mock.patch("django.utils.timezone.now", return_value=due(notification)):
        assert tasks.send_notification_email.call(notification.pk) == 1
        assert tasks.send_notification_email.call(notification.pk) == 0
    assert [m.to for m in outbox.outbox] == [[ada.email]]


@pytest.mark.usefixtures("database_backend")
def test_a_queued_email_run_early_sends_nothing_and_the_sweep_sends_it_later(capture):
    _community, _owner, _ada, _post, notification = mention(capture)
    assert tasks.send_notification_email.call(notification.pk) == 0
    assert not NotificationEmail.objects.exists()
    assert mail.deliver_due(now=due(notification)) == 1


def test_the_command_sends_what_is_due(capture):
    from django.core.management import call_command

    _community, _owner, ada, _post, notification = mention(capture)
    with mock.patch("django.utils.timezone.now", return_value=due(notification)):
        call_command("send_notification_emails")
    assert [m.to for m in outbox.outbox] == [[ada.email]]
