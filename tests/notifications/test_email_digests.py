"""Daily and weekly digests: what each lists (unread, still visible, not already
e-mailed one by one), when it is due, and never the same notification twice."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail as outbox
from django.utils import timezone

from community.services import moderation, threads
from notifications import digests, mail
from notifications.email_models import EmailPreference
from notifications.models import Notification
from tests.community.thread_helpers import community_with_thread
from tests.support.roles import member_of
from tests.support.workspaces import add_participant, make_workspace, person_of
from workspaces.services import people

from .email_helpers import due, run

pytestmark = pytest.mark.django_db

Digest = EmailPreference.Digest


@pytest.fixture
def capture(django_capture_on_commit_callbacks):
    return django_capture_on_commit_callbacks


@pytest.fixture
def now():
    return timezone.now().replace(microsecond=0)


def at(notification, when):
    Notification.objects.filter(pk=notification.pk).update(created_at=when)
    notification.refresh_from_db()
    return notification


def choose(person, digest, last):
    return EmailPreference.objects.create(
        person=person, digest=digest, last_digest_at=last
    )


def mentions(capture, count, language=""):
    """`ada` (in `language`) mentioned `count` times by the owner of a thread."""
    community, owner, thread = community_with_thread()
    ada = member_of(community)
    ada.language = language
    ada.save(update_fields=["language"])
    posts = [
        run(
            capture,
            threads.post_reply,
            actor=owner,
            thread=thread,
            body=f"Menzione numero {index} per @{ada.username}",
        )
        for index in range(count)
    ]
    found = list(Notification.objects.filter(recipient=ada).order_by("pk"))
    return community, owner, ada, posts, found


def test_a_daily_digest_lists_the_unread_notifications_once(capture, now):
    _c, _owner, ada, posts, (first, second) = mentions(capture, 2, language="en")
    at(first, now - timedelta(hours=5))
    at(second, now - timedelta(hours=2))
    choose(ada, Digest.DAILY, now - timedelta(days=1))

    assert digests.send_digests(now=now) == 1
    [message] = outbox.outbox
    assert message.to == [ada.email]
    assert message.subject == "[Crocevia] Your daily digest: 2 unread notifications"
    for post in posts:
        assert settings.SITE_URL + post.get_absolute_url() in message.body
    assert "Menzione numero 0" in message.body and "Menzione numero 1" in message.body
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html" and "Menzione numero 1" in html
    assert (
        message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    )
    token = (
        message.extra_headers["List-Unsubscribe"]
        .strip("<>")
        .rstrip("/")
        .rsplit("/")[-1]
    )
    assert mail.read_unsubscribe_token(token) == (ada.pk, "digest")

    # Run again the same day: not due. The next day: nothing new, nothing sent.
    assert digests.send_digests(now=now + timedelta(hours=1)) == 0
    assert digests.send_digests(now=now + timedelta(days=1)) == 0
    assert len(outbox.outbox) == 1


def test_the_next_digest_lists_only_what_came_after_the_previous_one(capture, now):
    community, owner, ada, _posts, (old,) = mentions(capture, 1)
    at(old, now - timedelta(hours=3))
    choose(ada, Digest.DAILY, now - timedelta(days=1))
    assert digests.send_digests(now=now) == 1
    thread = threads.thread_create(
        actor=owner, community=community, title="Altro", body="x"
    )
    run(
        capture,
        threads.post_reply,
        actor=owner,
        thread=thread,
        body=f"Nuova @{ada.username}",
    )
    new = at(Notification.objects.latest("pk"), now + timedelta(hours=3))
    assert digests.send_digests(now=now + timedelta(days=1)) == 1
    latest = outbox.outbox[-1]
    assert "Nuova" in latest.body
    assert "Menzione numero 0" not in latest.body
    assert new.thread.title in latest.body
    # In Italian, her language being the site's.
    assert (
        latest.subject
        == "[Crocevia] Il tuo riepilogo giornaliero: 1 notifica non letta"
    )


def test_a_weekly_digest_waits_for_its_week(capture, now):
    _c, _owner, ada, _posts, (first,) = mentions(capture, 1, language="en")
    at(first, now - timedelta(hours=1))
    choose(ada, Digest.WEEKLY, now - timedelta(days=2))
    assert digests.send_digests(now=now) == 0
    assert digests.send_digests(now=now + timedelta(days=5)) == 1
    [message] = outbox.outbox
    assert message.subject == "[Crocevia] Your weekly digest: 1 unread notification"
    assert "from this week" in message.body
    assert digests.send_digests(now=now + timedelta(days=6)) == 0


def test_the_digest_leaves_out_what_was_read_emailed_or_became_invisible(capture, now):
    community, owner, ada, posts, notes = mentions(capture, 4, language="en")
    for note in notes:
        at(note, now - timedelta(hours=4))
    read, emailed, hidden, kept = notes
    Notification.objects.filter(pk=read.pk).update(read_at=now - timedelta(hours=1))
    mail.deliver_one(emailed.pk, now=due(emailed))  # went out on its own
    run(capture, moderation.post_hide, actor=owner, post=posts[2], reason="Spam")
    outbox.outbox.clear()
    choose(ada, Digest.DAILY, now - timedelta(days=1))
    assert digests.send_digests(now=now) == 1
    [message] = outbox.outbox
    assert "1 unread notification" in message.subject
    assert "Menzione numero 3" in message.body
    for gone in ("Menzione numero 0", "Menzione numero 1", "Menzione numero 2"):
        assert gone not in message.body


def test_a_removed_workspace_participant_is_not_told_of_it_in_a_digest(capture, now):
    workspace = make_workspace()
    ada = person_of(language="en")
    participant = run(capture, add_participant, workspace, ada)
    at(Notification.objects.get(recipient=ada), now - timedelta(hours=1))
    choose(ada, Digest.DAILY, now - timedelta(days=1))
    run(
        capture,
        people.participant_remove,
        actor=workspace.created_by,
        participant=participant,
    )
    assert digests.send_digests(now=now) == 0
    assert outbox.outbox == []
    # Her window moved on all the same.
    assert EmailPreference.objects.get(person=ada).last_digest_at == now


def test_a_participant_still_in_the_workspace_is_told_of_it(capture, now):
    workspace = make_workspace()
    ada = person_of(language="en")
    run(capture, add_participant, workspace, ada)
    at(Notification.objects.get(recipient=ada), now - timedelta(hours=1))
    choose(ada, Digest.DAILY, now - timedelta(days=1))
    assert digests.send_digests(now=now) == 1
    assert f"added you to the workspace {workspace.name}" in outbox.outbox[0].body
    assert settings.SITE_URL + workspace.get_absolute_url() in outbox.outbox[0].body


@pytest.mark.parametrize("digest", [Digest.OFF])
def test_no_digest_for_those_who_want_none(capture, now, digest):
    _c, _owner, ada, _posts, (first,) = mentions(capture, 1)
    at(first, now - timedelta(hours=1))
    choose(ada, digest, now - timedelta(days=3))
    assert digests.send_digests(now=now) == 0
    assert outbox.outbox == []


def test_closed_accounts_get_no_digest(capture, now):
    _c, _owner, ada, _posts, (first,) = mentions(capture, 1)
    at(first, now - timedelta(hours=1))
    choose(ada, Digest.DAILY, now - timedelta(days=1))
    ada.is_active = False
    ada.save(update_fields=["is_active"])
    assert digests.send_digests(now=now) == 0
    assert outbox.outbox == []


def test_the_command_sends_due_digests(capture, now):
    from unittest import mock

    from django.core.management import call_command

    _c, _owner, ada, _posts, (first,) = mentions(capture, 1)
    at(first, now - timedelta(hours=1))
    choose(ada, Digest.DAILY, now - timedelta(days=1))
    with mock.patch("django.utils.timezone.now", return_value=now):
        call_command("send_notification_emails", "--digests-only")
    assert [m.to for m in outbox.outbox] == [[ada.email]]


def test_a_daily_digest_keeps_its_time_of_day_when_the_sweep_runs_late(capture, now):
    _c, _owner, ada, _posts, (first,) = mentions(capture, 1, language="en")
    at(first, now - timedelta(hours=1))
    EmailPreference.objects.create(
        person=ada,
        digest=Digest.DAILY,
        last_digest_at=now - timedelta(days=1),
        next_digest_at=now,
    )
    assert digests.send_digests(now=now - timedelta(minutes=1)) == 0
    assert digests.send_digests(now=now + timedelta(minutes=3)) == 1
    saved = EmailPreference.objects.get(person=ada)
    assert saved.last_digest_at == now + timedelta(minutes=3)
    assert saved.next_digest_at == now + timedelta(days=1)  # not 3 minutes later


def test_after_downtime_the_next_digest_is_a_period_from_now(capture, now):
    _c, _owner, ada, _posts, (first,) = mentions(capture, 1, language="en")
    at(first, now - timedelta(hours=1))
    EmailPreference.objects.create(
        person=ada,
        digest=Digest.DAILY,
        last_digest_at=now - timedelta(days=4),
        next_digest_at=now - timedelta(days=3),
    )
    assert digests.send_digests(now=now) == 1
    assert EmailPreference.objects.get(person=ada).next_digest_at == now + timedelta(
        days=1
    )
