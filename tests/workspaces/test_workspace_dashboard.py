"""The dashboard: partners, people, stage, next milestones, latest documents and the
activity feed read from the event log (older pages without JavaScript)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from community.models import Thread
from community.services import threads as thread_services
from tests.support.factories import OrganisationFactory
from tests.support.workspaces import add_participant, make_workspace, person_of
from workspaces.live import record_comment
from workspaces.models import Document, Milestone, Participant
from workspaces.queries import workspaces as workspace_queries
from workspaces.queries.workspaces import ACTIVITY_PAGE
from workspaces.services import workspaces

pytestmark = pytest.mark.django_db


@pytest.fixture
def workspace():
    return make_workspace(name="Progetto Delta")


def test_the_dashboard_shows_partners_people_milestones_documents_and_activity(
    client, workspace, english
):
    organisation = OrganisationFactory(name="Fonderie Orobiche")
    member = person_of(organisation, display_name="Marta Neri")
    add_participant(workspace, member)
    workspaces.workspace_set_stage(
        actor=workspace.created_by, workspace=workspace, stage="negotiation"
    )
    today = timezone.localdate()
    Milestone.objects.create(
        workspace=workspace, title="Firma NDA", due_date=today + timedelta(days=3)
    )
    Milestone.objects.create(
        workspace=workspace, title="Passata", due_date=today - timedelta(days=3)
    )
    Document.objects.create(
        workspace=workspace, title="Term sheet v2", updated_at=timezone.now()
    )
    Document.objects.create(
        workspace=workspace,
        title="Cestinato",
        updated_at=timezone.now(),
        deleted_at=timezone.now(),
    )
    client.force_login(workspace.created_by)

    page = client.get(workspace.get_absolute_url()).content.decode()

    assert "Fonderie Orobiche" in page and "Marta Neri" in page
    # Open milestones, soonest first: the overdue one stays, marked, and each links
    # to its place in the timeline.
    assert page.index("Passata") < page.index("Past due") < page.index("Firma NDA")
    milestones = reverse("workspaces:milestone-list", args=[workspace.pk])
    for milestone in Milestone.objects.all():
        assert f'href="{milestones}#milestone-{milestone.pk}"' in page
    assert "Term sheet v2" in page and "Cestinato" not in page
    term_sheet = Document.objects.get(title="Term sheet v2")
    assert (
        f'href="{reverse("workspaces:document-detail", args=[workspace.pk, term_sheet.pk])}"'
        in page
    )
    assert 'data-event-type="participant.joined"' in page
    assert "Marta Neri joined for Fonderie Orobiche as Member." in page
    assert "moved the workspace to the stage Negotiation." in page


def test_comments_in_the_discussion_show_in_the_feed_with_their_thread(
    client, workspace, english, django_capture_on_commit_callbacks
):
    kickoff = Thread.objects.get(community=workspace.community, kind="discussion")
    with django_capture_on_commit_callbacks(execute=True):
        post = thread_services.post_reply(
            actor=workspace.created_by, thread=kickoff, body="Ecco il piano"
        )
    client.force_login(workspace.created_by)

    page = client.get(workspace.get_absolute_url()).content.decode()

    assert 'data-event-type="comment.posted"' in page
    assert reverse("community:post-permalink", args=[post.pk]) in page
    assert "Kick-off" in page


def test_posts_elsewhere_are_not_comments_of_any_workspace(workspace):
    from live.models import Event
    from tests.support.factories import PostFactory

    post = PostFactory()
    event = Event(
        stream=post.thread.stream,
        seq=1,
        type="post.created",
        payload={"id": post.pk, "thread": post.thread_id, "number": 1},
    )

    record_comment(event)

    assert not Event.objects.filter(type="comment.posted").exists()


def test_older_activity_pages_without_javascript(client, workspace):
    for index in range(ACTIVITY_PAGE + 5):
        workspaces.workspace_set_stage(
            actor=workspace.created_by,
            workspace=workspace,
            stage="nda" if index % 2 == 0 else "exploration",
        )
    client.force_login(workspace.created_by)

    first = client.get(workspace.get_absolute_url()).content.decode()
    older_link = first.split("?before=")[1].split('"')[0]
    older = client.get(
        reverse("workspaces:workspace-activity", args=[workspace.pk])
        + f"?before={older_link}"
    ).content.decode()

    assert first.count("data-seq=") == ACTIVITY_PAGE
    assert "data-seq=" in older
    assert 'data-event-type="workspace.created"' in older


def test_dashboard_queries_do_not_grow_with_people_and_events(
    client, workspace, django_assert_max_num_queries
):
    client.force_login(workspace.created_by)
    add_participant(workspace, person_of(OrganisationFactory()))
    client.get(workspace.get_absolute_url())
    with django_assert_max_num_queries(50) as few:
        client.get(workspace.get_absolute_url())
    for _ in range(8):
        add_participant(workspace, person_of(OrganisationFactory()))
        workspaces.workspace_set_stage(
            actor=workspace.created_by, workspace=workspace, stage="nda"
        )
        workspaces.workspace_set_stage(
            actor=workspace.created_by, workspace=workspace, stage="exploration"
        )

    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(workspace.get_absolute_url())


def test_the_live_refresh_reads_the_dashboard_parts_only_and_marks_nothing_seen(
    client, workspace, english, django_assert_max_num_queries
):
    member = person_of(OrganisationFactory())
    add_participant(workspace, member)
    client.force_login(member)
    client.get(workspace.get_absolute_url())  # seen so far
    participant = Participant.objects.get(workspace=workspace, user=member)
    participant.refresh_from_db()
    seen = participant.last_seen_seq
    workspaces.workspace_set_stage(
        actor=workspace.created_by, workspace=workspace, stage="nda"
    )

    with django_assert_max_num_queries(50) as fragment_queries:
        answer = client.get(
            workspace.get_absolute_url(), HTTP_X_REQUESTED_WITH="fetch"
        )

    html = answer.json()["html"]
    assert 'data-live-part="activity"' in html and 'data-live-part="aside"' in html
    assert 'data-event-type="workspace.stage_changed"' in html
    # Neither the page around it (navigation, sidebar) nor a read position.
    assert "sidebar" not in html and "<nav" not in html
    assert "X-Requested-With" in answer["Vary"]
    participant.refresh_from_db()
    assert participant.last_seen_seq == seen
    with django_assert_max_num_queries(100) as page_queries:
        client.get(workspace.get_absolute_url())
    assert len(fragment_queries.captured_queries) < len(page_queries.captured_queries)
    participant.refresh_from_db()
    assert participant.last_seen_seq > seen


def test_unread_counts_stop_at_99_plus(client, workspace, english):
    from django.db import transaction

    from live.events import event_record_many

    member = person_of(OrganisationFactory())
    add_participant(workspace, member)
    client.force_login(member)
    client.get(workspace.get_absolute_url())
    with transaction.atomic():
        event_record_many(
            stream=workspace.stream,
            entries=[
                ("workspace.stage_changed", {"to": "nda"}, workspace.created_by)
            ]
            * 150,
        )

    page = client.get(reverse("workspaces:workspace-list")).content.decode()

    assert "99+ new" in page
    row = workspace_queries.my_workspace_rows(member)[0]
    assert row.unread == 100 and row.unread_label == "99+"
