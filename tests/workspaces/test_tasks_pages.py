"""Task and milestone pages: who sees them, who changes what, and what they show."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from live.models import Event
from tests.support.workspaces import ROLES, make_workspace
from workspaces.models import Milestone, Task
from workspaces.services import tasks as task_services

pytestmark = pytest.mark.django_db

Status = Task.Status
READERS = {"guest", "member", "lead", "staff"}
CHANGERS = {"member", "lead"}
REFUSAL = "Only the workspace's leads and members can do this"


@pytest.fixture
def workspace():
    return make_workspace(name="Valve joint venture")


@pytest.fixture
def content(workspace, people):
    milestone = task_services.milestone_create(
        actor=people["lead"],
        workspace=workspace,
        title="Prototype ready",
        due_date=timezone.localdate() + datetime.timedelta(days=20),
    )
    task = task_services.task_create(
        actor=people["lead"],
        workspace=workspace,
        title="Draft the NDA",
        assignee=people["member"],
        milestone=milestone,
    )
    return {"task": task, "milestone": milestone}


def _as(client, user):
    client.force_login(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def _url(name, workspace, *args):
    return reverse(f"workspaces:{name}", args=[workspace.pk, *args])


@pytest.mark.parametrize("role", ROLES)
def test_task_pages_are_read_by_participants_and_staff_only(
    client, workspace, people, content, role
):
    client = _as(client, people[role])
    task = content["task"]
    pages = [
        _url("task-board", workspace),
        _url("task-list", workspace),
        _url("task-detail", workspace, task.pk),
        _url("milestone-list", workspace),
    ]
    for page in pages:
        response = client.get(page)
        if role in READERS:
            assert response.status_code == 200, page
            assert (
                "Draft the NDA" in response.content.decode()
                or "Prototype ready" in (response.content.decode())
            )
        else:
            assert response.status_code == 404, page
            assert "Draft the NDA" not in response.content.decode()
    fragment = client.get(_url("task-board", workspace), HTTP_X_REQUESTED_WITH="fetch")
    if role in READERS:
        assert "Draft the NDA" in fragment.json()["html"]
    else:
        assert fragment.status_code == 404


def _post_actions(workspace, task, milestone):
    """(name, url, data, changed(): did it happen?) for every change a page offers."""
    today = timezone.localdate()
    return [
        (
            "create task",
            _url("task-create", workspace),
            {"title": "New one", "status": "todo"},
            lambda: Task.objects.filter(title="New one").exists(),
        ),
        (
            "edit task",
            _url("task-edit", workspace, task.pk),
            {"title": "Renamed"},
            lambda: Task.objects.filter(title="Renamed").exists(),
        ),
        (
            "move task",
            _url("task-move", workspace, task.pk),
            {"status": "doing"},
            lambda: Task.objects.filter(pk=task.pk, status="doing").exists(),
        ),
        (
            "create milestone",
            _url("milestone-create", workspace),
            {"title": "Launch", "due_date": today.isoformat()},
            lambda: Milestone.objects.filter(title="Launch").exists(),
        ),
        (
            "edit milestone",
            _url("milestone-edit", workspace, milestone.pk),
            {"title": "Prototype v2", "due_date": today.isoformat()},
            lambda: Milestone.objects.filter(title="Prototype v2").exists(),
        ),
        (
            "complete milestone",
            _url("milestone-complete", workspace, milestone.pk),
            {"completed": "1"},
            lambda: Milestone.objects.filter(completed_at__isnull=False).exists(),
        ),
        (
            "delete task",
            _url("task-delete", workspace, task.pk),
            {},
            lambda: not Task.objects.filter(pk=task.pk).exists(),
        ),
        (
            "delete milestone",
            _url("milestone-delete", workspace, milestone.pk),
            {},
            lambda: not Milestone.objects.filter(pk=milestone.pk).exists(),
        ),
    ]


@pytest.mark.parametrize("role", ROLES)
def test_only_leads_and_members_change_tasks_and_milestones(
    client, workspace, people, content, role
):
    client = _as(client, people[role])
    for name, url, data, changed in _post_actions(
        workspace, content["task"], content["milestone"]
    ):
        response = client.post(url, data)
        if role in CHANGERS:
            assert response.status_code == 302, name
            assert changed(), name
        elif role in READERS:
            assert response.status_code == 403, name
            assert escape(REFUSAL) in response.content.decode(), name
            assert not changed(), name
        else:
            assert response.status_code == 404, name
            assert not changed(), name


@pytest.mark.parametrize("role", ["guest", "staff"])
def test_readers_get_no_change_forms_nor_buttons(
    client, workspace, people, content, role
):
    client = _as(client, people[role])
    task = content["task"]
    for url in (
        _url("task-create", workspace),
        _url("task-edit", workspace, task.pk),
        _url("task-delete", workspace, task.pk),
        _url("milestone-create", workspace),
    ):
        assert client.get(url).status_code == 403
    board = client.get(_url("task-board", workspace)).content.decode()
    assert "Move to" not in board and "data-move-url" not in board
    assert "New task" not in board
    timeline = client.get(_url("milestone-list", workspace)).content.decode()
    assert "Mark as reached" not in timeline


def test_archived_workspaces_show_tasks_without_change_buttons(
    client, workspace, people, content
):
    workspace.archived_at = timezone.now()
    workspace.save()
    client = _as(client, people["lead"])

    board = client.get(_url("task-board", workspace)).content.decode()
    assert "Draft the NDA" in board and "Move to" not in board
    response = client.post(
        _url("task-move", workspace, content["task"].pk), {"status": "done"}
    )
    assert response.status_code == 403
    assert Task.objects.get(pk=content["task"].pk).status == Status.TODO


def test_a_task_of_another_workspace_is_not_found(client, workspace, people, content):
    other = make_workspace(name="Elsewhere")
    stranger_task = task_services.task_create(
        actor=other.participants.get().user, workspace=other, title="Secret"
    )
    client = _as(client, people["lead"])
    assert (
        client.get(_url("task-detail", workspace, stranger_task.pk)).status_code == 404
    )
    response = client.post(
        _url("task-move", workspace, stranger_task.pk), {"status": "done"}
    )
    assert response.status_code == 404
    assert Task.objects.get(pk=stranger_task.pk).status == Status.TODO


def test_anonymous_visitors_get_not_found_as_on_every_workspace_url(
    client, workspace, content
):
    task = content["task"]
    for url in (
        _url("task-board", workspace),
        _url("task-list", workspace),
        _url("task-detail", workspace, task.pk),
        _url("milestone-list", workspace),
    ):
        assert client.get(url).status_code == 404, url
    response = client.post(_url("task-move", workspace, task.pk), {"status": "done"})
    assert response.status_code == 404
    assert Task.objects.get(pk=task.pk).status == Status.TODO
    # "My tasks" is nobody's workspace: it asks to sign in.
    response = client.get(reverse("workspaces:my-tasks"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_the_board_shows_columns_cards_and_due_highlighting_in_words(
    client, workspace, people
):
    lead = people["lead"]
    today = timezone.localdate()
    task_services.task_create(
        actor=lead,
        workspace=workspace,
        title="Late one",
        due_date=today - datetime.timedelta(days=1),
    )
    task_services.task_create(
        actor=lead,
        workspace=workspace,
        title="Soon one",
        status=Status.DOING,
        due_date=today + datetime.timedelta(days=3),
    )
    task_services.task_create(
        actor=lead,
        workspace=workspace,
        title="Far one",
        due_date=today + datetime.timedelta(days=4),
    )
    task_services.task_create(
        actor=lead,
        workspace=workspace,
        title="Finished late",
        status=Status.DONE,
        due_date=today - datetime.timedelta(days=9),
    )
    html = _as(client, lead).get(_url("task-board", workspace)).content.decode()

    def card(title):
        start = html.index(f">{title}</a>")
        return html[start : html.index("</li>", start)]

    assert "Overdue" in card("Late one")
    assert "Due soon" in card("Soon one")
    assert "Overdue" not in card("Far one") and "Due soon" not in card("Far one")
    assert "Overdue" not in card("Finished late")
    todo = html[
        html.index('id="task-column-todo"') : html.index('id="task-column-doing"')
    ]
    assert "Late one" in todo and "Far one" in todo and "Soon one" not in todo


# Per page: how many tasks are added, what each task has (the board spreads them over
# the columns, the list gives them a due date), and how the page shows one task.
GROWTH = {
    "task-board": (
        30,
        lambda n, people: {
            "assignee": people["member"] if n % 2 else people["guest"],
            "status": Status.values[n % 3],
        },
        "data-task=",
    ),
    "task-list": (
        40,
        lambda n, people: {
            "assignee": people["member"] if n % 2 else None,
            "due_date": timezone.localdate(),
        },
        '<th scope="row">',
    ),
}


@pytest.mark.parametrize("page", GROWTH)
def test_the_board_and_the_list_cost_the_same_queries_for_many_tasks(
    client, workspace, people, django_assert_max_num_queries, page
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    more, fields, shown = GROWTH[page]
    client = _as(client, people["lead"])
    milestone = task_services.milestone_create(
        actor=people["lead"],
        workspace=workspace,
        title="M",
        due_date=timezone.localdate(),
    )

    def fill(count):
        for n in range(count):
            task_services.task_create(
                actor=people["lead"],
                workspace=workspace,
                title=f"T{n}",
                milestone=milestone,
                **fields(n, people),
            )

    fill(2)
    with CaptureQueriesContext(connection) as few:
        assert client.get(_url(page, workspace)).status_code == 200
    fill(more)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(_url(page, workspace))
    assert response.content.decode().count(shown) == 2 + more


def test_the_list_filters_sorts_and_pages(client, workspace, people, content):
    lead, member = people["lead"], people["member"]
    today = timezone.localdate()
    task_services.task_create(
        actor=lead,
        workspace=workspace,
        title="Due later",
        assignee=member,
        due_date=today + datetime.timedelta(days=9),
    )
    task_services.task_create(
        actor=lead,
        workspace=workspace,
        title="Due first",
        assignee=lead,
        due_date=today + datetime.timedelta(days=1),
        status=Status.DOING,
    )
    client = _as(client, lead)
    url = _url("task-list", workspace)

    html = client.get(url, {"order": "due"}).content.decode()
    assert (
        html.index("Due first") < html.index("Due later") < html.index("Draft the NDA")
    )
    html = client.get(url, {"order": "-due"}).content.decode()
    assert html.index("Due later") < html.index("Due first")

    html = client.get(url, {"assignee": member.pk}).content.decode()
    assert "Due later" in html and "Draft the NDA" in html and "Due first" not in html
    html = client.get(url, {"status": "doing"}).content.decode()
    assert "Due first" in html and "Due later" not in html
    html = client.get(url, {"milestone": content["milestone"].pk}).content.decode()
    assert "Draft the NDA" in html and "Due later" not in html
    html = client.get(url, {"milestone": "none", "assignee": "none"}).content.decode()
    assert "No tasks match these filters." in html

    for n in range(60):
        task_services.task_create(actor=lead, workspace=workspace, title=f"Bulk {n:02}")
    first = client.get(url, {"order": "title"}).content.decode()
    second = client.get(url, {"order": "title", "page": 2}).content.decode()
    assert "Bulk 00" in first and "Bulk 59" not in first
    assert "Bulk 59" in second and 'rel="prev"' in second


def test_creating_a_task_for_someone_outside_the_workspace_is_refused_clearly(
    client, workspace, people
):
    client = _as(client, people["lead"])
    response = client.post(
        _url("task-create", workspace),
        {
            "title": "Sneaky",
            "status": "todo",
            "assignee": people["partner_colleague"].pk,
        },
    )
    assert response.status_code == 200
    assert "only they can be assigned tasks" in response.content.decode()
    assert not Task.objects.filter(title="Sneaky").exists()

    response = client.post(
        _url("task-create", workspace),
        {"title": "Fine", "status": "todo", "assignee": people["guest"].pk},
    )
    assert Task.objects.get(title="Fine").assignee == people["guest"]


def test_a_script_move_answers_json_and_a_stale_one_says_why(
    client, workspace, people, content
):
    task = content["task"]
    client = _as(client, people["member"])
    url = _url("task-move", workspace, task.pk)

    answer = client.post(
        url,
        {"status": "doing", "position": 0, "revision": task.revision},
        HTTP_ACCEPT="application/json",
    )
    assert answer.status_code == 200
    assert answer.json()["status"] == "doing"
    assert answer.json()["column"] == "Doing"

    stale = client.post(
        url,
        {"status": "done", "position": 0, "revision": task.revision},
        HTTP_ACCEPT="application/json",
    )
    assert stale.status_code == 409
    assert stale.json()["code"] == "stale"
    assert "Someone else changed this task" in stale.json()["errors"]["__all__"][0]
    assert Task.objects.get(pk=task.pk).status == Status.DOING

    guest = _as(client, people["guest"]).post(
        url, {"status": "done"}, HTTP_ACCEPT="application/json"
    )
    assert guest.status_code == 403
    assert REFUSAL in guest.json()["errors"]["__all__"][0]


def test_a_button_move_comes_back_to_the_board_with_a_message(
    client, workspace, people, content
):
    client = _as(client, people["lead"])
    response = client.post(
        _url("task-move", workspace, content["task"].pk),
        {"status": "done", "revision": content["task"].revision},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == _url("task-board", workspace)
    assert "“Draft the NDA” moved to Done." in response.content.decode()
    assert Event.objects.filter(stream=workspace.stream, type="task.moved").exists()


@pytest.mark.parametrize("role", ["guest", "member"])
def test_participants_open_a_task_discussion_from_the_task(
    client, workspace, people, content, role
):
    task = content["task"]
    client = _as(client, people[role])
    response = client.post(
        _url("task-discussion", workspace, task.pk), {"body": "What template?"}
    )
    task.refresh_from_db()
    assert task.thread is not None
    assert response["Location"] == task.thread.get_absolute_url()
    page = client.get(_url("task-detail", workspace, task.pk)).content.decode()
    assert task.thread.get_absolute_url() in page


@pytest.mark.parametrize("refusal", ["too_long", "watched_word", "rate_limit"])
def test_a_refused_task_comment_stays_in_the_box_with_the_reason(
    client, workspace, people, content, settings, refusal
):
    from community.services import rules

    task = content["task"]
    body = "Servono le misure di pressione del prototipo. " * 3
    if refusal == "too_long":
        settings.POST_BODY_MAX_LENGTH = 100
        reason = "at most 100 characters"
    elif refusal == "watched_word":
        rules.watched_word_add(
            actor=people["lead"],
            community=workspace.community,
            word="prototipo",
            action="block",
        )
        reason = "prototipo"
    else:
        settings.RATE_LIMITS = {**settings.RATE_LIMITS, "thread": (0, 600)}
        reason = "You are doing that too often."
    client = _as(client, people["member"])

    response = client.post(_url("task-discussion", workspace, task.pk), {"body": body})

    assert response.status_code == (429 if refusal == "rate_limit" else 400)
    page = response.content.decode()
    assert escape(body.strip()) in page, "the comment is back in the box"
    assert reason in page
    task.refresh_from_db()
    assert task.thread is None


def test_staff_read_a_task_but_cannot_start_its_discussion(
    client, workspace, people, content
):
    task = content["task"]
    client = _as(client, people["staff"])
    assert (
        "Start the discussion"
        not in client.get(_url("task-detail", workspace, task.pk)).content.decode()
    )
    response = client.post(_url("task-discussion", workspace, task.pk), {"body": "Hi"})
    assert response.status_code == 403
    task.refresh_from_db()
    assert task.thread is None


def test_the_timeline_shows_milestones_by_date_with_today_and_counts(
    client, workspace, people
):
    lead = people["lead"]
    today = timezone.localdate()
    late = task_services.milestone_create(
        actor=lead,
        workspace=workspace,
        title="Old",
        due_date=today - datetime.timedelta(days=3),
    )
    coming = task_services.milestone_create(
        actor=lead,
        workspace=workspace,
        title="Coming",
        due_date=today + datetime.timedelta(days=3),
    )
    task_services.task_create(
        actor=lead, workspace=workspace, title="a", milestone=coming
    )
    task_services.task_create(
        actor=lead, workspace=workspace, title="b", milestone=coming, status=Status.DONE
    )
    html = _as(client, lead).get(_url("milestone-list", workspace)).content.decode()

    assert html.index("Old") < html.index("timeline__today") < html.index("Coming")
    assert "Past due" in html and "Next" in html
    assert "1 open task" in html and "1 done" in html
    assert late.pk


def test_the_activity_feed_tells_task_and_milestone_changes(client, workspace, people):
    lead = people["lead"]
    milestone = task_services.milestone_create(
        actor=lead, workspace=workspace, title="Pilot", due_date=timezone.localdate()
    )
    task = task_services.task_create(
        actor=lead, workspace=workspace, title="Order parts"
    )
    task_services.task_move(actor=lead, task=task, status=Status.DOING)
    task_services.task_edit(
        actor=lead, task=task, title="Order parts", assignee=people["member"]
    )
    task_services.milestone_complete(actor=lead, milestone=milestone)
    scrap = task_services.task_create(actor=lead, workspace=workspace, title="Scrap")
    task_services.task_delete(actor=lead, task=scrap)
    # The feed reads names now: a renamed task is told by its new name.
    task_services.task_edit(
        actor=lead, task=task, title="Order spare parts", assignee=people["member"]
    )

    html = (
        _as(client, people["member"])
        .get(reverse("workspaces:workspace-activity", args=[workspace.pk]))
        .content.decode()
    )

    for sentence in (
        "added the milestone “Pilot”",
        "added the task “Order spare parts”.",
        "moved the task “Order spare parts” to Doing.",
        "assigned the task “Order spare parts”.",
        "edited the task “Order spare parts”.",
        "marked the milestone “Pilot” as reached.",
        "added a task.",
        "deleted a task.",
    ):
        assert f"{escape(lead.name)} {sentence}" in html, sentence
    assert "Scrap" not in html
    assert "“Order parts”" not in html


@pytest.mark.parametrize("role", ROLES)
def test_change_forms_open_for_leads_and_members_only(
    client, workspace, people, content, role
):
    client = _as(client, people[role])
    task, milestone = content["task"], content["milestone"]
    for url in (
        _url("task-create", workspace),
        _url("task-edit", workspace, task.pk),
        _url("task-delete", workspace, task.pk),
        _url("milestone-create", workspace),
        _url("milestone-edit", workspace, milestone.pk),
        _url("milestone-delete", workspace, milestone.pk),
    ):
        response = client.get(url)
        expected = 200 if role in CHANGERS else 403 if role in READERS else 404
        assert response.status_code == expected, url
        if expected == 200:
            assert 'name="title"' in response.content.decode() or "Delete" in (
                response.content.decode()
            )
    for name in ("task-list", "milestone-list"):
        fragment = client.get(_url(name, workspace), HTTP_X_REQUESTED_WITH="fetch")
        assert fragment.status_code == (200 if role in READERS else 404)


@pytest.mark.parametrize("role", ROLES)
def test_task_discussion_is_opened_by_participants_only(
    client, workspace, people, content, role
):
    task = content["task"]
    response = _as(client, people[role]).post(
        _url("task-discussion", workspace, task.pk), {"body": "Which template?"}
    )
    task.refresh_from_db()
    if role in {"guest", "member", "lead"}:
        assert response.status_code == 302
        assert task.thread is not None
        assert task.thread.posts.get().body == "Which template?"
    else:
        assert response.status_code == (403 if role == "staff" else 404)
        assert task.thread is None
