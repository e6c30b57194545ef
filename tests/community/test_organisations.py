"""Organisations: the directory, profile pages, creating and editing a profile."""

import pytest
from django.urls import reverse

from community.models import Affiliation, Organisation
from live.models import Event
from tests.support.factories import AffiliationFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

LIST_URL = reverse("community:organisation-list")
CREATE_URL = reverse("community:organisation-create")


@pytest.fixture(autouse=True)
def english(client, settings):
    """Assert on English text whatever the default interface language."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def detail_url(organisation):
    return reverse("community:organisation-detail", args=[organisation.slug])


def edit_url(organisation):
    return reverse("community:organisation-edit", args=[organisation.slug])


def event_types(stream):
    return list(Event.objects.filter(stream=stream).values_list("type", flat=True))


def names_on(response):
    return [organisation.name for organisation in response.context["organisations"]]


def valid_data(**overrides):
    data = {
        "name": "Officine Brianza",
        "kind": Organisation.Kind.ENTERPRISE,
        "sector": "Meccatronica",
        "size": Organisation.Size.SMALL,
        "city": "Monza",
        "region": "Lombardia",
        "website": "https://officine.example.it",
        "description": "Robot per la piegatura.\nCollaudo in linea.",
        "competences": "Robotica, visione artificiale",
        "interests": "economia circolare",
    }
    data.update(overrides)
    return data


# --- directory ------------------------------------------------------------------------


def test_directory_shows_kind_city_sector_tags_and_active_members(client):
    organisation = OrganisationFactory(
        name="Politecnico di Test",
        kind=Organisation.Kind.UNIVERSITY,
        city="Milano",
        sector="Ingegneria",
    )
    organisation.competences.add("Robotica")
    AffiliationFactory.create_batch(2, organisation=organisation)
    AffiliationFactory(organisation=organisation, state=Affiliation.State.PENDING)

    response = client.get(LIST_URL)

    html = response.content.decode()
    assert response.status_code == 200
    assert "Politecnico di Test" in html
    assert "University" in html
    assert "Milano" in html and "Ingegneria" in html
    assert 'href="/o/?tag=robotica"' in html
    assert response.context["organisations"][0].active_member_count == 2


def test_directory_filters_by_kind(client):
    OrganisationFactory(name="Ateneo", kind=Organisation.Kind.UNIVERSITY)
    OrganisationFactory(name="Fabbrica", kind=Organisation.Kind.ENTERPRISE)

    response = client.get(LIST_URL, {"kind": "university"})

    assert names_on(response) == ["Ateneo"]


def test_directory_filters_by_competence_or_interest_tag(client):
    builder = OrganisationFactory(name="Builder")
    builder.competences.add("Robotica")
    buyer = OrganisationFactory(name="Buyer")
    buyer.interests.add("Robotica")
    OrganisationFactory(name="Other").competences.add("Agrifood")

    response = client.get(LIST_URL, {"tag": "robotica"})

    assert names_on(response) == ["Builder", "Buyer"]
    assert "Robotica" in response.content.decode()


def test_directory_filters_by_city_in_any_case_and_offers_present_cities(client):
    OrganisationFactory(name="Milanese", city="Milano")
    OrganisationFactory(name="Bergamasca", city="Bergamo")

    response = client.get(LIST_URL, {"city": "milano"})

    assert names_on(response) == ["Milanese"]
    html = response.content.decode()
    assert '<option value="Bergamo">' in html


def test_search_matches_name_and_description_ignoring_case(client):
    OrganisationFactory(name="Laser Lab", description="")
    OrganisationFactory(name="Acme", description="Taglio LASER di precisione")
    OrganisationFactory(name="Unrelated", description="Formaggi")

    response = client.get(LIST_URL, {"q": "laser"})

    assert names_on(response) == ["Acme", "Laser Lab"]


def test_filters_combine(client):
    target = OrganisationFactory(
        name="Robot Milano", kind=Organisation.Kind.STARTUP, city="Milano"
    )
    target.competences.add("Robotica")
    wrong_city = OrganisationFactory(
        name="Robot Brescia", kind=Organisation.Kind.STARTUP, city="Brescia"
    )
    wrong_city.competences.add("Robotica")
    OrganisationFactory(
        name="Robot Corp", kind=Organisation.Kind.ENTERPRISE, city="Milano"
    )

    response = client.get(
        LIST_URL, {"q": "robot", "kind": "startup", "city": "Milano", "tag": "robotica"}
    )

    assert names_on(response) == ["Robot Milano"]


def test_no_match_shows_empty_state_with_a_way_to_clear_filters(client):
    OrganisationFactory(name="Acme")

    response = client.get(LIST_URL, {"q": "nothing like this"})

    html = response.content.decode()
    assert "No organisation matches these filters." in html
    assert f'<a class="button button--ghost" href="{LIST_URL}">' in html


def test_unknown_kind_is_ignored_rather_than_an_error(client):
    OrganisationFactory(name="Acme")

    response = client.get(LIST_URL, {"kind": "spaceship", "page": "x"})

    assert response.status_code == 200
    assert names_on(response) == ["Acme"]


def test_directory_is_paginated(client, settings):
    settings.DIRECTORY_PAGE_SIZE = 3
    for number in range(7):
        OrganisationFactory(name=f"Org {number}")

    first = client.get(LIST_URL)
    last = client.get(LIST_URL, {"page": 3})

    assert names_on(first) == ["Org 0", "Org 1", "Org 2"]
    assert names_on(last) == ["Org 6"]
    assert 'rel="next"' in first.content.decode()


@pytest.mark.parametrize("rows", [5, 50])
def test_directory_query_count_does_not_grow_with_rows(
    client, django_assert_max_num_queries, rows, settings
):
    settings.DIRECTORY_PAGE_SIZE = 50
    viewer = UserFactory()
    for number in range(rows):
        organisation = OrganisationFactory(city=f"City {number % 7}")
        organisation.competences.add(f"skill {number % 9}", "shared")
        AffiliationFactory(organisation=organisation)
    client.force_login(viewer)

    # Nine, the sidebar's workspaces and the navigation's moderation counts.
    with django_assert_max_num_queries(11):
        response = client.get(LIST_URL, {"city": "", "q": ""})
    assert len(response.context["organisations"]) == rows

    with django_assert_max_num_queries(11):
        response = client.get(LIST_URL, {"tag": "shared"})
    assert len(response.context["organisations"]) == rows


# --- profile page ---------------------------------------------------------------------


def test_profile_page_shows_the_organisation(client):
    organisation = OrganisationFactory(
        name="Biotech Pavia",
        kind=Organisation.Kind.RESEARCH_CENTRE,
        sector="Scienze della vita",
        size=Organisation.Size.MEDIUM,
        city="Pavia",
        region="Lombardia",
        website="https://biotech.example.it",
        description="Prima riga <script>alert(1)</script>\nSeconda riga",
    )
    organisation.competences.add("Genomica")
    organisation.interests.add("Diagnostica")
    admin = AffiliationFactory(organisation=organisation, role=Affiliation.Role.ADMIN)

    response = client.get(detail_url(organisation))

    html = response.content.decode()
    assert response.status_code == 200
    for text in (
        "Biotech Pavia",
        "Scienze della vita",
        "Pavia",
        "Genomica",
        "Diagnostica",
    ):
        assert text in html
    assert (
        '<a class="org-website" href="https://biotech.example.it" '
        'rel="nofollow noopener" target="_blank">'
    ) in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;<br>Seconda riga" in html
    assert "<script>alert(1)" not in html
    assert admin.user.name in html


@pytest.mark.parametrize("rows", [5, 50])
def test_profile_page_query_count_does_not_grow_with_members(
    client, django_assert_max_num_queries, rows, settings
):
    settings.DIRECTORY_PAGE_SIZE = 50
    organisation = OrganisationFactory()
    admin = AffiliationFactory(organisation=organisation, role=Affiliation.Role.ADMIN)
    for _ in range(rows - 1):
        AffiliationFactory(organisation=organisation)
        AffiliationFactory(organisation=organisation, state=Affiliation.State.PENDING)
    client.force_login(admin.user)

    # With the navigation's moderation counts.
    with django_assert_max_num_queries(14):
        response = client.get(detail_url(organisation))
    assert len(response.context["members"]) == rows
    assert len(response.context["pending"]) == rows - 1


def test_unknown_organisation_is_404(client):
    assert client.get("/o/no-such-org/").status_code == 404
    assert client.get("/o/no-such-org/edit/").status_code in (302, 404)


def test_anonymous_visitor_is_invited_to_log_in_to_join(client):
    organisation = OrganisationFactory()

    html = client.get(detail_url(organisation)).content.decode()

    assert reverse("account_login") in html
    assert (
        reverse("community:affiliation-request", args=[organisation.slug]) not in html
    )


# --- create ---------------------------------------------------------------------------


def test_anonymous_visitor_is_sent_to_log_in_to_create(client):
    response = client.get(CREATE_URL)

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_unverified_user_is_told_to_confirm_their_email(client):
    client.force_login(UserFactory(verified=False))

    get = client.get(CREATE_URL)
    post = client.post(CREATE_URL, valid_data())

    assert get.status_code == 403
    assert "Confirm your email address first" in get.content.decode()
    assert post.status_code == 403
    assert not Organisation.objects.exists()


def test_verified_user_creates_an_organisation_and_becomes_its_admin(client, user):
    client.force_login(user)

    assert client.get(CREATE_URL).status_code == 200
    response = client.post(CREATE_URL, valid_data())

    organisation = Organisation.objects.get()
    assert response.status_code == 302
    assert response.url == detail_url(organisation)
    assert organisation.slug == "officine-brianza"
    assert organisation.created_by == user
    assert sorted(t.name for t in organisation.competences.all()) == [
        "Robotica",
        "visione artificiale",
    ]
    assert [t.name for t in organisation.interests.all()] == ["economia circolare"]
    affiliation = Affiliation.objects.get(user=user)
    assert (affiliation.organisation, affiliation.role, affiliation.state) == (
        organisation,
        Affiliation.Role.ADMIN,
        Affiliation.State.ACTIVE,
    )
    user.refresh_from_db()
    assert user.organisation == organisation
    page = client.get(response.url).content.decode()
    assert "is on Crocevia, and you are its administrator" in page
    assert reverse("community:organisation-edit", args=[organisation.slug]) in page
    assert event_types(f"organisation:{organisation.pk}") == [
        "organisation.created",
        "affiliation.approved",
    ]
    assert event_types(f"user:{user.pk}") == ["affiliation.approved"]


def test_taken_name_is_refused_whatever_its_case(client, user):
    OrganisationFactory(name="Officine Brianza")
    client.force_login(user)

    response = client.post(CREATE_URL, valid_data(name="officine BRIANZA"))

    assert response.status_code == 200
    assert "An organisation called “officine BRIANZA” already exists." in (
        response.content.decode()
    )
    assert Organisation.objects.count() == 1


def test_missing_name_and_bad_website_are_field_errors(client, user):
    client.force_login(user)

    response = client.post(CREATE_URL, valid_data(name="  ", website="not a url"))

    assert response.status_code == 200
    form = response.context["form"]
    assert "name" in form.errors and "website" in form.errors
    assert not Organisation.objects.exists()


def test_slugs_stay_unique_and_avoid_reserved_words(client, user):
    client.force_login(user)
    OrganisationFactory(name="Acme Srl", slug="acme-srl")
    OrganisationFactory(name="Acme S.r.l.", slug="acme-srl-2")

    client.post(CREATE_URL, valid_data(name="ACME srl!"))
    assert Organisation.objects.filter(slug="acme-srl-3").exists()

    other = UserFactory()
    client.force_login(other)
    client.post(CREATE_URL, valid_data(name="New"))
    organisation = Organisation.objects.get(name="New")
    assert organisation.slug == "new-2"
    assert client.get(detail_url(organisation)).status_code == 200


def test_tags_are_comma_separated_and_reuse_existing_tags_in_any_case(client, user):
    OrganisationFactory().competences.add("Robotica")
    client.force_login(user)

    client.post(
        CREATE_URL,
        valid_data(
            competences=" robotica ,  machine   learning,,ROBOTICA", interests=""
        ),
    )

    organisation = Organisation.objects.get(name="Officine Brianza")
    assert sorted(t.name for t in organisation.competences.all()) == [
        "Robotica",
        "machine learning",
    ]


def test_too_many_tags_is_a_field_error(client, user):
    client.force_login(user)

    response = client.post(
        CREATE_URL, valid_data(competences=",".join(f"t{n}" for n in range(25)))
    )

    assert "competences" in response.context["form"].errors
    assert not Organisation.objects.exists()


def test_creating_too_many_organisations_is_rate_limited(client, user, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "organisation": (1, 3600)}
    client.force_login(user)
    client.post(CREATE_URL, valid_data(name="First"))
    # Make room to move: another admin keeps the first organisation running.
    AffiliationFactory(
        organisation=Organisation.objects.get(name="First"), role=Affiliation.Role.ADMIN
    )

    response = client.post(CREATE_URL, valid_data(name="Second"))

    assert response.status_code == 200
    assert "You are doing that too often" in response.content.decode()
    assert not Organisation.objects.filter(name="Second").exists()


def test_creator_already_in_an_organisation_moves_to_the_new_one(client, user):
    old = OrganisationFactory(name="Old Employer")
    AffiliationFactory(user=user, organisation=old)
    user.organisation = old
    user.save()
    client.force_login(user)

    client.post(CREATE_URL, valid_data())

    new = Organisation.objects.get(name="Officine Brianza")
    user.refresh_from_db()
    assert user.organisation == new
    assert list(
        Affiliation.objects.filter(user=user).values_list("organisation", flat=True)
    ) == [new.pk]
    assert event_types(f"organisation:{old.pk}") == ["affiliation.left"]


def test_last_admin_of_another_organisation_cannot_create_one(client, user):
    old = OrganisationFactory(name="Old Employer")
    AffiliationFactory(user=user, organisation=old, role=Affiliation.Role.ADMIN)
    client.force_login(user)

    response = client.post(CREATE_URL, valid_data())

    assert response.status_code == 200
    assert "You are the only administrator of Old Employer" in response.content.decode()
    assert not Organisation.objects.filter(name="Officine Brianza").exists()


# --- edit -----------------------------------------------------------------------------


def _viewer(role, organisation):
    if role == "anonymous":
        return None
    if role == "staff":
        return UserFactory(is_staff=True)
    person = UserFactory()
    if role == "member":
        AffiliationFactory(user=person, organisation=organisation)
    elif role == "admin":
        AffiliationFactory(
            user=person, organisation=organisation, role=Affiliation.Role.ADMIN
        )
    elif role == "pending":
        AffiliationFactory(
            user=person, organisation=organisation, state=Affiliation.State.PENDING
        )
    return person


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("anonymous", 302),
        ("stranger", 403),
        ("pending", 403),
        ("member", 403),
        ("admin", 200),
        ("staff", 200),
    ],
)
def test_edit_permission_matrix(client, role, status):
    organisation = OrganisationFactory(name="Acme")
    viewer = _viewer(role, organisation)
    if viewer:
        client.force_login(viewer)

    get = client.get(edit_url(organisation))
    post = client.post(edit_url(organisation), valid_data(name="Renamed"))

    assert get.status_code == status
    if role == "anonymous":
        assert get.url.startswith(reverse("account_login"))
    organisation.refresh_from_db()
    if status == 200:
        assert post.status_code == 302
        assert organisation.name == "Renamed"
    else:
        assert post.status_code == status
        assert organisation.name == "Acme"


def test_edit_link_is_shown_only_to_those_who_may_edit(client):
    organisation = OrganisationFactory()
    member = _viewer("member", organisation)
    admin = _viewer("admin", organisation)
    link = edit_url(organisation)

    client.force_login(member)
    assert link not in client.get(detail_url(organisation)).content.decode()
    client.force_login(admin)
    assert link in client.get(detail_url(organisation)).content.decode()


def test_admin_edits_profile_slug_stays_and_event_is_recorded(client):
    organisation = OrganisationFactory(name="Acme", slug="acme")
    organisation.competences.add("Old")
    admin = _viewer("admin", organisation)
    client.force_login(admin)

    form = client.get(edit_url(organisation)).context["form"]
    assert form.initial["competences"] == "Old"
    response = client.post(
        edit_url(organisation), valid_data(name="Acme Italia", competences="New, Newer")
    )

    organisation.refresh_from_db()
    assert response.url == "/o/acme/"
    assert organisation.name == "Acme Italia"
    assert sorted(t.name for t in organisation.competences.all()) == ["New", "Newer"]
    assert event_types(f"organisation:{organisation.pk}") == ["organisation.updated"]


def test_renaming_to_a_taken_name_is_a_form_error(client):
    OrganisationFactory(name="Taken")
    organisation = OrganisationFactory(name="Mine")
    client.force_login(_viewer("admin", organisation))

    response = client.post(edit_url(organisation), valid_data(name="TAKEN"))

    assert response.status_code == 200
    assert "already exists" in response.content.decode()
    organisation.refresh_from_db()
    assert organisation.name == "Mine"
    assert "<h1>Edit Mine</h1>" in response.content.decode()


def test_the_province_is_chosen_from_lombardys_and_shown(client, user):
    client.force_login(user)

    refused = client.post(CREATE_URL, {**valid_data(), "province": "RM"})
    assert refused.status_code == 200
    assert not Organisation.objects.exists()
    response = client.post(CREATE_URL, {**valid_data(), "province": "MB"})

    organisation = Organisation.objects.get()
    assert organisation.province == "MB"
    assert "Monza e Brianza" in client.get(response.url).content.decode()
