"""Editing your own post: every earlier version kept, an "edited" marker, the history."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from community.models import Community, PostRevision
from community.services import threads
from live.events import event_frames, languages
from live.models import Event
from tests.community.thread_helpers import community_with_thread, login, thread_url
from tests.support.roles import member_of, person_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def setting():
    community, owner, thread = community_with_thread()
    member = member_of(community)
    post = threads.post_reply(actor=member, thread=thread, body="Prima *versione*")
    return community, thread, member, post


def edit_url(post):
    return reverse("community:post-edit", args=[post.pk])


def history_url(post):
    return reverse("community:post-history", args=[post.pk])


def test_the_author_sees_the_edit_form_with_the_current_body(client, setting):
    community, thread, member, post = setting

    response = login(client, member).get(edit_url(post))

    assert response.status_code == 200
    assert response.context["form"].initial["body"] == "Prima *versione*"
    assert "Prima *versione*" in response.content.decode()


def test_editing_keeps_the_previous_version_and_marks_the_post(client, setting):
    community, thread, member, post = setting
    written_at = post.created_at

    response = login(client, member).post(
        edit_url(post), {"body": "Seconda **versione**"}
    )

    post.refresh_from_db()
    assert response.status_code == 302
    assert response["Location"] == thread_url(thread) + f"#{post.anchor}"
    assert post.body == "Seconda **versione**"
    assert post.body_html == "<p>Seconda <strong>versione</strong></p>\n"
    assert post.edited_at is not None
    revision = post.revisions.get()
    assert revision.body == "Prima *versione*"
    assert revision.body_html == "<p>Prima <em>versione</em></p>\n"
    assert revision.created_at == written_at
    page = client.get(response["Location"]).content.decode()
    assert "Seconda <strong>versione</strong>" in page
    assert f'href="{history_url(post)}"' in page and ">edited</a>" in page
    assert "Your post was updated." in page


def test_each_revision_carries_the_time_its_version_was_written(setting):
    community, thread, member, post = setting
    threads.post_edit(actor=member, post=post, body="due")
    first_edit_at = post.edited_at

    threads.post_edit(actor=member, post=post, body="tre")

    assert list(post.revisions.values_list("body", "created_at")) == [
        ("Prima *versione*", post.created_at),
        ("due", first_edit_at),
    ]


def test_the_history_shows_every_version_newest_first(client, setting):
    community, thread, member, post = setting
    threads.post_edit(actor=member, post=post, body="seconda stesura")
    threads.post_edit(actor=member, post=post, body="terza stesura")

    response = login(client, member_of(community)).get(history_url(post))

    html = response.content.decode()
    assert response.status_code == 200
    positions = [
        html.index(text)
        for text in ("terza stesura", "seconda stesura", "Prima <em>versione</em>")
    ]
    assert positions == sorted(positions)
    assert "Current version" in html and "Original version" in html
    assert html.count("<time datetime=") >= 3


def test_the_history_of_an_unedited_post_says_so(client, setting):
    community, thread, member, post = setting

    html = login(client, member).get(history_url(post)).content.decode()

    assert "This post has never been edited." in html


def test_saving_the_same_body_changes_nothing(client, setting):
    community, thread, member, post = setting
    events = Event.objects.count()

    login(client, member).post(edit_url(post), {"body": "Prima *versione*\r\n"})

    post.refresh_from_db()
    assert post.edited_at is None
    assert not PostRevision.objects.exists()
    assert Event.objects.count() == events


def test_editing_records_a_post_edited_event(setting):
    community, thread, member, post = setting

    threads.post_edit(actor=member, post=post, body="nuovo")

    event = Event.objects.filter(stream=thread.stream).last()
    assert event.type == "post.edited"
    assert "body_html" not in event.payload  # the log keeps facts, not texts
    (frame,) = event_frames([event], languages())
    assert frame["data"]["body_html"] == "<p>nuovo</p>\n"
    assert frame["data"]["edited_at"] is not None


@pytest.mark.parametrize("body", ["", "   "])
def test_an_empty_edit_shows_an_error_and_keeps_the_post(client, setting, body):
    community, thread, member, post = setting

    response = login(client, member).post(edit_url(post), {"body": body})

    assert response.status_code == 200
    assert response.context["form"].errors["body"]
    post.refresh_from_db()
    assert post.body == "Prima *versione*" and not PostRevision.objects.exists()


def test_an_over_long_edit_is_refused(client, setting, settings):
    community, thread, member, post = setting
    settings.POST_BODY_MAX_LENGTH = 20

    response = login(client, member).post(edit_url(post), {"body": "x" * 21})

    assert "at most 20 characters" in response.content.decode()
    post.refresh_from_db()
    assert post.body == "Prima *versione*"


@pytest.mark.parametrize("role", ["member", "moderator", "owner", "staff"])
def test_nobody_else_may_edit_a_post(client, setting, role):
    community, thread, member, post = setting
    other = member_of(community, role)

    get = login(client, other).get(edit_url(post))
    post_response = client.post(edit_url(post), {"body": "vandalismo"})

    assert get.status_code == post_response.status_code == 403
    post.refresh_from_db()
    assert post.body == "Prima *versione*"


def test_anonymous_visitors_are_sent_to_log_in_to_edit(client, setting):
    community, thread, member, post = setting

    response = client.get(edit_url(post))

    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_a_deleted_post_can_no_longer_be_edited_and_its_history_is_withheld(
    client, setting
):
    community, thread, member, post = setting
    threads.post_edit(actor=member, post=post, body="segreto")
    threads.post_delete(actor=member, post=post)
    login(client, member)

    assert client.get(edit_url(post)).status_code == 403
    history = client.get(history_url(post)).content.decode()
    assert "segreto" not in history and "versione" not in history


@pytest.mark.parametrize(
    "visibility, role, status",
    [
        (Community.Visibility.PUBLIC, "anonymous", 302),
        (Community.Visibility.PUBLIC, "outsider", 403),
        (Community.Visibility.PUBLIC, "member", 200),
        (Community.Visibility.RESTRICTED, "outsider", 403),
        (Community.Visibility.RESTRICTED, "member", 200),
        (Community.Visibility.PRIVATE, "outsider", 404),
        (Community.Visibility.PRIVATE, "staff", 200),
    ],
)
def test_the_history_is_for_members(client, visibility, role, status):
    community, owner, thread = community_with_thread(visibility)
    post = thread.posts.get()
    threads.post_edit(actor=owner, post=post, body="nuova")

    response = login(client, person_in(community, role)).get(history_url(post))

    assert response.status_code == status


def test_a_muted_author_may_not_edit(client, setting):
    community, thread, member, post = setting
    membership = member.memberships.get()
    membership.muted_until = timezone.now() + timedelta(hours=1)
    membership.save()

    assert login(client, member).get(edit_url(post)).status_code == 403
