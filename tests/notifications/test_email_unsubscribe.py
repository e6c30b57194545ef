"""One-click unsubscribe links: signed per person and kind, honoured without signing
in (a confirmation page, then one POST, as RFC 8058 mail programs send it), refused
when altered or expired."""

from datetime import timedelta
from unittest import mock

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from notifications import mail
from notifications.email_models import EmailPreference
from tests.support.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

ONE_CLICK = {"List-Unsubscribe": "One-Click"}


def link(person, topic):
    return reverse(
        "notifications:unsubscribe", args=[mail.unsubscribe_token(person.pk, topic)]
    )


def preference(person):
    return mail.preferences_of([person.pk])[person.pk]


@pytest.fixture
def anonymous():
    # Like a mail program: no session, and CSRF checks enforced as for browsers.
    return Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")


def test_the_link_shows_a_confirmation_and_changes_nothing_on_get(anonymous):
    ada = UserFactory()
    response = anonymous.get(link(ada, "mentions"))
    assert response.status_code == 200
    page = response.content.decode()
    form = page[page.index('<form method="post" action="/notifications/unsubscribe/') :]
    form = form[: form.index("</form>")]
    # The same body a mail program sends, and nothing else (no CSRF token needed).
    assert 'name="List-Unsubscribe" value="One-Click"' in form
    assert "csrfmiddlewaretoken" not in form
    assert response["Cache-Control"] == "no-store"
    assert preference(ada).mentions is True
    assert not EmailPreference.objects.exists()


@pytest.mark.parametrize(
    ("topic", "field", "off"),
    [
        ("mentions", "mentions", False),
        ("replies", "replies", False),
        ("invitations", "invitations", False),
        ("digest", "digest", EmailPreference.Digest.OFF),
    ],
)
def test_one_post_without_signing_in_stops_only_that_kind_for_that_person(
    anonymous, topic, field, off
):
    ada, bruno = UserFactory(), UserFactory()
    for person in (ada, bruno):
        EmailPreference.objects.create(
            person=person, digest=EmailPreference.Digest.DAILY
        )
    response = anonymous.post(link(ada, topic), ONE_CLICK)
    assert response.status_code == 200
    assert getattr(preference(ada), field) == off
    # Every other kind stays on for her, and everything for Bruno.
    others = {"mentions", "replies", "invitations"} - {field}
    assert all(getattr(preference(ada), name) is True for name in others)
    if field != "digest":
        assert preference(ada).digest == EmailPreference.Digest.DAILY
    bruno_now = preference(bruno)
    assert (bruno_now.mentions, bruno_now.replies, bruno_now.invitations) == (
        True,
        True,
        True,
    )
    assert bruno_now.digest == EmailPreference.Digest.DAILY


def test_unsubscribing_twice_is_harmless(anonymous):
    ada = UserFactory()
    assert anonymous.post(link(ada, "replies"), ONE_CLICK).status_code == 200
    assert anonymous.post(link(ada, "replies"), ONE_CLICK).status_code == 200
    assert preference(ada).replies is False


def test_someone_else_signed_in_unsubscribes_only_the_links_person(client):
    ada, bruno = UserFactory(), UserFactory()
    client.force_login(bruno)
    client.post(link(ada, "mentions"), ONE_CLICK)
    assert preference(ada).mentions is False
    assert preference(bruno).mentions is True


def test_a_post_without_the_one_click_body_changes_nothing(anonymous):
    ada = UserFactory()
    response = anonymous.post(link(ada, "mentions"), {})
    assert response.status_code == 400
    assert preference(ada).mentions is True


def _tampered(person):
    token = mail.unsubscribe_token(person.pk, "mentions")
    return token[:-2] + ("AA" if token[-2:] != "AA" else "BB")


def _other_person(person):
    # The payload of someone else's link with this link's signature.
    mine = mail.unsubscribe_token(person.pk, "mentions")
    theirs = mail.unsubscribe_token(person.pk + 1, "mentions")
    return theirs.rsplit(":", 2)[0] + ":" + mine.split(":", 1)[1]


def _other_salt(person):
    return signing.dumps({"p": person.pk, "t": "mentions"})


def _unknown_topic(person):
    return signing.dumps(
        {"p": person.pk, "t": "everything"}, salt=mail.UNSUBSCRIBE_SALT
    )


@pytest.mark.parametrize(
    "forge",
    [_tampered, _other_person, _other_salt, _unknown_topic],
    ids=["altered", "payload swapped", "other signature", "unknown kind"],
)
def test_a_tampered_link_is_refused_with_a_clear_page(anonymous, forge):
    ada = UserFactory()
    UserFactory()  # someone the swapped payload could name
    url = reverse("notifications:unsubscribe", args=[forge(ada)])
    for response in (anonymous.get(url), anonymous.post(url, ONE_CLICK)):
        assert response.status_code == 400
        assert "This unsubscribe link is not valid" in response.content.decode()
    assert not EmailPreference.objects.exists()


def test_an_expired_link_is_refused_and_says_so(anonymous, settings):
    ada = UserFactory()
    url = link(ada, "mentions")
    later = timezone.now() + timedelta(days=settings.NOTIFICATION_UNSUBSCRIBE_DAYS + 1)
    with mock.patch("time.time", return_value=later.timestamp()):
        response = anonymous.post(url, ONE_CLICK)
    assert response.status_code == 400
    assert "This unsubscribe link has expired" in response.content.decode()
    assert preference(ada).mentions is True


def test_the_refusal_page_is_in_italian_for_italian_readers():
    url = reverse("notifications:unsubscribe", args=["non-un-token"])
    response = Client(HTTP_ACCEPT_LANGUAGE="it").get(url)
    assert response.status_code == 400
    assert "Questo link di disiscrizione non è valido" in response.content.decode()


def test_the_link_in_a_real_email_stops_mentions(
    django_capture_on_commit_callbacks, anonymous
):
    from django.core import mail as outbox

    from .email_helpers import due, mention

    _c, _o, ada, _p, notification = mention(django_capture_on_commit_callbacks)
    mail.deliver_due(now=due(notification))
    [message] = outbox.outbox
    address = message.extra_headers["List-Unsubscribe"].strip("<>")
    path = address.removeprefix("http://localhost:8000")
    assert anonymous.post(path, ONE_CLICK).status_code == 200
    assert preference(ada).mentions is False
