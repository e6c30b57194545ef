"""The admin is a door like the others: domain state is read-only there, its actions go
through the services (events, live cut-off), and its login is the site's throttled one."""

import json

import pytest
from asgiref.sync import sync_to_async
from django.test import Client
from django.urls import reverse

from community.models import Community, Membership, Post, Thread
from tests.community.thread_helpers import community_with_thread
from tests.live.sockets import connect, frames, subscribe
from tests.support.factories import UserFactory
from tests.support.roles import member_of

pytestmark = pytest.mark.django_db(transaction=True)


def _superuser():
    return UserFactory(is_staff=True, is_superuser=True)


def _admin_action(model, action, rows, **extra):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(_superuser())
    url = reverse(f"admin:community_{model._meta.model_name}_changelist")
    return client.post(
        url,
        {"action": action, "_selected_action": [row.pk for row in rows], **extra},
        follow=True,
    )


@pytest.mark.asyncio
async def test_a_ban_made_in_the_admin_ends_the_members_subscriptions_at_once():
    community, _owner, thread = await sync_to_async(community_with_thread)("private")
    person = await sync_to_async(member_of)(community)
    socket = await connect(person)
    await subscribe(socket, f"thread:{thread.pk}")
    membership = await sync_to_async(Membership.objects.get)(user=person, community=community)

    response = await sync_to_async(_admin_action)(Membership, "membership_ban", [membership])
    received = await frames(socket)
    await socket.disconnect()

    assert response.status_code == 200
    assert (await sync_to_async(Membership.objects.get)(pk=membership.pk)).state == "banned"
    assert {"op": "error", "code": "not_found", "ref": f"thread:{thread.pk}"}.items() <= received[-1].items()


@pytest.mark.asyncio
async def test_a_post_hidden_in_the_admin_is_gone_from_every_catch_up():
    community, _owner, thread = await sync_to_async(community_with_thread)()
    author = await sync_to_async(member_of)(community)
    from community.services import threads

    post = await sync_to_async(threads.post_reply)(
        actor=author, thread=thread, body="Numero di telefono privato 333 1234567"
    )
    await sync_to_async(_admin_action)(Post, "post_hide", [post])

    socket = await connect()
    received = await subscribe(socket, f"thread:{thread.pk}", after=0)
    await socket.disconnect()

    assert "333 1234567" not in json.dumps(received)
    assert (await sync_to_async(Post.objects.get)(pk=post.pk)).is_hidden


def test_admin_actions_change_visibility_lock_and_mute_through_the_services():
    from live.models import Event

    community, _owner, thread = community_with_thread()
    person = member_of(community)
    membership = Membership.objects.get(user=person, community=community)

    _admin_action(Community, "community_make_private", [community])
    _admin_action(Thread, "thread_lock", [thread])
    _admin_action(Membership, "membership_mute_24h", [membership])

    community.refresh_from_db()
    thread.refresh_from_db()
    membership.refresh_from_db()
    assert community.visibility == "private" and thread.is_locked
    assert membership.muted_until is not None
    types = set(Event.objects.values_list("type", flat=True))
    assert {"community.visibility_changed", "thread.locked", "member.muted"} <= types


def test_an_admin_action_the_rules_refuse_says_why_and_changes_nothing():
    community, owner, _thread = community_with_thread()
    owner_row = Membership.objects.get(user=owner, community=community)

    response = _admin_action(Membership, "membership_ban", [owner_row])

    owner_row.refresh_from_db()
    assert owner_row.state == "active"
    assert "You may not take this decision about this person." in response.content.decode()


@pytest.mark.parametrize(
    "model, field",
    [
        (Membership, "state"),
        (Membership, "role"),
        (Community, "visibility"),
        (Thread, "is_locked"),
        (Post, "is_hidden"),
        (Post, "body"),
    ],
)
def test_domain_state_is_read_only_in_the_admin(model, field):
    community, owner, thread = community_with_thread()
    row = {
        Membership: lambda: Membership.objects.get(user=owner),
        Community: lambda: community,
        Thread: lambda: thread,
        Post: lambda: thread.posts.get(),
    }[model]()
    client = Client()
    client.force_login(_superuser())
    url = reverse(f"admin:community_{model._meta.model_name}_change", args=[row.pk])

    page = client.get(url).content.decode()
    changed = client.post(url, {field: "banned" if field == "state" else "x"})

    assert f'name="{field}"' not in page
    assert changed.status_code == 403
    before = getattr(row, field)
    row.refresh_from_db()
    assert getattr(row, field) == before


def test_closing_an_account_in_the_admin_goes_through_the_service():
    from community.models import User
    from live.models import Event

    person = UserFactory()
    _admin_action(User, "account_deactivate", [person])

    person.refresh_from_db()
    assert not person.is_active
    assert Event.objects.filter(stream=f"user:{person.pk}", type="session.ended").exists()


# --- the admin's login ----------------------------------------------------------------


def test_the_admin_login_form_is_the_sites_login():
    client = Client()
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_wrong_passwords_posted_to_the_admin_login_sign_nobody_in():
    staff = UserFactory(is_staff=True, is_superuser=True)
    client = Client()
    for _ in range(25):
        response = client.post(
            "/admin/login/", {"username": staff.username, "password": "wrong"}
        )
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
    right = client.post(
        "/admin/login/", {"username": staff.username, "password": "correct horse battery"}
    )
    assert right.status_code == 302 and "_auth_user_id" not in client.session


