"""Staff suspend an account site-wide: every session ends and every socket closes at
once, the person cannot sign in until the end (and is told until when, in their
language), the suspension is in the site-wide audit log, and staff lift it."""

from datetime import timedelta

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from community.models import AuditEntry, Membership, User
from community.services import accounts
from config.asgi import application
from tests.community.thread_helpers import community_with_thread
from tests.live.sockets import SITE, send_post, subscribe
from tests.support.factories import UserFactory
from tests.support.roles import member_of, person_in

PASSWORD = "correct horse battery"


def _signed_in(person):
    client = Client()
    client.force_login(person)
    return client


def _login(client, person):
    return client.post(
        reverse("account_login"),
        {"login": person.email, "password": PASSWORD},
        follow=True,
    )


@pytest.mark.django_db
def test_suspending_ends_every_session_and_is_logged():
    staff = UserFactory(is_staff=True)
    person = member_of(community_with_thread()[0])
    phone, laptop = _signed_in(person), _signed_in(person)
    other = _signed_in(UserFactory())
    until = timezone.now() + timedelta(days=7)

    accounts.account_suspend(actor=staff, person=person, until=until, reason="spam")

    for client in (phone, laptop):
        page = client.get(reverse("community:my-moderation"))
        assert page.status_code == 302  # signed out: sent to the login page
    assert other.get(reverse("community:my-moderation")).status_code == 200
    assert Session.objects.count() == 1  # only the other person's
    entry = AuditEntry.objects.get(action=AuditEntry.Action.ACCOUNT_SUSPENDED)
    assert (entry.community, entry.actor, entry.member) == (None, staff, person)
    assert (entry.reason, entry.until) == ("spam", until)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "Your account is suspended until"),
        ("it", "Il tuo account è sospeso fino al"),
    ],
)
def test_a_suspended_person_is_told_at_login_in_their_language(language, message):
    staff = UserFactory(is_staff=True)
    person = UserFactory(language=language)
    accounts.account_suspend(
        actor=staff, person=person, until=timezone.now() + timedelta(days=2)
    )
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    page = _login(client, person)
    assert message in page.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_a_wrong_password_does_not_reveal_the_suspension():
    staff = UserFactory(is_staff=True)
    person = UserFactory(language="en")
    accounts.account_suspend(
        actor=staff, person=person, until=timezone.now() + timedelta(days=2)
    )
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    page = client.post(
        reverse("account_login"), {"login": person.email, "password": "wrong one"}
    )
    assert "suspended" not in page.content.decode()


@pytest.mark.django_db
def test_after_the_end_or_once_lifted_the_person_signs_in_again():
    staff = UserFactory(is_staff=True)
    person = UserFactory(language="en")
    accounts.account_suspend(
        actor=staff, person=person, until=timezone.now() + timedelta(days=2)
    )
    User.objects.filter(pk=person.pk).update(
        suspended_until=timezone.now() - timedelta(minutes=1)
    )
    client = Client()
    _login(client, person)
    assert client.session.get("_auth_user_id") == str(person.pk)

    person.refresh_from_db()
    accounts.account_suspend(
        actor=staff, person=person, until=timezone.now() + timedelta(days=2)
    )
    accounts.account_unsuspend(actor=staff, person=person)
    client = Client()
    _login(client, person)
    assert client.session.get("_auth_user_id") == str(person.pk)
    assert AuditEntry.objects.filter(
        action=AuditEntry.Action.ACCOUNT_UNSUSPENDED, member=person
    ).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["member", "moderator", "owner"])
def test_only_staff_suspend(role):
    community, _owner, _thread = community_with_thread()
    actor = person_in(community, role) if role != "owner" else _owner
    person = member_of(community)
    with pytest.raises(PermissionDenied):
        accounts.account_suspend(
            actor=actor, person=person, until=timezone.now() + timedelta(days=1)
        )
    person.refresh_from_db()
    assert person.suspended_until is None
    assert not AuditEntry.objects.exists()


@pytest.mark.django_db
def test_a_suspension_must_end_in_the_future():
    staff = UserFactory(is_staff=True)
    with pytest.raises(ValidationError):
        accounts.account_suspend(
            actor=staff, person=UserFactory(), until=timezone.now()
        )


@pytest.mark.django_db
def test_staff_suspend_from_the_member_list(settings):
    settings.LANGUAGE_CODE = "en"
    community, _owner, _thread = community_with_thread()
    person = member_of(community)
    staff = _signed_in(UserFactory(is_staff=True))
    row = Membership.objects.get(user=person, community=community)
    url = reverse("community:moderation-member-action", args=[community.slug, row.pk])
    staff.post(url, {"action": "suspend", "days": "3", "reason": "abusi"})
    person.refresh_from_db()
    assert person.is_suspended
    assert person.suspended_until > timezone.now() + timedelta(days=2)
    page = staff.get(reverse("community:moderation-members", args=[community.slug]))
    assert "Account suspended" in page.content.decode()
    staff.post(url, {"action": "unsuspend"})
    person.refresh_from_db()
    assert not person.is_suspended


@pytest.mark.django_db
def test_the_admin_action_asks_days_and_reason_then_suspends():
    admin = UserFactory(is_staff=True, is_superuser=True)
    person = UserFactory()
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(admin)
    url = reverse("admin:community_user_changelist")
    data = {"action": "account_suspend_action", "_selected_action": [person.pk]}
    page = client.post(url, data)
    assert 'name="days"' in page.content.decode()
    person.refresh_from_db()
    assert person.suspended_until is None
    client.post(url, {**data, "apply": "1", "days": "5", "reason": "frode"})
    person.refresh_from_db()
    assert person.is_suspended
    entry = AuditEntry.objects.get(action=AuditEntry.Action.ACCOUNT_SUSPENDED)
    assert (entry.reason, entry.actor) == ("frode", admin)


# --- the socket ------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_a_suspended_persons_socket_closes_at_once_and_cannot_reopen():
    community, _owner, thread = await sync_to_async(community_with_thread)()
    person = await sync_to_async(member_of)(community)
    client = await sync_to_async(_signed_in)(person)
    cookie = (b"cookie", f"sessionid={client.session.session_key}".encode())
    socket = WebsocketCommunicator(application, "/ws/", headers=[*SITE, cookie])
    assert (await socket.connect())[0]
    await subscribe(socket, f"thread:{thread.pk}")
    assert (await send_post(socket, thread.pk, "Prima risposta"))["op"] == "ack"

    staff = await sync_to_async(UserFactory)(is_staff=True)
    await sync_to_async(accounts.account_suspend)(
        actor=staff, person=person, until=timezone.now() + timedelta(days=1)
    )

    ended = await socket.receive_json_from()
    while ended["op"] == "event":
        ended = await socket.receive_json_from()
    assert (ended["op"], ended["code"]) == ("error", "session_ended")
    assert (await socket.receive_output())["type"] == "websocket.close"

    # The same cookie opens a visitor's socket now, which cannot post.
    again = WebsocketCommunicator(application, "/ws/", headers=[*SITE, cookie])
    assert (await again.connect())[0]
    answer = await send_post(again, thread.pk, "Ci riprovo")
    await again.disconnect()
    assert answer["op"] == "error"
