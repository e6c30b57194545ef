"""Workspace participants are told when someone else adds them or changes their role,
by the workspace's own events (its discussion's membership events tell nothing more),
and only while they may see the workspace."""

import pytest
from django.urls import reverse

from notifications.models import Notification
from tests.community.thread_helpers import login
from tests.support.workspaces import add_participant, make_workspace, person_of
from workspaces.models import Participant
from workspaces.services import people

pytestmark = pytest.mark.django_db

Kind = Notification.Kind


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    def call(action, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return action(*args, **kwargs)

    return call


def test_being_added_and_a_role_change_notify_the_participant_once_each(client, run):
    workspace = make_workspace()
    ada = person_of()
    participant = run(add_participant, workspace, ada)
    added = Notification.objects.get(recipient=ada)
    assert (added.kind, added.workspace_id_ref) == (Kind.WORKSPACE_ADDED, workspace.pk)
    run(
        people.participant_set_role,
        actor=workspace.created_by,
        participant=participant,
        role=Participant.Role.LEAD,
    )
    assert sorted(
        Notification.objects.filter(recipient=ada).values_list("kind", flat=True)
    ) == [
        Kind.ROLE_CHANGED,
        Kind.WORKSPACE_ADDED,
    ]
    html = login(client, ada).get(reverse("notifications:list")).content.decode()
    assert workspace.name in html
    opened = client.get(reverse("notifications:open", args=[added.pk]))
    assert opened["Location"] == workspace.get_absolute_url()


def test_a_removed_participant_no_longer_sees_them(client, run):
    workspace = make_workspace()
    ada = person_of()
    participant = run(add_participant, workspace, ada)
    added = Notification.objects.get(recipient=ada)
    run(people.participant_remove, actor=workspace.created_by, participant=participant)
    html = login(client, ada).get(reverse("notifications:list")).content.decode()
    assert f'data-notification="{added.pk}"' not in html
    assert client.get(reverse("notifications:open", args=[added.pk])).status_code == 404
