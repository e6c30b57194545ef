"""Affiliations: asking to join an organisation, approving, declining, leaving, roles."""

import pytest
from django.urls import reverse

from community.models import Affiliation
from live.models import Event
from tests.support.factories import AffiliationFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

ADMIN = Affiliation.Role.ADMIN
MEMBER = Affiliation.Role.MEMBER
PENDING = Affiliation.State.PENDING
ACTIVE = Affiliation.State.ACTIVE
DECLINED = Affiliation.State.DECLINED


@pytest.fixture(autouse=True)
def english(client, settings):
    """Assert on English text whatever the default interface language."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def organisation(db):
    return OrganisationFactory(name="Officine Brianza", slug="officine-brianza")


@pytest.fixture
def admin(organisation):
    return AffiliationFactory(organisation=organisation, role=ADMIN).user


def url(name, organisation, *args):
    return reverse(f"community:{name}", args=[organisation.slug, *args])


def detail(client, organisation):
    return client.get(url("organisation-detail", organisation)).content.decode()


def event_types(stream):
    return list(Event.objects.filter(stream=stream).values_list("type", flat=True))


def request_to_join(client, person, organisation, message=""):
    client.force_login(person)
    return client.post(url("affiliation-request", organisation), {"message": message})


# --- asking ---------------------------------------------------------------------------


def test_verified_user_asks_to_join_and_waits(client, user, organisation):
    client.force_login(user)
    assert url("affiliation-request", organisation) in detail(client, organisation)

    response = request_to_join(client, user, organisation, "Lavoro qui dal 2019.")

    assert response.status_code == 302
    affiliation = Affiliation.objects.get(user=user)
    assert (affiliation.state, affiliation.role, affiliation.message) == (
        PENDING,
        MEMBER,
        "Lavoro qui dal 2019.",
    )
    page = detail(client, organisation)
    assert "Your request has been sent to the administrators" in page
    assert "waiting for an administrator" in page
    assert url("affiliation-request", organisation) not in page
    assert event_types(f"organisation:{organisation.pk}") == ["affiliation.requested"]
    assert event_types(f"user:{user.pk}") == ["affiliation.requested"]


def test_asking_twice_keeps_one_request_and_says_so(client, user, organisation):
    request_to_join(client, user, organisation)
    response = request_to_join(client, user, organisation)

    assert Affiliation.objects.filter(user=user).count() == 1
    page = client.get(response.url).content.decode()
    assert "Your request is already waiting for approval." in page


def test_unverified_user_may_not_ask_and_is_told_why(client, organisation):
    person = UserFactory(verified=False)
    client.force_login(person)

    page = detail(client, organisation)
    response = client.post(url("affiliation-request", organisation))

    assert "Confirm your email address to ask to join" in page
    assert response.status_code == 403
    assert not Affiliation.objects.exists()


def test_anonymous_visitor_is_sent_to_log_in(client, organisation):
    response = client.post(url("affiliation-request", organisation))

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_overlong_message_is_refused(client, user, organisation):
    response = request_to_join(client, user, organisation, "x" * 501)

    assert not Affiliation.objects.exists()
    assert "at most 500 characters" in client.get(response.url).content.decode()


def test_join_actions_are_post_only(client, user, organisation):
    client.force_login(user)
    for name, args in (
        ("affiliation-request", ()),
        ("organisation-leave", ()),
        ("affiliation-decide", (1,)),
        ("affiliation-role", (1,)),
    ):
        assert client.get(url(name, organisation, *args)).status_code == 405


# --- deciding -------------------------------------------------------------------------


def test_admin_sees_pending_requests_others_do_not(client, user, organisation, admin):
    request_to_join(client, user, organisation, "Reparto R&D")
    pending = Affiliation.objects.get(user=user)
    decide = url("affiliation-decide", organisation, pending.pk)

    client.force_login(admin)
    admin_page = detail(client, organisation)
    client.force_login(AffiliationFactory(organisation=organisation).user)
    member_page = detail(client, organisation)

    assert "Requests to join" in admin_page and decide in admin_page
    assert "Reparto R&amp;D" in admin_page
    assert "Requests to join" not in member_page and decide not in member_page


def test_approved_person_shows_the_organisation_next_to_their_name(
    client, user, organisation, admin
):
    request_to_join(client, user, organisation)
    pending = Affiliation.objects.get(user=user)
    client.force_login(admin)

    response = client.post(
        url("affiliation-decide", organisation, pending.pk), {"decision": "approve"}
    )

    assert response.status_code == 302
    pending.refresh_from_db()
    user.refresh_from_db()
    assert pending.state == ACTIVE and pending.decided_by == admin
    assert user.organisation == organisation
    page = client.get(response.url).content.decode()
    assert f"{user.name} is now a member of Officine Brianza." in page
    assert user.name in page  # the member list
    profile = client.get(reverse("community:profile", args=[user.username]))
    assert (
        'href="/o/officine-brianza/">Officine Brianza</a>' in profile.content.decode()
    )
    assert event_types(f"organisation:{organisation.pk}") == [
        "affiliation.requested",
        "affiliation.approved",
    ]
    assert event_types(f"user:{user.pk}") == [
        "affiliation.requested",
        "affiliation.approved",
    ]
    event = Event.objects.get(stream=f"user:{user.pk}", type="affiliation.approved")
    assert event.actor == admin
    assert event.payload["user"]["organisation"] == "Officine Brianza"


def test_approval_moves_a_person_from_their_previous_organisation(
    client, user, organisation, admin
):
    previous = OrganisationFactory(name="Old Employer")
    AffiliationFactory(user=user, organisation=previous)
    user.organisation = previous
    user.save()
    client.force_login(user)
    assert "replaces Old Employer next to your name" in detail(client, organisation)
    request_to_join(client, user, organisation)
    client.force_login(admin)

    client.post(
        url(
            "affiliation-decide",
            organisation,
            Affiliation.objects.get(user=user, organisation=organisation).pk,
        ),
        {"decision": "approve"},
    )

    user.refresh_from_db()
    assert user.organisation == organisation
    assert list(
        Affiliation.objects.filter(user=user).values_list("organisation", "state")
    ) == [(organisation.pk, ACTIVE)]
    assert event_types(f"organisation:{previous.pk}") == ["affiliation.left"]
    members = client.get(url("organisation-detail", previous)).context["members"]
    assert user not in [affiliation.user for affiliation in members]


def test_last_admin_elsewhere_cannot_be_moved_by_approval(
    client, user, organisation, admin
):
    previous = OrganisationFactory(name="Old Employer")
    AffiliationFactory(organisation=previous)
    pending = AffiliationFactory(user=user, organisation=organisation, state=PENDING)
    AffiliationFactory(user=user, organisation=previous, role=ADMIN)
    client.force_login(admin)

    response = client.post(
        url("affiliation-decide", organisation, pending.pk), {"decision": "approve"}
    )

    pending.refresh_from_db()
    assert pending.state == PENDING
    assert (
        "is the only administrator of Old Employer"
        in client.get(response.url).content.decode()
    )


def test_declined_person_may_ask_again(client, user, organisation, admin):
    request_to_join(client, user, organisation)
    pending = Affiliation.objects.get(user=user)
    client.force_login(admin)

    response = client.post(
        url("affiliation-decide", organisation, pending.pk), {"decision": "decline"}
    )

    pending.refresh_from_db()
    user.refresh_from_db()
    assert pending.state == DECLINED and user.organisation is None
    assert "has been declined" in client.get(response.url).content.decode()
    assert event_types(f"user:{user.pk}")[-1] == "affiliation.declined"
    client.force_login(user)
    page = detail(client, organisation)
    assert "Your last request to join was declined" in page
    assert url("affiliation-request", organisation) in page
    request_to_join(client, user, organisation, "Second try")
    pending.refresh_from_db()
    assert (pending.state, pending.message, pending.decided_by) == (
        PENDING,
        "Second try",
        None,
    )


def test_a_decided_request_cannot_be_decided_again(client, organisation, admin):
    affiliation = AffiliationFactory(organisation=organisation, state=DECLINED)
    client.force_login(admin)

    response = client.post(
        url("affiliation-decide", organisation, affiliation.pk), {"decision": "approve"}
    )

    affiliation.refresh_from_db()
    assert affiliation.state == DECLINED
    assert "already been decided" in client.get(response.url).content.decode()


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("anonymous", 302),
        ("stranger", 403),
        ("pending", 403),
        ("member", 403),
        ("admin", 302),
        ("staff", 302),
    ],
)
def test_decide_permission_matrix(client, organisation, role, status):
    pending = AffiliationFactory(organisation=organisation, state=PENDING)
    viewer = None
    if role == "staff":
        viewer = UserFactory(is_staff=True)
    elif role != "anonymous":
        viewer = UserFactory()
        states = {"pending": (PENDING, MEMBER), "member": (ACTIVE, MEMBER)}
        states["admin"] = (ACTIVE, ADMIN)
        if role in states:
            state, affiliation_role = states[role]
            AffiliationFactory(
                user=viewer,
                organisation=organisation,
                state=state,
                role=affiliation_role,
            )
    if viewer:
        client.force_login(viewer)

    response = client.post(
        url("affiliation-decide", organisation, pending.pk), {"decision": "approve"}
    )

    assert response.status_code == status
    pending.refresh_from_db()
    expected = ACTIVE if role in ("admin", "staff") else PENDING
    assert pending.state == expected
    if role == "anonymous":
        assert response.url.startswith(reverse("account_login"))


def test_deciding_an_unknown_or_foreign_request_is_404(client, organisation, admin):
    elsewhere = AffiliationFactory(state=PENDING)
    client.force_login(admin)

    missing = client.post(
        url("affiliation-decide", organisation, 999999), {"decision": "approve"}
    )
    foreign = client.post(
        url("affiliation-decide", organisation, elsewhere.pk), {"decision": "approve"}
    )

    assert missing.status_code == 404
    assert foreign.status_code == 404
    elsewhere.refresh_from_db()
    assert elsewhere.state == PENDING


def test_unknown_decision_is_a_bad_request(client, organisation, admin):
    pending = AffiliationFactory(organisation=organisation, state=PENDING)
    client.force_login(admin)

    response = client.post(
        url("affiliation-decide", organisation, pending.pk), {"decision": "maybe"}
    )

    assert response.status_code == 400
    pending.refresh_from_db()
    assert pending.state == PENDING


# --- leaving --------------------------------------------------------------------------


def test_member_leaves_and_the_organisation_disappears_from_their_name(
    client, organisation, admin
):
    member = AffiliationFactory(organisation=organisation).user
    member.organisation = organisation
    member.save()
    client.force_login(member)
    assert url("organisation-leave", organisation) in detail(client, organisation)

    response = client.post(url("organisation-leave", organisation))

    member.refresh_from_db()
    assert member.organisation is None
    assert not Affiliation.objects.filter(user=member).exists()
    assert (
        "You have left Officine Brianza." in client.get(response.url).content.decode()
    )
    assert event_types(f"organisation:{organisation.pk}") == ["affiliation.left"]
    assert event_types(f"user:{member.pk}") == ["affiliation.left"]
    # They may ask to join again later.
    assert url("affiliation-request", organisation) in detail(client, organisation)


def test_last_admin_cannot_leave(client, organisation, admin):
    client.force_login(admin)
    page = detail(client, organisation)
    assert "You are the only administrator of this organisation" in page

    response = client.post(url("organisation-leave", organisation))

    assert Affiliation.objects.get(user=admin).role == ADMIN
    assert (
        "make another member administrator before leaving"
        in client.get(response.url).content.decode()
    )
    assert event_types(f"organisation:{organisation.pk}") == []


def test_pending_request_can_be_withdrawn(client, user, organisation):
    request_to_join(client, user, organisation)

    response = client.post(url("organisation-leave", organisation))

    assert not Affiliation.objects.filter(user=user).exists()
    assert "has been withdrawn" in client.get(response.url).content.decode()
    assert event_types(f"user:{user.pk}") == [
        "affiliation.requested",
        "affiliation.withdrawn",
    ]


def test_stranger_cannot_leave_an_organisation_they_are_not_in(
    client, user, organisation
):
    client.force_login(user)

    assert client.post(url("organisation-leave", organisation)).status_code == 403


# --- roles ----------------------------------------------------------------------------


def test_admin_names_another_admin_and_can_then_leave(client, organisation, admin):
    member = AffiliationFactory(organisation=organisation)
    client.force_login(admin)
    assert "Make administrator" in detail(client, organisation)

    client.post(url("affiliation-role", organisation, member.pk), {"role": "admin"})

    member.refresh_from_db()
    assert member.role == ADMIN
    assert event_types(f"user:{member.user_id}") == ["affiliation.role_changed"]
    response = client.post(url("organisation-leave", organisation))
    assert "You have left" in client.get(response.url).content.decode()
    assert not Affiliation.objects.filter(user=admin).exists()


def test_last_admin_cannot_be_demoted(client, organisation, admin):
    mine = Affiliation.objects.get(user=admin)
    client.force_login(admin)
    assert "Remove administrator role" not in detail(client, organisation)

    response = client.post(
        url("affiliation-role", organisation, mine.pk), {"role": "member"}
    )

    mine.refresh_from_db()
    assert mine.role == ADMIN
    assert (
        "needs at least one administrator" in client.get(response.url).content.decode()
    )


def test_admin_demotes_another_admin(client, organisation, admin):
    other = AffiliationFactory(organisation=organisation, role=ADMIN)
    client.force_login(admin)
    assert "Remove administrator role" in detail(client, organisation)

    client.post(url("affiliation-role", organisation, other.pk), {"role": "member"})

    other.refresh_from_db()
    assert other.role == MEMBER


def test_members_cannot_change_roles(client, organisation, admin):
    member = AffiliationFactory(organisation=organisation)
    client.force_login(member.user)

    response = client.post(
        url("affiliation-role", organisation, member.pk), {"role": "admin"}
    )

    assert response.status_code == 403
    assert "Make administrator" not in detail(client, organisation)
    member.refresh_from_db()
    assert member.role == MEMBER
