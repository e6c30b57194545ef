"""Length limits never cut text: fields show a counter (`data-max-length`) instead of the
HTML `maxlength` (browsers silently cut pasted text at it), and over-long text posted
without JavaScript is refused with a message and shown again whole."""

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from community.models import Community, Membership, Thread
from community.services import rooms, threads
from tests.community.thread_helpers import (
    community_with_thread,
    login,
    reply_url,
    thread_url,
)
from tests.support.factories import CommunityFactory, OrganisationFactory, UserFactory
from tests.support.roles import member_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


class _Fields(HTMLParser):
    """The attributes of every input and textarea of a page, by name."""

    def __init__(self):
        super().__init__()
        self.fields = {}
        self.text = {}
        self._open = None

    def handle_starttag(self, tag, attrs):
        if tag in ("input", "textarea"):
            attrs = dict(attrs)
            if attrs.get("id") == "site-search-q":
                return  # the header's search box, on every page: not the page's form
            self.fields.setdefault(attrs.get("name"), attrs)
            if tag == "textarea":
                self._open = attrs.get("name")
                self.text[self._open] = ""

    def handle_data(self, data):
        if self._open is not None:
            self.text[self._open] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._open = None


def fields_of(response):
    assert response.status_code == 200
    parser = _Fields()
    parser.feed(response.content.decode())
    return parser


def assert_counted(response, limits):
    """Each named field carries its limit as data-max-length, the page the counter's
    markup and labels; no field has maxlength."""
    assert "<template data-length-counter" in response.content.decode()
    page = fields_of(response)
    for name, limit in limits.items():
        assert page.fields[name].get("data-max-length") == str(limit), name
    cut = [name for name, attrs in page.fields.items() if "maxlength" in attrs]
    assert not cut, f"fields the browser would cut: {cut}"


@pytest.fixture
def discussion():
    community, owner, thread = community_with_thread()
    return community, owner, thread, member_of(community)


@pytest.fixture
def room(discussion):
    community, owner, _thread, member = discussion
    room = rooms.room_create(actor=owner, community=community, name="Caffè")
    message = threads.post_reply(actor=member, thread=room, body="Chi c'è?")
    return room, member, message


# --- counters instead of maxlength -----------------------------------------------------


def test_thread_composers_count_instead_of_cutting(client, discussion, settings):
    settings.POST_BODY_MAX_LENGTH = 1234
    settings.THREAD_TITLE_MAX_LENGTH = 90
    community, _owner, thread, member = discussion
    login(client, member)
    post = threads.post_reply(actor=member, thread=thread, body="Una risposta")

    new_thread = client.get(reverse("community:thread-create", args=[community.slug]))
    assert_counted(new_thread, {"title": 90, "body": 1234})
    assert_counted(client.get(thread_url(thread)), {"body": 1234})
    assert_counted(client.get(reply_url(thread)), {"body": 1234})
    edit = client.get(reverse("community:post-edit", args=[post.pk]))
    assert_counted(edit, {"body": 1234})


def test_room_composers_count_instead_of_cutting(client, room, settings):
    settings.POST_BODY_MAX_LENGTH = 1234
    room, member, message = room
    community = room.community
    owner = community.memberships.get(role=Membership.Role.OWNER).user

    assert_counted(login(client, member).get(room.get_absolute_url()), {"body": 1234})
    promote = client.get(reverse("community:post-promote", args=[message.pk]))
    note_limit = rooms.promotion_note_max_length(message)
    assert 1100 < note_limit < 1234
    assert_counted(promote, {"title": 200, "body": note_limit})
    new_room = login(client, owner).get(
        reverse("community:room-create", args=[community.slug])
    )
    assert_counted(new_room, {"name": 80})


def test_profile_community_and_organisation_forms_count_instead_of_cutting(client):
    person = UserFactory(organisation=OrganisationFactory())
    login(client, person)
    assert_counted(
        client.get(reverse("community:profile-edit")),
        {"display_name": 80, "bio": 2000, "expertise": 2000},
    )
    assert_counted(
        client.get(reverse("community:community-create")),
        {"name": 120, "description": 5000, "themes": 400},
    )
    assert_counted(
        client.get(reverse("community:organisation-create")),
        {"name": 160, "description": 5000, "competences": 2000, "interests": 2000},
    )
    restricted = CommunityFactory(visibility=Community.Visibility.RESTRICTED)
    assert_counted(client.get(restricted.get_absolute_url()), {"message": 500})


# --- over-long text posted without JavaScript ------------------------------------------


def test_an_over_long_reply_is_refused_and_shown_again_whole(
    client, discussion, settings
):
    settings.POST_BODY_MAX_LENGTH = 100
    _community, _owner, thread, member = discussion
    text = "Lungo. " * 40  # 280 characters, 279 once the service trims it

    response = login(client, member).post(reply_url(thread), {"body": text})

    page = fields_of(response)
    assert page.text["body"].lstrip("\n") == text
    assert "data-max-length" in page.fields["body"]
    assert "maxlength" not in page.fields["body"]
    assert "The message is too long: at most 100 characters (it has 279)." in (
        response.content.decode()
    )
    assert thread.posts.count() == 1


