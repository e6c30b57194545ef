"""Signing out or changing the password tells live sockets their session ended."""

import pytest
from django.urls import reverse

from live.models import Event
from live.sessions import session_fingerprint


@pytest.mark.django_db
def test_logout_records_the_end_of_that_session(client, user):
    client.force_login(user)
    session_key = client.session.session_key
    client.post(reverse("account_logout"))
    event = Event.objects.get(stream=f"user:{user.pk}", type="session.ended")
    assert event.payload == {"session": session_fingerprint(session_key), "keep": None}
    assert session_key not in str(event.payload)


@pytest.mark.django_db
def test_password_change_ends_every_other_session(client, user):
    client.force_login(user)
    response = client.post(
        reverse("account_change_password"),
        {
            "oldpassword": "correct horse battery",
            "password1": "a new and long passphrase 7",
            "password2": "a new and long passphrase 7",
        },
    )
    assert response.status_code == 302
    event = Event.objects.get(stream=f"user:{user.pk}", type="session.ended")
    assert event.payload["session"] is None
    assert event.payload["keep"] == session_fingerprint(client.session.session_key)
