"""The e-mail settings page (account settings): current choices shown, saved as
chosen, clear errors for a bad value, reachable from the profile editor, signed in
only, usable without JavaScript (a plain form)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from notifications.email_models import EmailPreference
from tests.support.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = reverse("notifications:email-settings")


@pytest.fixture
def ada(client):
    person = UserFactory(language="en")
    client.force_login(person)
    return person


def test_the_page_needs_signing_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_the_profile_editor_links_to_it(client, ada):
    page = client.get(reverse("community:profile-edit")).content.decode()
    assert f'href="{URL}"' in page


def test_the_defaults_are_every_email_on_and_no_digest(client, ada):
    page = client.get(URL).content.decode()
    for name in ("mentions", "replies", "invitations"):
        assert f'name="{name}" id="id_{name}" checked' in page
    assert 'name="digest" value="off" id="id_digest_0" required checked>' in page
    assert 'name="digest" value="daily" id="id_digest_1" required>' in page
    assert "<span>Once a day</span>" in page
    assert "10 minutes" in page


def test_saving_stores_the_choices_and_starts_the_digest_window(client, ada):
    before = timezone.now()
    response = client.post(URL, {"mentions": "on", "digest": "weekly"})
    assert response.status_code == 302
    saved = EmailPreference.objects.get(person=ada)
    assert (saved.mentions, saved.replies, saved.invitations, saved.digest) == (
        True,
        False,
        False,
        "weekly",
    )
    assert saved.last_digest_at >= before
    assert saved.next_digest_at == saved.last_digest_at + timedelta(days=7)
    page = client.get(response["Location"]).content.decode()
    assert "Your e-mail settings are saved." in page
    assert 'name="replies" id="id_replies"' in page
    assert 'name="replies" id="id_replies" checked' not in page


def test_changing_daily_to_weekly_keeps_the_digest_window(client, ada):
    client.post(URL, {"digest": "daily"})
    started = EmailPreference.objects.get(person=ada).last_digest_at
    client.post(URL, {"digest": "weekly"})
    saved = EmailPreference.objects.get(person=ada)
    assert saved.last_digest_at == started
    assert saved.next_digest_at == started + timedelta(days=7)
    client.post(URL, {"digest": "off"})
    assert EmailPreference.objects.get(person=ada).next_digest_at is None


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"mentions": "on", "digest": "hourly"},
            "is not a choice: pick no digest, daily or weekly.",
        ),
        ({"mentions": "on"}, "Choose how often to receive a digest."),
    ],
)
def test_a_bad_digest_choice_is_refused_with_a_clear_message(
    client, ada, data, message
):
    response = client.post(URL, data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not EmailPreference.objects.exists()


def test_another_persons_choices_are_untouched(client, ada):
    bruno = UserFactory()
    EmailPreference.objects.create(person=bruno, mentions=True, digest="daily")
    client.post(URL, {"digest": "off"})
    kept = EmailPreference.objects.get(person=bruno)
    assert (kept.mentions, kept.digest) == (True, "daily")
