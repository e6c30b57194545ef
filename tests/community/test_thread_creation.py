"""Starting a thread: the form, what gets stored, the limits and the refusals."""

import uuid

import pytest
from django.urls import reverse

from community.models import Community, Post, Thread
from community.services import threads
from live.models import Event
from tests.community.thread_helpers import login
from tests.support.factories import CommunityFactory
from tests.support.roles import member_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def community():
    return CommunityFactory(name="Energia", slug="energia")


@pytest.fixture
def member(community):
    return member_of(community)


def create_url(community):
    return reverse("community:thread-create", args=[community.slug])


def post_thread(client, community, **data):
    fields = {
        "title": "Idrogeno verde a Brescia",
        "body": "Chi **partecipa**?",
        "tags": "",
    }
    fields.update(data)
    return client.post(create_url(community), fields)


def test_member_sees_the_new_thread_form_with_a_markdown_hint(
    client, community, member
):
    response = login(client, member).get(create_url(community))

    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="title"' in html and 'name="body"' in html and 'name="tags"' in html
    assert "Markdown" in html
    assert 'data-max-length="200"' in html and 'maxlength=' not in html


def test_member_starts_a_thread_and_lands_on_it(client, community, member):
    response = post_thread(
        login(client, member), community, tags="Idrogeno, Mobilità,  idrogeno"
    )

    thread = Thread.objects.get()
    assert response.status_code == 302
    assert response["Location"] == thread.get_absolute_url()
    page = client.get(response["Location"]).content.decode()
    assert "Idrogeno verde a Brescia" in page
    assert "Chi <strong>partecipa</strong>?" in page
    assert "Your thread is online." in page
    assert sorted(thread.tags.names()) == ["idrogeno", "mobilità"]
    assert thread.kind == Thread.Kind.DISCUSSION
    assert thread.author == member and thread.last_poster == member
    assert thread.post_count == 1


def test_the_first_post_is_rendered_once_and_stored(client, community, member):
    post_thread(
        login(client, member), community, body="# Titolo\n\n<b>raw</b> @nessuno"
    )

    post = Post.objects.get()
    assert post.number == 1
    assert post.body == "# Titolo\n\n<b>raw</b> @nessuno"
    assert "<h1>Titolo</h1>" in post.body_html
    assert "&lt;b&gt;raw&lt;/b&gt;" in post.body_html


def test_the_community_counts_the_thread_and_its_activity(client, community, member):
    post_thread(login(client, member), community)

    community.refresh_from_db()
    thread = Thread.objects.get()
    assert community.thread_count == 1
    assert community.last_activity_at == thread.last_activity_at


def test_starting_a_thread_records_both_events(client, community, member):
    post_thread(login(client, member), community)

    thread = Thread.objects.get()
    post = thread.posts.get()
    events = list(Event.objects.values_list("stream", "seq", "type"))
    assert (f"community:{community.pk}", 1, "thread.created") in events
    assert (f"thread:{thread.pk}", 1, "post.created") in events
    created = Event.objects.get(type="post.created")
    assert created.payload["id"] == post.pk and created.actor == member


@pytest.mark.parametrize(
    "data, field",
    [
        ({"title": ""}, "title"),
        ({"title": "    "}, "title"),
        ({"body": ""}, "body"),
        ({"body": "  \r\n  \r\n"}, "body"),
        ({"tags": "a, b, c, d, e, f"}, "tags"),
        ({"tags": "x" * 41}, "tags"),
    ],
)
def test_bad_input_shows_field_errors_and_writes_nothing(
    client, community, member, data, field
):
    response = post_thread(login(client, member), community, **data)

    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert 'class="field__error"' in response.content.decode()
    assert not Thread.objects.exists() and not Post.objects.exists()
    assert not Event.objects.exists()


def test_titles_and_bodies_over_the_limits_in_settings_are_refused(
    client, community, member, settings
):
    settings.THREAD_TITLE_MAX_LENGTH = 20
    settings.POST_BODY_MAX_LENGTH = 50

    response = post_thread(
        login(client, member), community, title="t" * 21, body="b" * 51
    )

    errors = response.context["form"].errors
    assert "at most 20 characters" in errors["title"][0]
    assert "at most 50 characters" in errors["body"][0]
    assert not Thread.objects.exists()


def test_titles_at_the_limit_are_accepted_and_whitespace_is_tidied(
    client, community, member, settings
):
    settings.THREAD_TITLE_MAX_LENGTH = 20

    post_thread(login(client, member), community, title="  " + "t" * 10 + "   x" * 2)

    assert Thread.objects.get().title == "t" * 10 + " x x"


def test_posting_too_many_threads_gives_a_form_error(
    client, community, member, settings
):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "thread": (1, 600)}
    login(client, member)
    post_thread(client, community)

    response = post_thread(client, community, title="Un altro")

    # 429 with Retry-After: the form is shown again, saying when to retry.
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 600
    assert "too often" in response.content.decode()
    assert "Try again in" in response.content.decode()
    assert Thread.objects.count() == 1


def test_sending_the_same_form_twice_creates_one_thread(client, community, member):
    client_id = str(uuid.uuid4())
    login(client, member)

    first = post_thread(client, community, client_id=client_id)
    second = post_thread(client, community, client_id=client_id)

    assert Thread.objects.count() == 1 and Post.objects.count() == 1
    assert first["Location"] == second["Location"]
    assert Event.objects.filter(type="thread.created").count() == 1


def test_the_form_carries_a_fresh_client_id(client, community, member):
    response = login(client, member).get(create_url(community))

    assert response.context["form"].initial["client_id"]
    assert 'name="client_id"' in response.content.decode()


def test_anonymous_visitors_are_sent_to_log_in(client, community):
    response = client.get(create_url(community))

    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_non_members_of_a_public_community_may_not_start_threads(
    client, community, user
):
    response = post_thread(login(client, user), community)

    assert response.status_code == 403
    assert not Thread.objects.exists()


def test_unknown_community_answers_404(client, member):
    response = login(client, member).get(
        reverse("community:thread-create", args=["nowhere"])
    )

    assert response.status_code == 404


def test_service_refuses_non_members(community, user):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        threads.thread_create(actor=user, community=community, title="t", body="b")
    assert not Thread.objects.exists()


def test_service_validates_every_field_at_once(community, member):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as caught:
        threads.thread_create(
            actor=member, community=community, title=" ", body="", tags=["a"]
        )

    assert set(caught.value.message_dict) == {"title", "body"}


def test_threads_in_private_communities_are_created_by_members(client):
    community = CommunityFactory(visibility=Community.Visibility.PRIVATE)
    member = member_of(community)

    response = post_thread(login(client, member), community)

    assert response.status_code == 302
    assert Thread.objects.get().community == community