def test_the_sites_login_throttles_repeated_wrong_passwords():
    staff = UserFactory(is_staff=True)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    for _ in range(25):
        client.post(reverse("account_login"), {"login": staff.email, "password": "wrong"})

    right = client.post(
        reverse("account_login"),
        {"login": staff.email, "password": "correct horse battery"},
    )

    assert "Too many failed login attempts" in right.content.decode()
    assert "_auth_user_id" not in client.session


# --- site roles and passwords changed in the admin ---------------------------------------


def _staff_form(client, person, **changes):
    """The admin's change form of `person` as it is, with `changes`, posted."""
    url = reverse("admin:community_user_change", args=[person.pk])
    data = {
        "username": person.username,
        "email": person.email,
        "first_name": "",
        "last_name": "",
        "is_staff": "on" if person.is_staff else "",
        "is_superuser": "on" if person.is_superuser else "",
        "groups": [],
        "user_permissions": [],
    }
    data.update(changes)
    return client.post(url, {k: v for k, v in data.items() if v != ""})


@pytest.mark.asyncio
async def test_staff_rights_removed_in_the_admin_end_the_staff_streams_at_once():
    from tests.support.workspaces import make_workspace

    workspace = await sync_to_async(make_workspace)()
    staff = await sync_to_async(UserFactory)(is_staff=True)
    socket = await connect(staff)
    assert (await subscribe(socket, "review:1"))[0]["op"] == "subscribed"
    assert (await subscribe(socket, workspace.stream))[0]["op"] == "subscribed"
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    await sync_to_async(client.force_login)(await sync_to_async(_superuser)())

    response = await sync_to_async(_staff_form)(client, staff, is_staff="")
    received = await frames(socket)
    await socket.disconnect()

    assert response.status_code == 302
    ended = {f["ref"] for f in received if f.get("op") == "error" and f["code"] == "not_found"}
    assert ended == {"review:1", workspace.stream}


@pytest.mark.asyncio
async def test_a_password_set_in_the_admin_closes_the_persons_sockets():
    community, _owner, thread = await sync_to_async(community_with_thread)("private")
    person = await sync_to_async(member_of)(community)
    socket = await connect(person)
    await subscribe(socket, f"thread:{thread.pk}")
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    await sync_to_async(client.force_login)(await sync_to_async(_superuser)())

    url = reverse("admin:auth_user_password_change", args=[person.pk])
    new = "Una nuova parola d'ordine 2026"
    response = await sync_to_async(client.post)(
        url, {"password1": new, "password2": new, "usable_password": "true"}
    )

    assert response.status_code == 302
    ended = await socket.receive_json_from()
    while ended["op"] == "event":
        ended = await socket.receive_json_from()
    assert (ended["op"], ended["code"]) == ("error", "session_ended")
    assert (await socket.receive_output())["type"] == "websocket.close"


def test_every_domain_model_of_the_admin_is_read_only_for_a_superuser():
    """Workspaces, moderation (reports, review items, held posts, watched words,
    notices, the audit log), the event log and the community's rows: staff look, the
    services write. Only the accounts' site roles are edited in the admin, and the
    innovation desk's facilitators: their add and change forms call
    `desk.facilitator_grant` and revoking is an action calling
    `desk.facilitator_revoke` (tests/innovation/desk/test_facilitator_admin.py);
    they are never deleted."""
    from django.contrib import admin
    from django.test import RequestFactory

    request = RequestFactory().get("/admin/")
    request.user = _superuser()
    domain = {"community", "workspaces", "live", "innovation"}
    checked = []
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label not in domain or model._meta.model_name == "user":
            continue
        checked.append(model._meta.label)
        if model._meta.label == "innovation.Facilitator":
            assert not model_admin.has_delete_permission(request), model
            continue
        assert not model_admin.has_add_permission(request), model
        assert not model_admin.has_change_permission(request), model
        assert not model_admin.has_delete_permission(request), model
        for inline in model_admin.get_inline_instances(request):
            assert not inline.has_add_permission(request, None), inline
            assert not inline.has_change_permission(request), inline
            assert not inline.has_delete_permission(request), inline

    assert {
        "workspaces.Workspace",
        "workspaces.Participant",
        "workspaces.Task",
        "community.HeldPost",
        "community.ReviewItem",
        "community.WatchedWord",
        "community.AuditEntry",
        "live.Event",
        "innovation.Facilitator",
    } <= set(checked)


def test_only_site_roles_are_editable_on_an_account_in_the_admin():
    from django.contrib import admin
    from django.test import RequestFactory

    from community.models import User

    request = RequestFactory().get("/admin/")
    request.user = _superuser()
    person = UserFactory()
    model_admin = admin.site._registry[User]
    shown = {
        name
        for _title, options in model_admin.get_fieldsets(request, person)
        for name in options["fields"]
    }
    editable = shown - set(model_admin.get_readonly_fields(request, person))

    assert editable <= {
        "username",
        "password",
        "email",
        "first_name",
        "last_name",
        "is_staff",
        "is_superuser",
        "groups",
        "user_permissions",
    }
