"""The permission matrix of the workspace pages, actions and stream over the roles of
`workspace_roles`: non-participants get 404 everywhere, outcomes are checked."""

import pytest
from asgiref.sync import sync_to_async
from django.urls import reverse

from community.models import Membership
from tests.live.sockets import connect, subscribe
from tests.support.workspaces import (
    LEADS,
    ROLES,
    SEES,
    make_workspace,
    workspace_roles,
)
from workspaces.models import Participant, Partner, StageChange, Workspace
from workspaces.services import people, workspaces

pytestmark = pytest.mark.django_db


@pytest.fixture
def workspace():
    return make_workspace(name="Progetto Riservato")


PAGES = ("workspace-detail", "people", "workspace-activity")


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("role", ROLES)
def test_pages_show_the_workspace_only_to_participants_and_staff(
    client, workspace, roles, role, page
):
    client.force_login(getattr(roles, role))

    response = client.get(reverse(f"workspaces:{page}", args=[workspace.pk]))

    if role in SEES:
        assert response.status_code == 200
        assert "Progetto Riservato" in response.content.decode()
    else:
        assert response.status_code == 404
        assert "Progetto Riservato" not in response.content.decode()


@pytest.mark.parametrize("page", PAGES)
def test_visitors_get_404_too(client, workspace, page):
    response = client.get(reverse(f"workspaces:{page}", args=[workspace.pk]))

    assert response.status_code == 404


def _workspace_urls(workspace_id):
    """Every URL of a workspace (its other ids 1), from the app's own URL list."""
    from workspaces.urls import urlpatterns

    for pattern in urlpatterns:
        route = str(pattern.pattern)
        if "<int:workspace_id>" not in route:
            continue
        kwargs = {
            name: workspace_id if name == "workspace_id" else 1
            for name in pattern.pattern.converters
        }
        yield reverse(f"workspaces:{pattern.name}", kwargs=kwargs)


def test_visitors_get_on_every_workspace_url_what_a_missing_workspace_answers(
    client, workspace
):
    missing = workspace.pk + 1000
    urls = list(
        zip(_workspace_urls(workspace.pk), _workspace_urls(missing), strict=True)
    )
    assert len(urls) > 25
    for url, nowhere in urls:
        for method in (client.get, client.post):
            response, expected = method(url), method(nowhere)
            # 404, or 405 for a method the URL never takes: never a sign-in page.
            assert response.status_code == expected.status_code, url
            assert response.status_code in (404, 405), url


@pytest.mark.parametrize("role", ROLES)
def test_only_leads_change_the_stage(client, workspace, roles, role):
    client.force_login(getattr(roles, role))

    response = client.post(
        reverse("workspaces:workspace-stage", args=[workspace.pk]),
        {"stage": "agreement"},
    )

    workspace.refresh_from_db()
    if role in LEADS:
        assert response.status_code == 302
        assert workspace.stage == "agreement"
        change = StageChange.objects.filter(workspace=workspace).latest("changed_at")
        assert (change.from_stage, change.to_stage, change.changed_by) == (
            "exploration",
            "agreement",
            roles.lead,
        )
    else:
        assert response.status_code == (403 if role in SEES else 404)
        assert workspace.stage == "exploration"


@pytest.mark.parametrize("role", ROLES)
def test_only_leads_remove_people(client, workspace, roles, role):
    client.force_login(getattr(roles, role))
    target = Participant.objects.get(workspace=workspace, user=roles.member)

    response = client.post(
        reverse("workspaces:participant-remove", args=[workspace.pk, target.pk])
    )

    still_there = Participant.objects.filter(pk=target.pk).exists()
    if role in LEADS:
        assert response.status_code == 302
        assert not still_there
        assert not Membership.objects.filter(
            community=workspace.community, user=roles.member
        ).exists()
    else:
        assert response.status_code == (403 if role in SEES else 404)
        assert still_there


