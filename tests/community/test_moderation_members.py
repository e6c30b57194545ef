"""The moderators' member list: who is there, in what state and role, with their
sanctions and posts; search, filters and pages; and the actions each moderator may
take from it, through the same services as everywhere else."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from community.models import AuditEntry, Membership, ModerationNotice
from community.services import threads
from tests.community.thread_helpers import community_with_thread
from tests.support.factories import CommunityFactory, MembershipFactory, UserFactory
from tests.support.roles import person_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_default")]

Role = Membership.Role
State = Membership.State


def _url(community, **query):
    url = reverse("community:moderation-members", args=[community.slug])
    if query:
        url += "?" + "&".join(f"{key}={value}" for key, value in query.items())
    return url


def _act_url(community, person):
    row = Membership.objects.get(user=person, community=community)
    return reverse("community:moderation-member-action", args=[community.slug, row.pk])


def _person(community, name, **membership):
    user = UserFactory(display_name=name)
    MembershipFactory(user=user, community=community, **membership)
    return user


@pytest.fixture
def people():
    community, owner, thread = community_with_thread()
    silenced = _person(
        community, "Silvia Zitta", muted_until=timezone.now() + timedelta(days=2)
    )
    banned = _person(community, "Bruno Bandito", state=State.BANNED)
    pending = _person(community, "Paola Attesa", state=State.PENDING)
    moderator = _person(community, "Mario Moderato", role=Role.MODERATOR)
    writer = _person(community, "Walter Scrive")
    for number in range(3):
        threads.post_reply(actor=writer, thread=thread, body=f"Messaggio {number}")
    return (
        community,
        owner,
        {
            "silenced": silenced,
            "banned": banned,
            "pending": pending,
            "moderator": moderator,
            "writer": writer,
        },
    )


def _rows(response):
    page = response.content.decode()
    return [line for line in page.split("<tr ") if "data-member=" in line]


def _row_of(response, person):
    for row in _rows(response):
        if f'data-member="{person.username}"' in row:
            return row
    return None


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("anonymous", 302),
        ("member", 403),
        ("silenced", 403),
        ("other_moderator", 403),
        ("moderator", 200),
        ("owner", 200),
        ("staff", 200),
    ],
)
def test_who_sees_the_member_list(client, people, role, status):
    community, owner, named = people
    if role == "owner":
        viewer = owner
    elif role == "moderator":
        viewer = named["moderator"]
    elif role == "silenced":
        viewer = named["silenced"]
    elif role == "other_moderator":
        viewer = person_in(CommunityFactory(), "moderator")
    else:
        viewer = person_in(community, role)
    if viewer is not None:
        client.force_login(viewer)
    response = client.get(_url(community))
    assert response.status_code == status
    if status == 200:
        assert named["banned"].username in response.content.decode()
    else:
        assert named["banned"].username not in response.content.decode()


def test_rows_show_role_state_sanction_and_posts(client, people):
    community, owner, named = people
    client.force_login(owner)
    response = client.get(_url(community))
    silenced = _row_of(response, named["silenced"])
    assert "Silenced" in silenced
    muted_until = Membership.objects.get(user=named["silenced"]).muted_until
    assert timezone.localtime(muted_until).isoformat()[:16] in silenced
    assert "Banned" in _row_of(response, named["banned"])
    assert "Moderator" in _row_of(response, named["moderator"])
    writer = _row_of(response, named["writer"])
    assert "<td>3</td>" in writer


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"q": "bandito"}, {"banned"}),
        ({"q": "@"}, None),  # the username prefix alone matches everyone
        ({"state": "silenced"}, {"silenced"}),
        ({"state": "banned"}, {"banned"}),
        ({"state": "pending"}, {"pending"}),
        ({"role": "moderator"}, {"moderator"}),
        ({"role": "moderator", "state": "banned"}, set()),
    ],
)
def test_search_and_filters(client, people, query, expected):
    community, owner, named = people
    client.force_login(owner)
    response = client.get(_url(community, **query))
    shown = {key for key, person in named.items() if _row_of(response, person)}
    if expected is None:
        assert shown == set(named)
    else:
        assert shown == expected
    if expected == set():
        assert "Nobody matches this search." in response.content.decode()


def _actions(response, person):
    row = _row_of(response, person)
    return {
        code
        for code in (
            "warn",
            "silence",
            "unsilence",
            "remove",
            "ban",
            "unban",
            "promote",
            "demote",
            "suspend",
            "unsuspend",
        )
        if f'<option value="{code}"' in row
    }


def test_each_viewer_is_offered_only_what_they_may_do(client, people):
    community, owner, named = people
    client.force_login(named["moderator"])
    response = client.get(_url(community))
    assert _actions(response, named["writer"]) == {"warn", "silence", "remove", "ban"}
    assert _actions(response, named["silenced"]) == {
        "warn",
        "unsilence",
        "remove",
        "ban",
    }
    assert _actions(response, named["banned"]) == set()
    assert _actions(response, owner) == set()
    assert _actions(response, named["moderator"]) == set()  # not themselves

    client.force_login(owner)
    response = client.get(_url(community))
    assert _actions(response, named["moderator"]) == {
        "warn",
        "silence",
        "remove",
        "ban",
        "demote",
    }
    assert _actions(response, named["banned"]) == {"unban"}
    assert "suspend" not in _actions(response, named["writer"])

    client.force_login(person_in(community, "staff"))
    response = client.get(_url(community))
    assert {"promote", "suspend"} <= _actions(response, named["writer"])


def _post(client, community, person, **data):
    return client.post(_act_url(community, person), data, follow=True)


def test_a_moderator_silences_warns_and_bans_from_the_list(client, people):
    community, _owner, named = people
    client.force_login(named["moderator"])
    writer = named["writer"]
    page = _post(client, community, writer, action="silence", days="3", reason="toni")
    assert f"{writer.name} is silenced." in page.content.decode()
    row = Membership.objects.get(user=writer, community=community)
    assert row.muted_until > timezone.now() + timedelta(days=2)
    _post(client, community, writer, action="warn", reason="Basta spam")
    assert ModerationNotice.objects.get(user=writer, kind="silenced").reason == "toni"
    notice = ModerationNotice.objects.get(user=writer, kind="warning")
    assert (notice.kind, notice.reason) == ("warning", "Basta spam")
    _post(client, community, writer, action="ban", reason="recidivo")
    assert Membership.objects.get(user=writer, community=community).state == "banned"
    assert list(
        AuditEntry.objects.filter(member=writer)
        .order_by("pk")
        .values_list("action", flat=True)
    ) == ["member.silenced", "member.warned", "member.banned"]


def test_missing_days_or_warning_text_is_said_and_changes_nothing(client, people):
    community, _owner, named = people
    client.force_login(named["moderator"])
    page = _post(client, community, named["writer"], action="silence")
    assert "Say for how many days." in page.content.decode()
    page = _post(client, community, named["writer"], action="warn")
    assert "Write the warning the member will read." in page.content.decode()
    assert not AuditEntry.objects.exists()
    assert Membership.objects.get(user=named["writer"]).muted_until is None


def test_a_moderator_cannot_ban_a_moderator_or_unban_through_the_form(client, people):
    community, owner, named = people
    moderator = named["moderator"]
    other = _person(community, "Altro Moderatore", role=Role.MODERATOR)
    client.force_login(moderator)
    response = client.post(_act_url(community, other), {"action": "ban"})
    assert response.status_code == 403
    response = client.post(_act_url(community, named["banned"]), {"action": "unban"})
    assert response.status_code == 403
    assert Membership.objects.get(user=other).state == State.ACTIVE
    assert Membership.objects.get(user=named["banned"]).state == State.BANNED
    assert not AuditEntry.objects.exists()


def test_owners_change_roles_from_the_list(client, people):
    community, owner, named = people
    client.force_login(owner)
    _post(client, community, named["writer"], action="promote")
    assert Membership.objects.get(user=named["writer"]).role == Role.MODERATOR
    _post(client, community, named["writer"], action="demote")
    assert Membership.objects.get(user=named["writer"]).role == Role.MEMBER


def test_the_action_returns_to_the_filtered_list(client, people):
    community, owner, named = people
    client.force_login(owner)
    response = client.post(
        _act_url(community, named["writer"]),
        {"action": "warn", "reason": "x", "filters": "state=active&q=walter&evil=1"},
    )
    assert response.status_code == 302
    assert response["Location"] == _url(community) + "?q=walter&state=active"


def test_a_membership_of_another_community_is_not_found(client, people):
    community, owner, _named = people
    elsewhere = CommunityFactory()
    stranger = _person(elsewhere, "Lontano")
    row = Membership.objects.get(user=stranger)
    client.force_login(owner)
    url = reverse("community:moderation-member-action", args=[community.slug, row.pk])
    assert client.post(url, {"action": "ban"}).status_code == 404
    assert Membership.objects.get(user=stranger).state == State.ACTIVE


def test_the_list_costs_the_same_queries_for_few_or_many_rows(client, people):
    community, owner, _named = people
    client.force_login(owner)
    client.get(_url(community))  # warm the session
    with CaptureQueriesContext(connection) as few:
        assert client.get(_url(community)).status_code == 200
    for index in range(40):
        person = _person(community, f"Persona {index}", muted_until=None)
        if index % 3 == 0:
            Membership.objects.filter(user=person).update(
                muted_until=timezone.now() + timedelta(days=1)
            )
    with CaptureQueriesContext(connection) as many:
        response = client.get(_url(community))
    assert len(_rows(response)) == 30  # a full page
    assert len(many) == len(few)


def test_a_silenced_member_reads_as_a_state_in_italian(client, people, settings):
    """The state column names a state ("Silenziato"), not the action ("Silenziamento"),
    in the list and in the state filter."""
    settings.LANGUAGE_CODE = "it"
    community, owner, named = people
    owner.language = "it"
    owner.save(update_fields=["language"])
    client.force_login(owner)
    response = client.get(_url(community))
    silenced = _row_of(response, named["silenced"])
    assert "Silenziato" in silenced and "Silenziamento" not in silenced
    assert '<option value="silenced">Silenziato</option>' in response.content.decode()