def test_an_over_long_title_is_refused_and_the_thread_shown_again_whole(
    client, discussion
):
    community, _owner, _thread, member = discussion
    title = "Un titolo che non finisce mai " * 10  # 300 characters
    body = "Il messaggio resta com'era."

    response = login(client, member).post(
        reverse("community:thread-create", args=[community.slug]),
        {"title": title, "body": body, "tags": ""},
    )

    page = fields_of(response)
    assert page.fields["title"]["value"] == title
    assert "maxlength" not in page.fields["title"]
    assert page.text["body"].lstrip("\n") == body
    assert "The title is too long: at most 200 characters." in response.content.decode()
    assert community.threads.count() == 1


def test_an_over_long_room_message_is_refused_and_shown_again_whole(
    client, room, settings
):
    settings.POST_BODY_MAX_LENGTH = 50
    room, member, _message = room
    text = "Messaggio troppo lungo per la stanza, davvero troppo."  # 53

    response = login(client, member).post(
        reverse("community:room-post", args=[room.community.slug, room.pk]),
        {"body": text},
    )

    page = fields_of(response)
    assert page.text["body"].lstrip("\n") == text
    assert "maxlength" not in page.fields["body"]
    assert "at most 50 characters (it has 53)" in response.content.decode()
    assert room.posts.count() == 1


def test_an_over_long_edit_is_refused_and_shown_again_whole(
    client, discussion, settings
):
    _community, _owner, thread, member = discussion
    post = threads.post_reply(actor=member, thread=thread, body="Breve")
    settings.POST_BODY_MAX_LENGTH = 20
    text = "Una versione molto più lunga"

    response = login(client, member).post(
        reverse("community:post-edit", args=[post.pk]), {"body": text}
    )

    page = fields_of(response)
    assert page.text["body"].lstrip("\n") == text
    assert "maxlength" not in page.fields["body"]
    assert "at most 20 characters" in response.content.decode()
    post.refresh_from_db()
    assert post.body == "Breve"


def test_an_over_long_promotion_note_is_refused_and_shown_again_whole(
    client, room, settings
):
    settings.POST_BODY_MAX_LENGTH = 300
    room, member, message = room
    limit = rooms.promotion_note_max_length(message)
    note = "n" * (limit + 1)

    response = login(client, member).post(
        reverse("community:post-promote", args=[message.pk]),
        {"title": "Continua qui", "body": note},
    )

    page = fields_of(response)
    assert page.text["body"].lstrip("\n") == note
    assert page.fields["title"]["value"] == "Continua qui"
    assert (
        f"The note is too long: at most {limit} characters (it has {limit + 1})."
        in response.content.decode()
    )
    assert not Thread.objects.filter(promoted_from=message).exists()


def test_an_over_long_join_request_is_refused_not_sent_without_its_message(client):
    community = CommunityFactory(visibility=Community.Visibility.RESTRICTED)
    person = UserFactory()

    response = login(client, person).post(
        reverse("community:community-join", args=[community.slug]),
        {"message": "m" * 501},
        follow=True,
    )

    assert "The message is too long: at most 500 characters." in (
        response.content.decode()
    )
    assert not Membership.objects.filter(user=person, community=community).exists()


def test_line_breaks_count_once_as_in_the_counter(client):
    """Browsers send CRLF; a bio of 2,000 characters with line breaks fits."""
    person = UserFactory()
    bio = "\r\n".join(["Ricerca sui materiali."] * 87)  # 22 × 87 + 86 = 2000
    assert len(bio.replace("\r\n", "\n")) == 2000

    response = login(client, person).post(
        reverse("community:profile-edit"),
        {"display_name": "", "bio": bio, "language": "it", "time_zone": "Europe/Rome"},
    )

    assert response.status_code == 302, response.context["form"].errors
    person.refresh_from_db()
    assert person.bio == bio.replace("\r\n", "\n")


# --- the workspaces' and the moderators' forms ------------------------------------------


def test_no_template_writes_maxlength():
    """Hand-written fields too: a reason, a word, a search box count, never cut."""
    from pathlib import Path

    from django.conf import settings

    written = [
        str(path.relative_to(settings.BASE_DIR))
        for path in (Path(settings.BASE_DIR) / "templates").rglob("*.html")
        if "maxlength=" in path.read_text()
    ]
    assert not written


def test_workspace_and_moderation_forms_count_instead_of_cutting(client):
    from community.services import reports
    from tests.support.workspaces import make_workspace

    community, owner, thread = community_with_thread()
    reports.moderation_settings_change(
        actor=owner, community=community, report_threshold=3, first_posts_approval=1
    )
    newcomer = member_of(community)
    threads.post_reply(actor=newcomer, thread=thread, body="In attesa")  # held
    login(client, owner)
    moderation = reverse("community:moderation-home", args=[community.slug])
    assert_counted(
        client.get(f"{moderation}members/"), {"reason": 300, "q": 150}
    )
    assert_counted(client.get(f"{moderation}held/"), {"reason": 300})
    assert_counted(
        client.get(f"{moderation}settings/"), {"word": 80, "replacement": 80}
    )

    workspace = make_workspace()
    login(client, workspace.created_by)
    assert_counted(
        client.get(reverse("workspaces:workspace-create")),
        {"name": 120, "description": 5000},
    )
    assert_counted(
        client.get(reverse("workspaces:people", args=[workspace.pk])),
        {"who": 254, "organisation": 160, "message": 500},
    )