@pytest.mark.parametrize("role", ROLES)
def test_only_leads_archive(client, workspace, roles, role):
    client.force_login(getattr(roles, role))

    response = client.post(reverse("workspaces:workspace-archive", args=[workspace.pk]))

    archived = Workspace.objects.get(pk=workspace.pk).is_archived
    assert archived == (role in LEADS)
    if role not in SEES:
        assert response.status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_only_leads_invite(client, workspace, roles, role):
    client.force_login(getattr(roles, role))

    response = client.post(
        reverse("workspaces:invitation-create", args=[workspace.pk]),
        {
            "who": roles.partner_colleague.username,
            "role": "member",
            "partner_role": "partner",
        },
    )

    invited = workspace.invitations.filter(invitee=roles.partner_colleague).exists()
    assert invited == (role in LEADS)
    if role not in SEES:
        assert response.status_code == 404
    elif role not in LEADS:
        assert response.status_code == 403


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
@pytest.mark.parametrize("role", ROLES)
async def test_stream_follows_the_same_rule(role):
    workspace = await sync_to_async(make_workspace)()
    roles = await sync_to_async(workspace_roles)(workspace)
    socket = await connect(getattr(roles, role))
    try:
        replies = await subscribe(socket, workspace.stream)
    finally:
        await socket.disconnect()

    first = replies[0]
    if role in SEES:
        assert first["op"] == "subscribed"
    else:
        assert (first["op"], first["code"]) == ("error", "not_found")


@pytest.mark.parametrize("role", ROLES)
def test_only_leads_change_roles(client, workspace, roles, role):
    client.force_login(getattr(roles, role))
    target = Participant.objects.get(workspace=workspace, user=roles.guest)

    response = client.post(
        reverse("workspaces:participant-role", args=[workspace.pk, target.pk]),
        {"role": "lead"},
    )

    target.refresh_from_db()
    membership = Membership.objects.get(community=workspace.community, user=roles.guest)
    if role in LEADS:
        assert (target.role, membership.role) == ("lead", "owner")
    else:
        assert response.status_code == (403 if role in SEES else 404)
        assert (target.role, membership.role) == ("guest", "member")


@pytest.mark.parametrize("role", ROLES)
def test_only_leads_set_partner_roles(client, workspace, roles, role):
    client.force_login(getattr(roles, role))
    partner = Partner.objects.get(
        workspace=workspace, organisation=roles.member.organisation
    )

    response = client.post(
        reverse("workspaces:partner-role", args=[workspace.pk, partner.pk]),
        {"role": "advisor"},
    )

    partner.refresh_from_db()
    assert (partner.role == "advisor") == (role in LEADS)
    if role not in SEES:
        assert response.status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_only_leads_revoke_invitations(client, workspace, roles, role):
    invitation = people.invitation_create(
        actor=roles.lead, workspace=workspace, who=roles.partner_colleague.username
    )
    client.force_login(getattr(roles, role))

    response = client.post(
        reverse("workspaces:invitation-revoke", args=[workspace.pk, invitation.pk])
    )

    invitation.refresh_from_db()
    assert (invitation.state == "revoked") == (role in LEADS)
    if role not in LEADS:
        # Invitations are for leads to see: everyone else is told "not found".
        assert response.status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_only_leads_restore(client, workspace, roles, role):
    workspaces.workspace_archive(actor=roles.lead, workspace=workspace)
    client.force_login(getattr(roles, role))

    response = client.post(reverse("workspaces:workspace-restore", args=[workspace.pk]))

    restored = not Workspace.objects.get(pk=workspace.pk).is_archived
    assert restored == (role in LEADS)
    if role not in SEES:
        assert response.status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_leaving_is_for_participants(client, workspace, roles, role):
    person = getattr(roles, role)
    client.force_login(person)

    response = client.post(reverse("workspaces:participant-leave", args=[workspace.pk]))

    still = Participant.objects.filter(workspace=workspace, user=person).exists()
    if role in {"guest", "member"}:
        assert not still
    elif role == "lead":
        assert still  # the last lead stays
    else:
        assert response.status_code == (403 if role in SEES else 404)
