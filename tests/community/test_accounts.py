"""Accounts through allauth's real pages: sign-up, verification, log in and out, passwords, email."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from community.models import User
from tests.support.factories import UserFactory

PASSWORD = "correct horse battery"
NEW_PASSWORD = "a much longer passphrase 42"

pytestmark = pytest.mark.django_db


def _link(message, pattern):
    match = re.search(r"https?://testserver(" + pattern + r")", message.body)
    assert match, f"no link matching {pattern} in:\n{message.body}"
    return match.group(1)


def _logged_in_user_id(client):
    return client.session.get("_auth_user_id")


def _sign_up(
    client, email="ada@example.org", username="ada", display_name="Ada Lovelace", **extra
):
    return client.post(
        reverse("account_signup"),
        {
            "display_name": display_name,
            "email": email,
            "username": username,
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
        **extra,
    )


def test_sign_up_page_uses_the_site_layout_and_form_vocabulary(client):
    response = client.get(reverse("account_signup"))

    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="site-header"' in html
    assert 'class="field' in html and 'class="form-actions"' in html
    assert 'class="button"' in html
    names = ("display_name", "email", "username", "password1", "password2")
    labels = [re.search(rf'<label for="id_{name}"', html) for name in names]
    assert all(labels), names
    # The name people will see comes first.
    assert [label.start() for label in labels] == sorted(
        label.start() for label in labels
    )


def test_sign_up_stores_the_display_name_other_people_see(client):
    _sign_up(client, display_name="  Ada Lovelace ")

    person = User.objects.get(username="ada")
    assert person.display_name == "Ada Lovelace"
    assert person.name == "Ada Lovelace"
    assert "Ada Lovelace" in client.get(person.get_absolute_url()).text


@pytest.mark.parametrize(
    "display_name, error",
    [
        ("", "This field is required."),
        ("   ", "This field is required."),
        ("A" * 81, "Ensure this value has at most 80 characters (it has 81)."),
    ],
)
def test_sign_up_needs_a_display_name_of_at_most_80_characters(
    english, display_name, error
):
    response = _sign_up(english, display_name=display_name)

    assert response.status_code == 200
    assert re.search(
        r'<label for="id_display_name">(?:(?!<label).)*?<p class="field__error"[^>]*>'
        + re.escape(error),
        response.text,
        re.S,
    )
    assert not User.objects.exists()
    assert not mail.outbox


def test_the_sign_up_form_asks_for_the_display_name_in_italian(client):
    html = client.get(reverse("account_signup")).text

    assert '<label for="id_display_name">Nome visualizzato</label>' in html
    assert 'autocomplete="name"' in html
    # No maxlength: the browser would silently cut a pasted name.
    assert not re.search(r'<input[^>]*id="id_display_name"[^>]*maxlength', html)


@pytest.mark.parametrize("language", ["it", "en"])
def test_account_emails_are_signed_crocevia_not_the_host_name(client, language):
    client.cookies["django_language"] = language
    host = "127.0.0.1:8000"

    _sign_up(client, HTTP_HOST=host)
    client.post(
        reverse("account_reset_password"), {"email": "ada@example.org"}, HTTP_HOST=host
    )

    assert len(mail.outbox) == 2
    for message in mail.outbox:
        # Links need the host; everything else names the site.
        text = re.sub(rf"https?://{re.escape(host)}/\S*", "<link>", message.body)
        assert "<link>" in text, message.body
        assert message.subject.startswith("[Crocevia] ")
        assert "Crocevia" in text
        assert host not in text and host not in message.subject
        assert "127.0.0.1" not in text


def test_sign_up_sends_a_verification_email_whose_link_logs_the_person_in(client):
    response = _sign_up(client)

    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert _logged_in_user_id(client) is None
    person = User.objects.get(username="ada")
    assert person.language == "it"  # the interface language at sign-up time
    assert not EmailAddress.objects.get(user=person).verified
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ada@example.org"]
    assert message.subject.startswith("[Crocevia] ")
    confirm_url = _link(message, r"/accounts/confirm-email/[^/\s]+/")

    page = client.get(confirm_url)
    assert page.status_code == 200
    assert "ada@example.org" in page.content.decode()

    response = client.post(confirm_url)

    assert response.status_code == 302
    assert EmailAddress.objects.get(user=person).verified
    assert _logged_in_user_id(client) == str(person.pk)


def test_sign_up_in_english_stores_english_as_the_preferred_language(client):
    client.cookies["django_language"] = "en"

    _sign_up(client)

    assert User.objects.get(username="ada").language == "en"


def test_sign_up_errors_are_shown_next_to_the_fields(client):
    UserFactory(username="taken", email="taken@example.org")

    response = client.post(
        reverse("account_signup"),
        {
            "email": "not-an-email",
            "username": "taken",
            "password1": "x",
            "password2": "y",
        },
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('class="field__error"') >= 2
    assert "field--error" in html
    assert not mail.outbox


def test_unverified_person_cannot_log_in_and_gets_a_new_verification_email(client):
    person = UserFactory(verified=False)
    EmailAddress.objects.create(
        user=person, email=person.email, verified=False, primary=True
    )

    response = client.post(
        reverse("account_login"), {"login": person.email, "password": PASSWORD}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert _logged_in_user_id(client) is None
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [person.email]


def test_verified_person_logs_in_by_email_and_logs_out_only_by_post(client, user):
    response = client.post(
        reverse("account_login"), {"login": user.email, "password": PASSWORD}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("community:home")
    assert _logged_in_user_id(client) == str(user.pk)

    confirm = client.get(reverse("account_logout"))
    assert confirm.status_code == 200
    assert _logged_in_user_id(client) == str(user.pk)
    assert 'method="post"' in confirm.content.decode()

    client.post(reverse("account_logout"))

    assert _logged_in_user_id(client) is None


def test_wrong_password_shows_an_error_and_keeps_the_person_out(client, user):
    response = client.post(
        reverse("account_login"), {"login": user.email, "password": "wrong one"}
    )

    assert response.status_code == 200
    assert 'class="form-errors"' in response.content.decode()
    assert _logged_in_user_id(client) is None


def test_password_reset_by_email_sets_a_new_password(client, user):
    client.post(reverse("account_reset_password"), {"email": user.email})

    assert len(mail.outbox) == 1
    reset_url = _link(mail.outbox[0], r"/accounts/password/reset/key/[^\s]+/")
    form_page = client.get(reset_url, follow=True)
    assert form_page.status_code == 200
    set_url = form_page.redirect_chain[-1][0] if form_page.redirect_chain else reset_url

    response = client.post(
        set_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


def test_password_reset_for_an_unknown_address_reveals_nothing(client):
    response = client.post(
        reverse("account_reset_password"), {"email": "nobody@example.org"}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("account_reset_password_done")


def test_change_password_needs_the_current_one(client, user):
    client.force_login(user)

    refused = client.post(
        reverse("account_change_password"),
        {"oldpassword": "wrong", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert refused.status_code == 200
    assert 'class="field__error"' in refused.content.decode()

    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert _logged_in_user_id(client) == str(user.pk)


def test_add_verify_and_make_primary_a_new_email_address(client, user):
    client.force_login(user)
    page = client.get(reverse("account_email"))
    assert page.status_code == 200
    assert user.email in page.content.decode()

    client.post(
        reverse("account_email"), {"action_add": "", "email": "new@example.org"}
    )
    assert len(mail.outbox) == 1
    confirm_url = _link(mail.outbox[0], r"/accounts/confirm-email/[^/\s]+/")
    client.post(confirm_url)
    assert EmailAddress.objects.get(email="new@example.org").verified

    client.post(
        reverse("account_email"), {"action_primary": "", "email": "new@example.org"}
    )

    user.refresh_from_db()
    assert user.email == "new@example.org"


def test_account_pages_need_a_login(client):
    for name in ("account_email", "account_change_password"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


def test_anonymous_profile_edit_redirects_to_login(client):
    response = client.get(reverse("community:profile-edit"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert "next=" in response["Location"]
