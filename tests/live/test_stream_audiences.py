"""Each event on a stream is visible to exactly the readers who could see the same fact
on a page: community streams carry the member list, moderation streams the requests,
invitations and sanctions, a person's stream their own news."""

import json
from datetime import timedelta

import pytest
from asgiref.sync import sync_to_async
from django.utils import timezone

from community.models import Membership
from community.services import memberships, moderation, organisations
from tests.community.thread_helpers import community_with_thread
from tests.live.sockets import connect, subscribe
from tests.support.factories import UserFactory
from tests.support.roles import member_of

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


def _a_busy_public_community():
    """Joins, a request, an invitation, a decline, a ban and a mute in a public community."""
    community, owner, _thread = community_with_thread()
    joiner = UserFactory(display_name="Giulia Aperta")
    memberships.community_join(actor=joiner, community=community)
    invitee = UserFactory(display_name="Ines Invitata")
    memberships.membership_invite(actor=owner, community=community, invitee=invitee)
    memberships.membership_invitation_decline(actor=invitee, community=community)
    rebel = UserFactory(display_name="Bruno Bandito")
    memberships.community_join(actor=rebel, community=community)
    muted = member_of(community)
    moderation.membership_mute(
        actor=owner,
        membership=Membership.objects.get(user=muted, community=community),
        until=timezone.now() + timedelta(hours=1),
    )
    moderation.membership_ban(
        actor=owner, membership=Membership.objects.get(user=rebel, community=community)
    )
    return community, owner, joiner


@pytest.mark.parametrize("reader", ["anonymous", "outsider", "member"])
async def test_readers_of_a_community_replay_its_member_list_not_its_moderation(reader):
    community, _owner, joiner = await sync_to_async(_a_busy_public_community)()
    person = None
    if reader == "outsider":
        person = await sync_to_async(UserFactory)()
    elif reader == "member":
        person = joiner
    socket = await connect(person)
    received = await subscribe(socket, f"community:{community.pk}", after=0)
    await socket.disconnect()

    text = json.dumps(received, ensure_ascii=False)
    assert "Ines Invitata" not in text
    types = [f["type"] for f in received if f["op"] == "event"]
    assert not {"member.invited", "member.invitation_declined", "member.banned", "member.muted"} & set(types)
    # The member list's changes are public where the member list is.
    joined = [f["data"]["user"]["name"] for f in received if f.get("type") == "member.joined"]
    assert joined == ["Giulia Aperta", "Bruno Bandito"]
    left = [f["data"] for f in received if f.get("type") == "member.left"]
    assert [d["user"]["name"] for d in left] == ["Bruno Bandito"]
    assert all("state" not in d for d in left), "why they left is not the readers' business"


@pytest.mark.parametrize(
    "role, allowed",
    [("anonymous", False), ("outsider", False), ("member", False), ("moderator", True), ("owner", True), ("staff", True)],
)
async def test_the_moderation_stream_is_for_moderators(role, allowed):
    community, owner, _joiner = await sync_to_async(_a_busy_public_community)()
    person = {
        "anonymous": None,
        "owner": owner,
    }.get(role)
    if role == "outsider":
        person = await sync_to_async(UserFactory)()
    elif role == "staff":
        person = await sync_to_async(UserFactory)(is_staff=True)
    elif role in ("member", "moderator"):
        person = await sync_to_async(member_of)(community, role)
    socket = await connect(person)
    received = await subscribe(socket, f"moderation:{community.pk}", after=0)
    await socket.disconnect()

    if not allowed:
        assert [(f["op"], f["code"]) for f in received] == [("error", "not_found")]
        return
    types = [f["type"] for f in received if f["op"] == "event"]
    assert {"member.invited", "member.invitation_declined", "member.banned", "member.muted"} <= set(types)
    assert "Ines Invitata" in json.dumps(received, ensure_ascii=False)


async def test_a_demoted_moderator_loses_the_moderation_stream_at_once():
    community, owner, _thread = await sync_to_async(community_with_thread)()
    moderator = await sync_to_async(member_of)(community, "moderator")
    stream = f"moderation:{community.pk}"
    socket = await connect(moderator)
    assert (await subscribe(socket, stream))[0]["op"] == "subscribed"

    membership = await sync_to_async(
        Membership.objects.select_related("user", "community").get
    )(user=moderator, community=community)
    await sync_to_async(memberships.membership_set_role)(actor=owner, membership=membership, role="member")
    newcomer = await sync_to_async(UserFactory)()
    await sync_to_async(memberships.membership_invite)(actor=owner, community=community, invitee=newcomer)
    received = []
    while not await socket.receive_nothing(timeout=0.3):
        received.append(await socket.receive_json_from())
    await socket.disconnect()

    assert {"op": "error", "code": "not_found", "ref": stream}.items() <= received[-1].items()
    assert "member.invited" not in [f.get("type") for f in received]


def _organisation_with_two_admins():
    from community.models import Affiliation
    from tests.support.factories import AffiliationFactory, OrganisationFactory

    organisation = OrganisationFactory()
    first, second = (
        AffiliationFactory(organisation=organisation, role=Affiliation.Role.ADMIN)
        for _ in range(2)
    )
    member = AffiliationFactory(organisation=organisation)
    return organisation, first, second, member


@pytest.mark.parametrize("role, allowed", [("anonymous", False), ("outsider", False), ("member", False), ("admin", True), ("staff", True)])
async def test_organisation_streams_are_for_its_admins(role, allowed):
    organisation, admin, _second, member = await sync_to_async(_organisation_with_two_admins)()
    person = {"admin": admin.user, "member": member.user}.get(role)
    if role == "outsider":
        person = await sync_to_async(UserFactory)()
    elif role == "staff":
        person = await sync_to_async(UserFactory)(is_staff=True)
    requester = await sync_to_async(UserFactory)(display_name="Rita Richiedente")
    await sync_to_async(organisations.affiliation_request)(actor=requester, organisation=organisation)

    socket = await connect(person)
    received = await subscribe(socket, f"organisation:{organisation.pk}", after=0)
    await socket.disconnect()

    if not allowed:
        assert [(f["op"], f["code"]) for f in received] == [("error", "not_found")]
        return
    assert [f["type"] for f in received if f["op"] == "event"] == ["affiliation.requested"]
    assert "Rita Richiedente" in json.dumps(received, ensure_ascii=False)


async def test_an_organisation_admin_demoted_loses_its_stream_at_once():
    from community.models import Affiliation

    organisation, admin, second, _member = await sync_to_async(_organisation_with_two_admins)()
    stream = f"organisation:{organisation.pk}"
    socket = await connect(admin.user)
    assert (await subscribe(socket, stream))[0]["op"] == "subscribed"

    row = await sync_to_async(Affiliation.objects.select_related("user", "organisation").get)(pk=admin.pk)
    await sync_to_async(organisations.affiliation_set_role)(
        actor=second.user, affiliation=row, role=Affiliation.Role.MEMBER
    )
    received = []
    while not await socket.receive_nothing(timeout=0.3):
        received.append(await socket.receive_json_from())
    await socket.disconnect()

    assert {"op": "error", "code": "not_found", "ref": stream}.items() <= received[-1].items()
