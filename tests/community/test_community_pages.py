"""What people see on the home page, the directory and a community's pages."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from community.models import Community, Membership
from community.services import communities
from live.models import Event
from tests.support.factories import (
    CommunityFactory,
    MembershipFactory,
    OrganisationFactory,
    ThreadFactory,
    UserFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_default")]

Role = Membership.Role
State = Membership.State


def text(response):
    assert response.status_code == 200
    return response.content.decode()


# --- directory -------------------------------------------------------------------------


def test_directory_shows_what_each_community_is_about(client):
    owner = UserFactory()
    community = communities.community_create(
        actor=owner,
        name="Economia circolare",
        description="Riuso dei materiali, simbiosi industriale e nuovi modelli.",
        visibility="restricted",
        themes=["riciclo", "materiali"],
    )
    Community.objects.filter(pk=community.pk).update(
        thread_count=7, last_activity_at=timezone.now() - timedelta(hours=3)
    )
    page = text(client.get(reverse("community:community-list")))
    assert "Economia circolare" in page
    assert "Riuso dei materiali" in page
    assert "Restricted" in page
    assert "riciclo" in page and "materiali" in page
    assert "1 member" in page
    assert "7 threads" in page
    assert "3\xa0hours ago" in page or "3 hours ago" in page


def test_directory_filters_by_theme_and_searches_names_and_descriptions(client):
    agrifood = CommunityFactory(name="Agrifood", description="Filiera corta")
    agrifood.themes.set(["cibo"])
    energy = CommunityFactory(name="Energia", description="Idrogeno verde e filiera")
    energy.themes.set(["idrogeno"])
    url = reverse("community:community-list")
    by_tag = text(client.get(url, {"tag": "idrogeno"}))
    assert "Energia" in by_tag and "Agrifood" not in by_tag
    assert "1 community about “idrogeno”" in by_tag
    by_text = text(client.get(url, {"q": "filiera"}))
    assert "Energia" in by_text and "Agrifood" in by_text
    by_both = text(client.get(url, {"q": "corta", "tag": "idrogeno"}))
    assert "No community matches your search." in by_both


def test_directory_filters_by_themes_with_accented_letters(client):
    community = CommunityFactory(name="Energia")
    community.themes.set(["comunità energetiche"])
    CommunityFactory(name="Agrifood")
    page = text(client.get(reverse("community:community-list")))
    slug = community.themes.get().slug
    assert slug == "comunità-energetiche"
    filtered = text(client.get(reverse("community:community-list"), {"tag": slug}))
    assert "Energia" in filtered and "Agrifood" not in filtered
    assert "comunità energetiche" in page


def test_directory_paginates(client, settings):
    settings.DIRECTORY_PAGE_SIZE = 4
    for n in range(6):
        CommunityFactory(name=f"Comunità {n:02d}")
    url = reverse("community:community-list")
    first = text(client.get(url))
    assert "Page 1 of 2" in first
    assert first.count('class="card community-card"') == 4
    second = text(client.get(url, {"page": 2}))
    assert second.count('class="card community-card"') == 2
    # Out of range pages show the last page rather than an error.
    assert "Page 2 of 2" in text(client.get(url, {"page": 99}))


def test_empty_directory_invites_verified_people_to_create_one(client, user):
    assert "There are no communities yet." in text(
        client.get(reverse("community:community-list"))
    )
    client.force_login(user)
    page = text(client.get(reverse("community:community-list")))
    assert "Create the first community" in page


def test_only_verified_people_see_the_create_button(client):
    client.force_login(UserFactory(verified=False))
    page = text(client.get(reverse("community:community-list")))
    assert reverse("community:community-create") not in page
    assert "Confirm your email address to create a community." in page


def test_directory_marks_the_communities_you_belong_to(client, user):
    joined = CommunityFactory(name="Energia")
    MembershipFactory(user=user, community=joined)
    waiting = CommunityFactory(name="Scienze della vita", visibility="restricted")
    MembershipFactory(user=user, community=waiting, state=State.PENDING)
    client.force_login(user)
    page = text(client.get(reverse("community:community-list")))
    assert "Joined" in page
    assert "Request pending" in page


def test_workspace_discussions_are_not_in_the_directory(client, staff):
    CommunityFactory(name="Spazio di progetto", kind=Community.Kind.WORKSPACE)
    client.force_login(staff)
    assert "Spazio di progetto" not in text(
        client.get(reverse("community:community-list"))
    )


# --- community page --------------------------------------------------------------------


def test_thread_list_puts_pinned_threads_first_then_the_latest_activity(client):
    community = CommunityFactory()
    now = timezone.now()
    ThreadFactory(
        community=community, title="Vecchio", last_activity_at=now - timedelta(days=3)
    )
    ThreadFactory(community=community, title="Recente", last_activity_at=now)
    ThreadFactory(
        community=community,
        title="Regolamento",
        is_pinned=True,
        last_activity_at=now - timedelta(days=30),
    )
    ThreadFactory(community=community, title="Chat", kind="room", last_activity_at=now)
    page = text(client.get(community.get_absolute_url()))
    assert page.index("Regolamento") < page.index("Recente") < page.index("Vecchio")
    assert "Pinned" in page
    # Rooms are listed beside the threads (the room list), never among them.
    threads = page.split('<ul class="rows thread-list">')[1].split("</ul>")[0]
    assert "Chat" not in threads


def test_thread_row_shows_author_organisation_replies_last_poster_and_tags(client):
    community = CommunityFactory()
    author = UserFactory(
        display_name="Giulia Rossi",
        organisation=OrganisationFactory(name="Politecnico"),
    )
    last = UserFactory(
        display_name="Marco Bianchi",
        organisation=OrganisationFactory(name="Brembo Lab"),
    )
    thread = ThreadFactory(
        community=community,
        title="Sensori per la manutenzione predittiva",
        author=author,
        last_poster=last,
        post_count=5,
        is_locked=True,
    )
    thread.tags.set(["iot", "manutenzione"])
    page = text(client.get(community.get_absolute_url()))
    assert thread.get_absolute_url() in page
    assert "Giulia Rossi" in page and "Politecnico" in page
    assert "Marco Bianchi" in page and "Brembo Lab" in page
    assert "<strong>4</strong> replies" in page
    assert "Locked" in page
    assert f'{community.get_absolute_url()}?tag=iot"' in page


def test_thread_list_filters_by_tag(client):
    community = CommunityFactory()
    tagged = ThreadFactory(community=community, title="Batterie al sodio")
    tagged.tags.set(["batterie"])
    ThreadFactory(community=community, title="Pannelli solari")
    page = text(client.get(community.get_absolute_url(), {"tag": "batterie"}))
    assert "Batterie al sodio" in page and "Pannelli solari" not in page
    assert "Show all threads" in page
    empty = text(client.get(community.get_absolute_url(), {"tag": "nessuno"}))
    assert "No thread has this tag." in empty


def test_thread_list_shows_thirty_threads_a_page(client, settings):
    community = CommunityFactory()
    ThreadFactory.create_batch(settings.THREADS_PER_PAGE + 2, community=community)
    first = text(client.get(community.get_absolute_url()))
    assert first.count('<li class="thread-row') == settings.THREADS_PER_PAGE
    assert "Page 1 of 2" in first
    second = text(client.get(community.get_absolute_url(), {"page": 2}))
    assert second.count('<li class="thread-row') == 2


def test_empty_community_invites_members_to_start_the_first_thread(client, user):
    community = CommunityFactory()
    MembershipFactory(user=user, community=community)
    assert "Log in" in text(client.get(community.get_absolute_url()))
    client.force_login(user)
    page = text(client.get(community.get_absolute_url()))
    assert "No threads yet." in page
    assert reverse("community:thread-create", args=[community.slug]) in page


def test_restricted_community_shows_its_header_but_not_its_threads(client, user):
    community = CommunityFactory(
        name="Trasferimento tecnologico",
        description="Brevetti e licenze",
        visibility="restricted",
    )
    ThreadFactory(community=community, title="Licenza in esclusiva")
    for viewer in (None, user):
        if viewer:
            client.force_login(viewer)
        page = text(client.get(community.get_absolute_url()))
        assert "Trasferimento tecnologico" in page
        assert "Brevetti e licenze" in page
        assert "Members only" in page
        assert "Licenza in esclusiva" not in page
    assert "Request to join" in page
    assert 'name="message"' in page


def test_moderators_see_how_many_requests_wait(client, user):
    community = CommunityFactory(visibility="restricted")
    MembershipFactory(user=user, community=community, role=Role.MODERATOR)
    MembershipFactory.create_batch(2, community=community, state=State.PENDING)
    client.force_login(user)
    page = text(client.get(community.get_absolute_url()))
    assert reverse("community:community-requests", args=[community.slug]) in page
    assert (
        '<span class="badge badge--warn">2<span class="visually-hidden"> waiting'
        in page
    )
    assert reverse("community:community-edit", args=[community.slug]) not in page


# --- create and settings ---------------------------------------------------------------


def test_creating_a_community_makes_you_its_owner(client, user):
    client.force_login(user)
    response = client.post(
        reverse("community:community-create"),
        {
            "name": "AI e software",
            "description": "Machine learning per l'industria.",
            "themes": "AI, visione artificiale",
            "visibility": "public",
        },
    )
    community = Community.objects.get(name="AI e software")
    assert response["Location"] == community.get_absolute_url()
    assert community.slug == "ai-e-software"
    assert sorted(community.themes.names()) == ["ai", "visione artificiale"]
    assert community.member_count == 1
    assert community.memberships.get().role == Role.OWNER
    assert list(
        Event.objects.filter(stream=f"community:{community.pk}").values_list(
            "type", flat=True
        )
    ) == ["community.created", "member.joined"]
    page = text(client.get(community.get_absolute_url()))
    assert "You own this community" in page


def test_slugs_are_unique_and_never_shadow_the_create_page(user):
    first = communities.community_create(actor=user, name="Agrifood", visibility="public")
    second = communities.community_create(actor=user, name="Agrifood", visibility="public")
    new = communities.community_create(actor=user, name="New", visibility="public")
    symbols = communities.community_create(actor=user, name="★★★", visibility="public")
    assert (first.slug, second.slug) == ("agrifood", "agrifood-2")
    assert new.slug == "new-2"
    assert symbols.slug == "community"


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"name": "", "visibility": "public"}, "This field is required."),
        ({"name": "   ", "visibility": "public"}, "This field is required."),
        ({"name": "x" * 121, "visibility": "public"}, "at most 120 characters"),
        ({"name": "Ok", "visibility": "secret"}, "Select a valid choice."),
        (
            {"name": "Ok", "visibility": "public", "themes": ",".join("abcdefghi")},
            "Use at most 8 tags.",
        ),
        (
            {"name": "Ok", "visibility": "public", "themes": "t" * 41},
            "is too long: a tag has at most 40 characters",
        ),
    ],
)
def test_create_form_explains_bad_input(client, user, data, error):
    client.force_login(user)
    response = client.post(reverse("community:community-create"), data)
    assert error in text(response)
    assert not Community.objects.exists()


def test_every_field_error_shows_at_once(client, user):
    client.force_login(user)
    response = client.post(
        reverse("community:community-create"),
        {"name": "", "visibility": "public", "themes": ",".join("abcdefghi")},
    )
    page = text(response)
    assert "This field is required." in page
    assert "Use at most 8 tags." in page


def test_unverified_people_cannot_create_communities(client):
    client.force_login(UserFactory(verified=False))
    assert client.get(reverse("community:community-create")).status_code == 403


def test_visitors_are_asked_to_log_in_before_creating(client):
    response = client.get(reverse("community:community-create"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_owner_edits_the_settings_and_visibility_changes_are_recorded(client, user):
    community = communities.community_create(
        actor=user, name="Energia", visibility="public", themes=["solare"]
    )
    client.force_login(user)
    url = reverse("community:community-edit", args=[community.slug])
    form = text(client.get(url))
    assert 'value="Energia"' in form and "solare" in form
    response = client.post(
        url,
        {
            "name": "Energia e idrogeno",
            "description": "Transizione energetica",
            "themes": "solare, idrogeno",
            "visibility": "private",
        },
    )
    assert response["Location"] == community.get_absolute_url()
    community.refresh_from_db()
    assert community.name == "Energia e idrogeno"
    assert community.slug == "energia"
    assert community.visibility == "private"
    events = Event.objects.filter(stream=f"community:{community.pk}")
    updated = events.get(type="community.updated")
    assert updated.payload["changed"] == ["description", "name", "themes", "visibility"]
    changed = events.get(type="community.visibility_changed")
    assert changed.payload["previous_visibility"] == "public"
    assert changed.payload["visibility"] == "private"


def test_saving_unchanged_settings_records_nothing(client, user):
    community = communities.community_create(
        actor=user, name="Energia", visibility="public"
    )
    client.force_login(user)
    client.post(
        reverse("community:community-edit", args=[community.slug]),
        {"name": "Energia", "description": "", "themes": "", "visibility": "public"},
    )
    assert not Event.objects.filter(type="community.updated").exists()


def test_settings_form_shows_errors(client, user):
    community = communities.community_create(
        actor=user, name="Energia", visibility="public"
    )
    client.force_login(user)
    response = client.post(
        reverse("community:community-edit", args=[community.slug]),
        {"name": "", "visibility": "public"},
    )
    assert "This field is required." in text(response)


# --- members ---------------------------------------------------------------------------


def test_members_page_lists_roles_organisations_and_join_dates(client, user):
    community = CommunityFactory()
    owner = MembershipFactory(
        community=community,
        role=Role.OWNER,
        user__display_name="Anna Verdi",
        user__organisation=OrganisationFactory(name="Università di Pavia"),
    )
    MembershipFactory(
        community=community, role=Role.MODERATOR, user__display_name="Luca Neri"
    )
    MembershipFactory(community=community, user__display_name="Sara Gialli")
    MembershipFactory(
        community=community, state=State.PENDING, user__display_name="In Attesa"
    )
    page = text(
        client.get(reverse("community:community-members", args=[community.slug]))
    )
    assert (
        page.index("Anna Verdi") < page.index("Luca Neri") < page.index("Sara Gialli")
    )
    assert "Università di Pavia" in page
    assert "Owner" in page and "Moderator" in page
    assert "Member since" in page
    assert "In Attesa" not in page
    assert "Make moderator" not in page
    client.force_login(owner.user)
    owner_view = text(
        client.get(reverse("community:community-members", args=[community.slug]))
    )
    assert "Make moderator" in owner_view
    assert "Remove moderator" in owner_view
    assert owner_view.count("Transfer ownership") == 2
    only_moderators = text(
        client.get(
            reverse("community:community-members", args=[community.slug]),
            {"role": "moderator"},
        )
    )
    assert "Luca Neri" in only_moderators and "Sara Gialli" not in only_moderators


# --- home ------------------------------------------------------------------------------


def test_visitors_get_a_welcome_and_the_latest_public_threads(client):
    community = CommunityFactory(name="Agrifood", visibility="public")
    ThreadFactory(community=community, title="Tracciabilità del latte")
    page = text(client.get(reverse("community:home")))
    assert "open-innovation network of Lombardy" in page
    assert reverse("account_signup") in page
    assert reverse("account_login") in page
    assert "Agrifood" in page
    assert "Tracciabilità del latte" in page


def test_members_see_the_latest_threads_of_their_communities_only(client, user):
    mine = CommunityFactory(name="Energia")
    MembershipFactory(user=user, community=mine)
    ThreadFactory(community=mine, title="Comunità energetiche rinnovabili")
    ThreadFactory(community__name="Altro", title="Discussione altrui")
    restricted = CommunityFactory(visibility="restricted")
    MembershipFactory(user=user, community=restricted, state=State.PENDING)
    ThreadFactory(community=restricted, title="Riservato ai membri")
    client.force_login(user)
    page = text(client.get(reverse("community:home")))
    assert "Latest in your communities" in page
    assert "Comunità energetiche rinnovabili" in page
    assert "Discussione altrui" not in page
    assert "Riservato ai membri" not in page
    assert "Waiting for approval" in page


def test_newcomers_are_invited_to_browse_and_join(client, user):
    CommunityFactory(name="Scienze della vita")
    client.force_login(user)
    page = text(client.get(reverse("community:home")))
    assert "You have not joined any community yet" in page
    assert "Scienze della vita" in page
    assert reverse("community:community-list") in page


def test_moderators_are_told_about_requests_waiting(client, user):
    community = CommunityFactory(name="Trasferimento", visibility="restricted")
    MembershipFactory(user=user, community=community, role=Role.MODERATOR)
    MembershipFactory(community=community, state=State.PENDING)
    client.force_login(user)
    page = text(client.get(reverse("community:home")))
    assert "1 person asks to join Trasferimento" in page
    assert reverse("community:community-requests", args=[community.slug]) in page
