"""Workspaces' news: tasks assigned and due, documents uploaded (coalesced per
workspace), invitations; shown only while the person may still see them."""

import datetime

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from community.models import Membership, NotificationLevel
from notifications.models import Notification
from notifications.services import notification_mark_read
from tests.community.thread_helpers import login
from tests.support.workspaces import add_participant, make_workspace, person_of
from tests.workspaces.document_helpers import make_document
from workspaces.services import people, tasks

pytestmark = pytest.mark.django_db

Kind = Notification.Kind
LIST = reverse("notifications:list")


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    def call(action, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return action(*args, **kwargs)

    return call


@pytest.fixture
def team(run, settings, tmp_path):
    """A workspace, its lead and two members (their own joining notifications
    cleared)."""
    settings.MEDIA_ROOT = tmp_path
    workspace = make_workspace()
    ada, bea = person_of(), person_of()
    run(add_participant, workspace, ada)
    run(add_participant, workspace, bea)
    Notification.objects.all().delete()
    return workspace, workspace.created_by, ada, bea


def rows_of(person, kind):
    return list(Notification.objects.filter(recipient=person, kind=kind))


def test_a_task_given_to_someone_tells_them_and_leads_to_it(client, run, team):
    workspace, lead, ada, _bea = team
    task = run(
        tasks.task_create, actor=lead, workspace=workspace, title="Bozza", assignee=ada
    )
    (told,) = rows_of(ada, Kind.TASK_ASSIGNED)
    assert (told.item_ref, told.workspace_id_ref, told.actor) == (
        task.pk,
        workspace.pk,
        lead,
    )
    html = login(client, ada).get(LIST).content.decode()
    assert "Bozza" in html and workspace.name in html
    opened = client.get(reverse("notifications:open", args=[told.pk]))
    assert opened["Location"] == reverse(
        "workspaces:task-detail", args=[workspace.pk, task.pk]
    )


def test_reassigning_a_task_tells_the_new_assignee_only(run, team):
    workspace, lead, ada, bea = team
    task = run(tasks.task_create, actor=lead, workspace=workspace, title="Bozza")
    assert Notification.objects.count() == 0
    task = run(tasks.task_edit, actor=lead, task=task, title="Bozza", assignee=bea)
    assert len(rows_of(bea, Kind.TASK_ASSIGNED)) == 1
    run(tasks.task_edit, actor=lead, task=task, title="Bozza 2", assignee=bea)
    assert len(rows_of(bea, Kind.TASK_ASSIGNED)) == 1  # a title change says nothing
    assert rows_of(ada, Kind.TASK_ASSIGNED) == []


def test_taking_a_task_oneself_tells_nobody(run, team):
    workspace, _lead, ada, _bea = team
    run(tasks.task_create, actor=ada, workspace=workspace, title="Mio", assignee=ada)
    assert Notification.objects.count() == 0


def test_due_tasks_are_told_once_per_task_and_date(run, team):
    workspace, lead, ada, bea = team
    today = timezone.localdate()
    due = run(
        tasks.task_create,
        actor=lead,
        workspace=workspace,
        title="Consegna",
        assignee=ada,
        due_date=today + datetime.timedelta(days=1),
    )
    run(
        tasks.task_create,
        actor=lead,
        workspace=workspace,
        title="Più tardi",
        assignee=bea,
        due_date=today + datetime.timedelta(days=5),
    )
    run(
        tasks.task_create,
        actor=lead,
        workspace=workspace,
        title="Fatto",
        assignee=bea,
        due_date=today,
        status="done",
    )
    call_command("notify_due_tasks", stdout=open("/dev/null", "w"))
    call_command("notify_due_tasks", stdout=open("/dev/null", "w"))
    (told,) = rows_of(ada, Kind.TASK_DUE)
    assert (told.item_ref, told.detail) == (due.pk, due.due_date.isoformat())
    assert rows_of(bea, Kind.TASK_DUE) == []
    # A new due date is told again, once.
    run(
        tasks.task_edit,
        actor=lead,
        task=due,
        title="Consegna",
        assignee=ada,
        due_date=today,
    )
    call_command("notify_due_tasks", stdout=open("/dev/null", "w"))
    call_command("notify_due_tasks", stdout=open("/dev/null", "w"))
    assert len(rows_of(ada, Kind.TASK_DUE)) == 2


def test_a_removed_assignee_is_not_told_of_the_due_date(run, team):
    workspace, lead, ada, _bea = team
    run(
        tasks.task_create,
        actor=lead,
        workspace=workspace,
        title="Consegna",
        assignee=ada,
        due_date=timezone.localdate(),
    )
    participant = workspace.participants.get(user=ada)
    run(people.participant_remove, actor=lead, participant=participant)
    call_command("notify_due_tasks", stdout=open("/dev/null", "w"))
    assert rows_of(ada, Kind.TASK_DUE) == []


def test_documents_uploaded_tell_the_others_in_one_row_per_workspace(client, run, team):
    workspace, lead, ada, bea = team
    for name in ("a.txt", "b.txt", "c.txt"):
        run(make_document, workspace, ada, name=name)
    assert rows_of(ada, Kind.DOCUMENT) == []
    for person in (lead, bea):
        (told,) = rows_of(person, Kind.DOCUMENT)
        assert (told.count, told.actor) == (3, ada)
    html = login(client, bea).get(LIST).content.decode()
    assert "3 new documents" in html or "3 nuovi documenti" in html
    opened = client.get(reverse("notifications:open", args=[told.pk]))
    assert opened["Location"] == reverse(
        "workspaces:document-list", args=[workspace.pk]
    )
    # Read, the next upload is a new notification.
    run(make_document, workspace, ada, name="d.txt")
    assert sorted(n.count for n in rows_of(bea, Kind.DOCUMENT)) == [1, 3]


def test_muting_a_workspace_silences_its_documents(run, team):
    workspace, _lead, ada, bea = team
    Membership.objects.filter(user=bea, community=workspace.community).update(
        level=NotificationLevel.MUTED
    )
    run(make_document, workspace, ada, name="a.txt")
    assert rows_of(bea, Kind.DOCUMENT) == []


def test_a_removed_participant_no_longer_sees_task_or_document_news(client, run, team):
    workspace, lead, ada, bea = team
    run(tasks.task_create, actor=lead, workspace=workspace, title="Bozza", assignee=bea)
    run(make_document, workspace, ada, name="a.txt")
    mine = list(Notification.objects.filter(recipient=bea))
    assert {n.kind for n in mine} == {Kind.TASK_ASSIGNED, Kind.DOCUMENT}
    participant = workspace.participants.get(user=bea)
    run(people.participant_remove, actor=lead, participant=participant)
    html = login(client, bea).get(LIST).content.decode()
    for notification in mine:
        assert f'data-notification="{notification.pk}"' not in html
        opened = client.get(reverse("notifications:open", args=[notification.pk]))
        assert opened.status_code == 404


def test_a_workspace_invitation_tells_the_invitee_while_it_is_open(client, run, team):
    workspace, lead, _ada, _bea = team
    guest = person_of()
    invitation = run(
        people.invitation_create, actor=lead, workspace=workspace, who=guest.username
    )
    (told,) = rows_of(guest, Kind.INVITATION)
    assert (told.workspace_id_ref, told.item_ref) == (workspace.pk, invitation.pk)
    html = login(client, guest).get(LIST).content.decode()
    assert f'data-notification="{told.pk}"' in html and workspace.name in html
    opened = client.get(reverse("notifications:open", args=[told.pk]))
    assert opened["Location"] == reverse("workspaces:invitation-list")
    notification_mark_read(actor=guest, notification=told)
    run(people.invitation_revoke, actor=lead, invitation=invitation)
    assert f'data-notification="{told.pk}"' not in client.get(LIST).content.decode()
