"""A challenge tied to a thematic community: its page names the community, the
community's page lists its open challenges, and the list filters by it — never naming
a community its reader may not know of, never naming an anonymous seeker."""

import pytest
from django.urls import reverse
from django.utils import timezone

from community.models import Community, Membership
from innovation.models import Challenge
from tests.innovation.factories_desk import ChallengeFactory, person_of
from tests.support.factories import (
    CommunityFactory,
    MembershipFactory,
    OrganisationFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

LIST = reverse("innovation:challenge-list")


def open_challenge(community, **fields):
    fields.setdefault("status", Challenge.Status.OPEN)
    return ChallengeFactory(community=community, published_at=timezone.now(), **fields)


def test_the_community_page_lists_its_open_challenges(client):
    community = CommunityFactory(name="Manifattura", slug="manifattura")
    named = open_challenge(community, title="Gripper for glass")
    seeker = OrganisationFactory(name="Vetreria Segreta", sector="Vetro", size="small")
    open_challenge(
        community, title="Anonymous coating", anonymous=True, organisation=seeker
    )
    ChallengeFactory(community=community, title="Still a draft", status="draft")
    open_challenge(CommunityFactory(), title="Elsewhere")

    html = client.get(community.get_absolute_url()).content.decode()
    panel = html.split('class="community-challenges"')[1].split("</section>")[0]
    assert "Gripper for glass" in panel and named.organisation.name in panel
    assert "Anonymous coating" in panel and "Vetreria Segreta" not in html
    assert "Still a draft" not in panel and "Elsewhere" not in panel

    # Beyond five, the panel links to the list filtered by the community.
    for number in range(5):
        open_challenge(community, title=f"More {number}")
    html = client.get(community.get_absolute_url()).content.decode()
    assert f"{LIST}?community=manifattura" in html and "All 7 open challenges" in html
    listed = client.get(LIST, {"community": "manifattura"}).content.decode()
    assert "Gripper for glass" in listed and "Elsewhere" not in listed
    assert "7 open challenges" in listed


def test_no_panel_without_open_challenges(client):
    community = CommunityFactory()
    ChallengeFactory(community=community, status="draft")
    assert (
        "community-challenges"
        not in client.get(community.get_absolute_url()).content.decode()
    )


def test_a_private_community_is_named_only_to_its_members(client):
    private = CommunityFactory(
        name="Consorzio Riservato", slug="riservato", visibility="private"
    )
    challenge = open_challenge(private, title="Hydrogen valves")
    member = person_of(OrganisationFactory())
    MembershipFactory(user=member, community=private, state=Membership.State.ACTIVE)
    stranger = person_of(OrganisationFactory())

    client.force_login(stranger)
    page = client.get(challenge.get_absolute_url()).content.decode()
    assert "Hydrogen valves" in page and "Consorzio Riservato" not in page
    # Filtering by it is refused with the field's error, and lists nothing of it.
    listed = client.get(LIST, {"community": "riservato"}).content.decode()
    assert "Select a valid choice" in listed and "Consorzio Riservato" not in listed

    client.force_login(member)
    page = client.get(challenge.get_absolute_url()).content.decode()
    assert "In the community" in page and "Consorzio Riservato" in page
    listed = client.get(LIST, {"community": "riservato"}).content.decode()
    assert "Hydrogen valves" in listed and "Select a valid choice" not in listed
    assert Community.objects.get(slug="riservato").challenges.count() == 1


def test_a_challenge_ties_only_to_a_thematic_community():
    from django.core.exceptions import ValidationError

    from innovation.services import challenges

    organisation = OrganisationFactory()
    person = person_of(organisation)
    workspace = CommunityFactory(kind=Community.Kind.WORKSPACE, visibility="private")
    MembershipFactory(user=person, community=workspace)
    with pytest.raises(ValidationError) as refused:
        challenges.challenge_create(
            actor=person, title="Valves", summary="Tight valves.", community=workspace
        )
    assert "Choose a community you can see." in str(refused.value)
    assert not Challenge.objects.exists()


def test_the_panel_costs_the_same_queries_for_one_or_many_challenges(
    client, django_assert_max_num_queries
):
    community = CommunityFactory()
    open_challenge(community)
    with django_assert_max_num_queries(9) as one:
        client.get(community.get_absolute_url())
    for _number in range(8):
        open_challenge(community)
    with django_assert_max_num_queries(len(one.captured_queries) + 1):  # the count
        client.get(community.get_absolute_url())
