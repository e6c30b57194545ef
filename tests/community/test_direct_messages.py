"""Direct messages: opening (and reopening) a conversation, groups of up to ten,
blocking, contacting an organisation, the stranger rate limit, and who reads a
conversation through every door (page, list, search, notifications, admin, review)."""

import re

import pytest
from django.contrib.admin.sites import site as admin_site
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import RequestFactory
from django.urls import reverse

from community import permissions
from community.admin import PostAdmin
from community.models import (
    Affiliation,
    Block,
    Community,
    Membership,
    Post,
    ReviewItem,
    Thread,
)
from community.ratelimit import RateLimited
from community.services import direct, reactions, reports, rooms, threads
from notifications.models import Notification
from search.admin import EntryAdmin
from search.models import Entry
from tests.search.helpers import result_count, search_page
from tests.support.factories import (
    AffiliationFactory,
    CommunityFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

SECRET = "Il prezzo riservato del brevetto: 4200 euro"


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def pair():
    """Ada and Bruno, who share a community (no strangers), and their conversation."""
    ada, bruno = UserFactory(display_name="Ada Rossi"), UserFactory(display_name="Bruno Neri")
    shared = CommunityFactory()
    for person in (ada, bruno):
        MembershipFactory(user=person, community=shared)
    room = direct.direct_open(actor=ada, people=[bruno])
    return ada, bruno, room


def _login(client, user):
    client.logout()
    if user is not None:
        client.force_login(user)
    return client


# --- opening, reopening, groups ------------------------------------------------------


def test_a_conversation_is_a_private_direct_community_with_one_room(pair):
    ada, bruno, room = pair
    community = room.community
    assert community.kind == Community.Kind.DIRECT
    assert community.visibility == Community.Visibility.PRIVATE
    assert room.kind == Thread.Kind.ROOM
    assert set(
        Membership.objects.filter(community=community, state="active").values_list(
            "user_id", flat=True
        )
    ) == {ada.pk, bruno.pk}


def test_opening_again_with_the_same_person_reuses_the_conversation(pair):
    ada, bruno, room = pair
    assert direct.direct_open(actor=bruno, people=[ada]).pk == room.pk
    assert direct.direct_open(actor=ada, people=[bruno, bruno]).pk == room.pk
    assert Community.objects.filter(kind=Community.Kind.DIRECT).count() == 1


def test_a_group_is_its_own_conversation_and_is_reused_too(pair):
    ada, bruno, room = pair
    carla = UserFactory()
    group = direct.direct_open(actor=ada, people=[bruno, carla])
    assert group.pk != room.pk
    assert direct.direct_open(actor=carla, people=[ada, bruno]).pk == group.pk


def test_a_conversation_has_at_most_ten_people():
    ada = UserFactory()
    nine = UserFactory.create_batch(9)
    room = direct.direct_open(actor=ada, people=nine)
    assert room.community.member_count == 10
    with pytest.raises(ValidationError, match="at most 10"):
        direct.direct_open(actor=ada, people=[*nine, UserFactory()])
    with pytest.raises(ValidationError, match="ten people already"):
        direct.direct_add(actor=ada, community=room.community, people=[UserFactory()])
    assert not permissions.can_add_to_direct(ada, room.community)


def test_a_group_gains_people_up_to_ten_and_a_person_can_leave(pair):
    ada, bruno, room = pair
    group = direct.direct_open(actor=ada, people=[bruno, UserFactory()])
    newcomers = UserFactory.create_batch(7)
    direct.direct_add(actor=bruno, community=group.community, people=newcomers)
    group.community.refresh_from_db()
    assert group.community.member_count == 10
    with pytest.raises(ValidationError):
        direct.direct_open(actor=ada, people=UserFactory.create_batch(10))
    direct.direct_leave(actor=newcomers[0], community=group.community)
    with permissions.fresh():
        assert not permissions.can_read_community(newcomers[0], group.community)


def test_a_conversation_of_two_cannot_be_left(pair):
    ada, _bruno, room = pair
    with pytest.raises(PermissionDenied):
        direct.direct_leave(actor=ada, community=room.community)


def test_nobody_writes_to_themselves_and_unverified_people_write_to_nobody():
    ada = UserFactory()
    with pytest.raises(ValidationError):
        direct.direct_open(actor=ada, people=[ada])
    with pytest.raises(PermissionDenied):
        direct.direct_open(actor=UserFactory(verified=False), people=[ada])


# --- blocking ------------------------------------------------------------------------


def test_blocking_stops_new_conversations_both_ways(pair):
    ada, bruno, _room = pair
    carla = UserFactory()
    direct.person_block(actor=carla, person=ada)
    with pytest.raises(PermissionDenied):
        direct.direct_open(actor=ada, people=[carla])
    with pytest.raises(PermissionDenied, match="unblock"):
        direct.direct_open(actor=carla, people=[ada])
    # Nobody adds a blocked person to a conversation of the one who blocked them.
    group = direct.direct_open(actor=bruno, people=[carla, UserFactory()])
    with pytest.raises(PermissionDenied):
        direct.direct_add(actor=bruno, community=group.community, people=[ada])


def test_blocking_hides_the_conversation_from_the_blocker_until_unblocked(client, pair):
    ada, bruno, room = pair
    threads.post_reply(actor=bruno, thread=room, body=SECRET)
    direct.person_block(actor=ada, person=bruno)
    assert _login(client, ada).get(room.get_absolute_url()).status_code == 404
    listing = client.get(reverse("community:direct-list")).content.decode()
    assert "Bruno Neri" not in listing
    # Bruno still reads it but cannot write to Ada any more.
    with permissions.fresh():
        assert permissions.reply_state(bruno, room) == permissions.Reply.BLOCKED
        with pytest.raises(PermissionDenied):
            threads.post_reply(actor=bruno, thread=room, body="Ci sei?")
    page = _login(client, bruno).get(room.get_absolute_url()).content.decode()
    assert "You cannot send messages to this person." in page
    direct.person_unblock(actor=ada, person=bruno)
    page = _login(client, ada).get(room.get_absolute_url())
    assert page.status_code == 200 and SECRET in page.content.decode()


def test_block_and_unblock_buttons_on_the_profile(client):
    ada, bruno = UserFactory(), UserFactory()
    profile = reverse("community:profile", args=[bruno.username])
    page = _login(client, ada).get(profile).content.decode()
    assert "Send a message" in page and "data-block" in page
    client.post(reverse("community:person-block", args=[bruno.username]))
    assert Block.objects.filter(blocker=ada, blocked=bruno).exists()
    page = client.get(profile).content.decode()
    assert "Send a message" not in page and "data-unblock" in page
    client.post(reverse("community:person-unblock", args=[bruno.username]))
    assert not Block.objects.exists()


# --- pages ---------------------------------------------------------------------------


def test_send_a_message_from_a_profile_opens_the_conversation_named_after_them(client):
    ada, bruno = UserFactory(), UserFactory(display_name="Bruno Neri")
    response = _login(client, ada).post(
        reverse("community:direct-with", args=[bruno.username])
    )
    room = Thread.objects.get(community__kind=Community.Kind.DIRECT)
    assert response.url == room.get_absolute_url()
    page = client.get(response.url).content.decode()
    assert "<h1 data-direct-name>Bruno Neri</h1>" in page
    assert "Direct messages" in page  # the breadcrumb
    assert 'data-room-composer' in page


def test_the_list_shows_conversations_with_unread_counts_and_the_header_total(
    client, pair, django_assert_max_num_queries
):
    ada, bruno, room = pair
    for text in ("Ciao", "Ci sei?", "Rispondi"):
        threads.post_reply(actor=bruno, thread=room, body=text)
    other = direct.direct_open(actor=UserFactory(display_name="Carla Blu"), people=[ada])
    threads.post_reply(actor=other.community.created_by, thread=other, body="Buongiorno")
    _login(client, ada)
    with django_assert_max_num_queries(14):
        page = client.get(reverse("community:direct-list")).content.decode()
    assert "Bruno Neri" in page and "Carla Blu" in page
    assert page.index("Carla Blu") < page.index("Bruno Neri")  # latest first
    assert 'data-direct-unread>4<' in page  # the header: 3 + 1
    more = [direct.direct_open(actor=UserFactory(), people=[ada]) for _ in range(5)]
    for room_ in more:
        threads.post_reply(actor=room_.community.created_by, thread=room_, body="Hi")
    with django_assert_max_num_queries(14):
        page = client.get(reverse("community:direct-list")).content.decode()
    assert 'data-direct-unread>9<' in page


def test_people_are_added_and_leave_through_the_conversation_page(client, pair):
    ada, bruno, _room = pair
    carla, dario = UserFactory(display_name="Carla Blu"), UserFactory()
    group = direct.direct_open(actor=ada, people=[bruno, carla])
    page = _login(client, carla).get(group.get_absolute_url()).content.decode()
    assert "Add people" in page and "data-direct-leave" in page
    client.post(reverse("community:direct-add", args=[group.pk]), {"people": dario.username})
    assert dario.pk in permissions.direct_participant_ids(group.community)
    response = client.post(reverse("community:direct-leave", args=[group.pk]))
    assert response.url == reverse("community:direct-list")
    assert client.get(group.get_absolute_url()).status_code == 404
    # Outsiders reach neither form.
    outsider = _login(client, UserFactory())
    add = reverse("community:direct-add", args=[group.pk])
    assert outsider.post(add, {"people": dario.username}).status_code == 404


def test_the_conversation_page_costs_the_same_for_two_or_ten_people(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    ada = UserFactory()
    small = direct.direct_open(actor=ada, people=[UserFactory()])
    large = direct.direct_open(actor=ada, people=UserFactory.create_batch(9))
    for room in (small, large):
        threads.post_reply(actor=ada, thread=room, body="Ciao a tutti")
    _login(client, ada)
    counts = []
    for room in (small, large):
        client.get(room.get_absolute_url())  # warm the per-process caches
        with CaptureQueriesContext(connection) as queries:
            assert client.get(room.get_absolute_url()).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_the_new_conversation_form_names_unknown_usernames(client):
    ada = UserFactory()
    response = _login(client, ada).post(
        reverse("community:direct-list"), {"people": "nessuno, @altro"}
    )
    assert response.status_code == 400
    assert "Nobody has the username" in response.content.decode()


def test_the_community_address_of_a_conversation_leads_participants_to_it(client, pair):
    ada, _bruno, room = pair
    url = room.community.get_absolute_url()
    assert _login(client, ada).get(url).url == room.get_absolute_url()
    assert _login(client, UserFactory()).get(url).status_code == 404
    assert _login(client, UserFactory(is_staff=True)).get(url).status_code == 404


# --- who reads a conversation: the page, search, admin, review ------------------------

READERS = {"participant": True, "blocker": False, "stranger": False, "staff": False}


def _person(role, pair):
    ada, bruno, room = pair
    if role == "participant":
        return bruno
    if role == "blocker":
        direct.person_block(actor=ada, person=bruno)
        return ada
    if role == "stranger":
        return UserFactory()
    return UserFactory(is_staff=True, is_superuser=True)


@pytest.mark.parametrize("role", READERS)
def test_only_participants_read_the_page(client, pair, role):
    ada, _bruno, room = pair
    threads.post_reply(actor=ada, thread=room, body=SECRET)
    person = _person(role, pair)
    response = _login(client, person).get(room.get_absolute_url())
    assert response.status_code == (200 if READERS[role] else 404)
    messages_url = reverse("community:room-messages", args=[room.community.slug, room.pk])
    assert (SECRET in _login(client, person).get(messages_url).content.decode()) is READERS[
        role
    ]


@pytest.mark.parametrize("role", READERS)
def test_search_finds_direct_messages_for_participants_only(client, commit, pair, role):
    ada, _bruno, room = pair
    with commit():
        threads.post_reply(actor=ada, thread=room, body=SECRET)
    person = _person(role, pair)
    found = result_count(search_page(client, person, "brevetto")) > 0
    assert found is READERS[role]


def test_search_and_unread_name_a_conversation_after_its_people(client, commit, pair):
    ada, bruno, room = pair
    with commit():
        threads.post_reply(actor=bruno, thread=room, body=SECRET)

    html = search_page(client, ada, "brevetto")
    result = re.search(r'class="search-result__title">.*?</h2>', html, re.S).group(0)
    assert "Ada Rossi, Bruno Neri" in result and "Direct message<" not in result
    assert 'href="/messages/"' in html

    unread = _login(client, ada).get(reverse("community:unread")).content.decode()
    assert re.search(r'class="row-main__title"[^>]*>\s*Bruno Neri\s*</a>', unread)
    assert ">Direct messages</a>" in unread


def _admin_request(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def test_staff_do_not_see_direct_messages_in_the_admin_unless_reported(commit, pair):
    ada, bruno, room = pair
    with commit():
        post = threads.post_reply(actor=ada, thread=room, body=SECRET)
        other = threads.post_reply(actor=ada, thread=room, body="Un altro messaggio")
    staff = UserFactory(is_staff=True, is_superuser=True)
    posts = PostAdmin(Post, admin_site).get_queryset(_admin_request(staff))
    entries = EntryAdmin(Entry, admin_site).get_queryset(_admin_request(staff))
    assert post not in posts and not entries.filter(object_id=post.pk).exists()
    with commit():
        reports.post_report(actor=bruno, post=post, reason="spam", note="")
    posts = PostAdmin(Post, admin_site).get_queryset(_admin_request(staff))
    assert post in posts and other not in posts
    entries = EntryAdmin(Entry, admin_site).get_queryset(_admin_request(staff))
    assert entries.filter(object_id=post.pk).exists()
    assert not entries.filter(object_id=other.pk).exists()


def test_the_admin_shows_files_and_reactions_of_direct_messages_only_once_reported(
    commit, pair, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from community.admin import AttachmentAdmin, BlockAdmin, ReactionAdmin
    from community.models import Attachment, Reaction
    from community.services import attachments
    from tests.workspaces import hostile_files

    settings.MEDIA_ROOT = tmp_path
    ada, bruno, room = pair
    upload = attachments.attachment_upload(
        actor=ada, thread=room, upload=SimpleUploadedFile("foto.jpg", hostile_files.jpeg_bytes())
    )
    pending = attachments.attachment_upload(
        actor=ada, thread=room, upload=SimpleUploadedFile("altra.jpg", hostile_files.jpeg_bytes())
    )
    with commit():
        post = threads.post_reply(actor=ada, thread=room, body=SECRET, attachments=[upload.pk])
        reactions.reaction_toggle(actor=bruno, post=post, emoji="👍")
    direct.person_block(actor=bruno, person=UserFactory())
    staff = _admin_request(UserFactory(is_staff=True, is_superuser=True))

    def shown():
        files = AttachmentAdmin(Attachment, admin_site).get_queryset(staff)
        reacted = ReactionAdmin(Reaction, admin_site).get_queryset(staff)
        return set(files.values_list("pk", flat=True)), reacted.count()

    assert shown() == (set(), 0)
    with commit():
        reports.post_report(actor=bruno, post=post, reason="spam", note="")
    # The reported message's file and reaction; never an upload still pending.
    assert shown() == ({upload.pk}, 1)
    assert pending.pk not in shown()[0]
    assert BlockAdmin(Block, admin_site).get_queryset(staff).filter(blocker=bruno).count() == 1


def test_a_reported_direct_message_reaches_staff_through_the_queue_alone(
    client, commit, pair
):
    ada, bruno, room = pair
    with commit():
        post = threads.post_reply(actor=ada, thread=room, body=SECRET)
        threads.post_reply(actor=ada, thread=room, body="Il contesto segreto")
    staff = UserFactory(is_staff=True, is_superuser=True)
    queue = reverse("community:review-combined")
    assert SECRET not in _login(client, staff).get(queue).content.decode()
    with commit():
        reports.post_report(actor=bruno, post=post, reason="spam", note="")
    page = client.get(queue).content.decode()
    assert SECRET[:20] in page
    item = ReviewItem.objects.get(post=post)
    detail = client.get(reverse("community:review-item", args=[room.community.slug, item.pk]))
    assert detail.status_code == 200
    text = detail.content.decode()
    assert SECRET in text and "Il contesto segreto" not in text
    # Still not the conversation itself.
    assert client.get(room.get_absolute_url()).status_code == 404
    # Another community's moderator sees nothing of it.
    moderator = UserFactory()
    MembershipFactory(user=moderator, community=CommunityFactory(), role="moderator")
    assert SECRET[:20] not in _login(client, moderator).get(queue).content.decode()


def test_only_a_participant_can_report_a_direct_message(pair):
    ada, bruno, room = pair
    post = threads.post_reply(actor=ada, thread=room, body=SECRET)
    assert permissions.can_report_post(bruno, post)
    assert not permissions.can_report_post(UserFactory(is_staff=True), post)
    assert not permissions.can_report_post(UserFactory(), post)


# --- notifications -------------------------------------------------------------------


def test_a_new_message_notifies_the_other_participants_directly(commit, pair):
    ada, bruno, room = pair
    carla = UserFactory()
    group = direct.direct_open(actor=ada, people=[bruno, carla])
    with commit():
        threads.post_reply(actor=ada, thread=group, body=SECRET)
        threads.post_reply(actor=ada, thread=group, body="E un altro")
    for person in (bruno, carla):
        rows = Notification.objects.filter(recipient=person)
        assert [row.kind for row in rows] == [Notification.Kind.DIRECT]
    assert not Notification.objects.filter(recipient=ada).exists()


def test_a_reaction_to_a_direct_message_is_told_as_a_message_reaction(client, commit, pair):
    ada, bruno, room = pair
    with commit():
        message = threads.post_reply(actor=ada, thread=room, body=SECRET)
        reactions.reaction_toggle(actor=bruno, post=message, emoji="👍")

    page = _login(client, ada).get(reverse("notifications:list"))
    assert "Bruno Neri reacted to your message" in page.content.decode()
    assert "Direct message”" not in page.content.decode()


def test_the_room_sidebar_lists_conversations_named_after_the_others(client, pair):
    ada, bruno, room = pair
    shared = Community.objects.exclude(kind=Community.Kind.DIRECT).get()
    owner = UserFactory()
    MembershipFactory(user=owner, community=shared, role=Membership.Role.OWNER)
    lobby = rooms.room_create(actor=owner, community=shared, name="lobby")
    threads.post_reply(actor=bruno, thread=room, body="Ciao")

    for address in (room.get_absolute_url(), lobby.get_absolute_url()):
        page = _login(client, ada).get(address)
        sidebar = page.context["sidebar"]
        conversations = [group for group in sidebar if group.kind == "direct"]
        assert [c.name for c in conversations[0].conversations] == ["Bruno Neri"]
        assert conversations[0].conversations[0].unread == 1
        # The conversation is not listed as a community called "Direct message".
        assert all(group.communities == [] for group in conversations)

    outsider = UserFactory()
    page = _login(client, outsider).get(lobby.get_absolute_url())
    assert "Bruno Neri" not in page.content.decode()


def test_a_direct_message_is_emailed_to_the_other_participant_only(commit, pair):
    from datetime import timedelta

    from django.conf import settings
    from django.core import mail as outbox

    from notifications import mail

    ada, bruno, room = pair
    with commit():
        threads.post_reply(actor=ada, thread=room, body=SECRET)
    notification = Notification.objects.get(recipient=bruno)
    later = notification.created_at + timedelta(
        minutes=settings.NOTIFICATION_EMAIL_AFTER_MINUTES
    )
    assert mail.deliver_due(now=later) == 1
    [message] = outbox.outbox
    assert message.to == [bruno.email]
    # In the recipient's language (Italian by default).
    assert "Ada Rossi ti ha inviato un messaggio" in message.subject
    assert SECRET in message.body


def test_staff_mentioned_in_a_conversation_are_not_told(commit, pair):
    ada, _bruno, room = pair
    staff = UserFactory(is_staff=True, username="vigile")
    with commit():
        threads.post_reply(actor=ada, thread=room, body="Ciao @vigile, guarda qui")
    assert not Notification.objects.filter(recipient=staff).exists()


def test_blocking_and_muting_silence_the_notifications(commit, pair):
    ada, bruno, room = pair
    carla = UserFactory()
    group = direct.direct_open(actor=ada, people=[bruno, carla])
    direct.person_block(actor=carla, person=ada)
    Membership.objects.filter(user=bruno, community=group.community).update(level="muted")
    with commit():
        threads.post_reply(actor=ada, thread=group, body=SECRET)
    assert not Notification.objects.filter(recipient__in=[bruno, carla]).exists()


# --- strangers and organisations -----------------------------------------------------


def test_new_conversations_with_strangers_are_rate_limited(settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "direct_stranger": (2, 86400)}
    ada = UserFactory()
    for _ in range(2):
        direct.direct_open(actor=ada, people=[UserFactory()])
    with pytest.raises(RateLimited, match="share no community or organisation"):
        direct.direct_open(actor=ada, people=[UserFactory()])
    # People Ada shares an organisation with are no strangers.
    organisation = OrganisationFactory()
    colleague = UserFactory()
    AffiliationFactory(user=ada, organisation=organisation)
    AffiliationFactory(user=colleague, organisation=organisation)
    assert direct.direct_open(actor=ada, people=[colleague]).community.member_count == 2


def test_the_rate_limit_page_says_why(client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "direct_stranger": (1, 86400)}
    ada = UserFactory()
    _login(client, ada)
    client.post(reverse("community:direct-with", args=[UserFactory().username]))
    response = client.post(reverse("community:direct-with", args=[UserFactory().username]))
    assert response.status_code == 429
    assert "share no community or organisation" in response.content.decode()


def test_contact_this_organisation_writes_to_its_admins(client):
    organisation = OrganisationFactory()
    admins = [UserFactory(), UserFactory()]
    for admin in admins:
        AffiliationFactory(user=admin, organisation=organisation, role=Affiliation.Role.ADMIN)
    AffiliationFactory(user=UserFactory(), organisation=organisation)  # a plain member
    seeker = UserFactory()
    page = _login(client, seeker).get(organisation.get_absolute_url()).content.decode()
    assert "Contact this organisation" in page
    response = client.post(reverse("community:organisation-contact", args=[organisation.slug]))
    room = Thread.objects.get(community__kind=Community.Kind.DIRECT)
    assert response.url == room.get_absolute_url()
    assert permissions.direct_participant_ids(room.community) == {
        seeker.pk,
        *(admin.pk for admin in admins),
    }
    assert organisation.name in client.get(room.get_absolute_url()).content.decode()
    # Again: the same conversation.
    client.post(reverse("community:organisation-contact", args=[organisation.slug]))
    assert Community.objects.filter(kind=Community.Kind.DIRECT).count() == 1
    # Its own admins are not offered the button.
    page = _login(client, admins[0]).get(organisation.get_absolute_url()).content.decode()
    assert "Contact this organisation" not in page


def test_directory_cards_offer_contact_where_the_page_would(client):
    open_door, own, walled = (OrganisationFactory(name=name) for name in ("Alfa", "Beta", "Gamma"))
    seeker, pest = UserFactory(), UserFactory()
    AffiliationFactory(user=UserFactory(), organisation=open_door, role=Affiliation.Role.ADMIN)
    AffiliationFactory(user=seeker, organisation=own, role=Affiliation.Role.ADMIN)
    AffiliationFactory(user=pest, organisation=walled, role=Affiliation.Role.ADMIN)
    direct.person_block(actor=seeker, person=pest)

    def offered(user):
        html = _login(client, user).get(reverse("community:organisation-list")).content.decode()
        return {
            organisation.name
            for organisation in (open_door, own, walled)
            if reverse("community:organisation-contact", args=[organisation.slug]) in html
        }

    # Not its own organisation, nor one whose only admin a block stands between.
    assert offered(seeker) == {"Alfa"}
    assert offered(None) == set()
    for organisation in (open_door, own, walled):
        detail = _login(client, seeker).get(organisation.get_absolute_url()).content.decode()
        assert ("Contact this organisation" in detail) is (organisation == open_door)
