"""A deleted document's title reaches its workspace's leads only: the activity feed
(dashboard, activity page, which the live refresh fetches again) says "a document"
to everyone else, and the document's discussion thread (titled like it) is hidden
from them until a lead restores the document."""

import pytest
from asgiref.sync import sync_to_async
from django.urls import reverse

from community import permissions as community_permissions
from community.models import Thread
from community.services import threads as thread_services
from tests.live.sockets import connect, frames, subscribe
from tests.support.factories import OrganisationFactory
from tests.support.workspaces import (
    ROLES,
    SEES,
    add_participant,
    make_workspace,
    person_of,
)
from tests.workspaces.document_helpers import make_document
from workspaces.services import documents as services

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

TITLE = "Piano di acquisizione riservato"


@pytest.fixture
def workspace():
    return make_workspace(name="Progetto Delta")


@pytest.fixture
def deleted(workspace, roles, django_capture_on_commit_callbacks):
    """A document discussed by a member (the comment reaches the feed after the
    commit), then deleted by the lead."""
    document = make_document(workspace, roles.lead, title=TITLE)
    with django_capture_on_commit_callbacks(execute=True):
        services.document_comment(
            actor=roles.member, document=document, body="Ne parliamo domani."
        )
    document.refresh_from_db()
    services.document_delete(actor=roles.lead, document=document)
    document.refresh_from_db()
    return document


FEEDS = ("workspace-detail", "workspace-activity")


@pytest.mark.parametrize("page", FEEDS)
@pytest.mark.parametrize("role", ROLES)
def test_the_feed_names_a_deleted_document_to_leads_only(
    client, workspace, roles, deleted, role, page
):
    client.force_login(roles[role])

    response = client.get(reverse(f"workspaces:{page}", args=[workspace.pk]))

    text = response.content.decode()
    if role not in SEES:
        assert response.status_code == 404
    elif role == "lead":
        assert f"deleted “{TITLE}”" in text
        # The comment line names the thread, titled like the document.
        assert text.count(TITLE) >= 3
    else:
        assert response.status_code == 200
        assert TITLE not in text
        assert "deleted a document." in text
        assert "uploaded a document." in text
        assert "wrote in the discussion." in text


@pytest.mark.parametrize("role", ROLES)
def test_the_documents_thread_is_hidden_from_everyone_but_leads(
    client, workspace, roles, deleted, role
):
    thread = deleted.thread
    post = thread.posts.get(number=1)
    client.force_login(roles[role])

    thread_page = client.get(thread.get_absolute_url())
    permalink = client.get(reverse("community:post-permalink", args=[post.pk]))
    listing = client.get(
        reverse("community:community-detail", args=[workspace.community.slug])
    )

    if role == "lead":
        assert thread_page.status_code == 200
        assert TITLE in thread_page.content.decode()
        assert permalink.status_code == 302
        assert TITLE in listing.content.decode()
    else:
        assert thread_page.status_code == 404
        assert permalink.status_code == 404
        assert TITLE not in thread_page.content.decode()
        assert TITLE not in listing.content.decode()
        # The workspace's other threads stay listed for those who read it.
        if role in SEES:
            assert "Kick-off" in listing.content.decode()


def test_the_rule_is_one_permission_and_restoring_brings_the_thread_back(
    client, workspace, roles, deleted
):
    thread = Thread.objects.get(pk=deleted.thread_id)
    hidden_from = {
        role
        for role in ROLES
        if not community_permissions.threads_visible_to(
            roles[role], Thread.objects.filter(pk=thread.pk)
        ).exists()
    }
    assert hidden_from == set(ROLES) - {"lead"}

    services.document_restore(actor=roles.lead, document=deleted)
    client.force_login(roles.member)
    thread_page = client.get(thread.get_absolute_url())
    feed = client.get(reverse("workspaces:workspace-activity", args=[workspace.pk]))

    assert thread_page.status_code == 200
    assert TITLE in thread_page.content.decode()
    assert TITLE in feed.content.decode()


def test_a_member_cannot_reply_in_the_hidden_thread(client, workspace, roles, deleted):
    client.force_login(roles.member)
    thread = deleted.thread

    response = client.post(
        reverse(
            "community:thread-reply", args=[workspace.community.slug, thread.pk]
        ),
        {"body": "Risposta nascosta"},
    )

    assert response.status_code == 404
    assert not thread.posts.filter(body="Risposta nascosta").exists()


def _discussed_document():
    workspace = make_workspace()
    member = person_of(OrganisationFactory())
    add_participant(workspace, member)
    document = make_document(workspace, workspace.created_by, title=TITLE)
    services.document_comment(actor=member, document=document, body="Primo commento")
    document.refresh_from_db()
    return workspace, member, document


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_readers_following_the_thread_lose_it_when_the_document_is_deleted():
    workspace, member, document = await sync_to_async(_discussed_document)()
    thread = await sync_to_async(Thread.objects.get)(pk=document.thread_id)
    socket = await connect(member)
    try:
        first = (await subscribe(socket, thread.stream))[0]
        assert first["op"] == "subscribed"
        await sync_to_async(services.document_delete)(
            actor=workspace.created_by, document=document
        )
        cut = await frames(socket)
        await sync_to_async(thread_services.post_reply)(
            actor=workspace.created_by, thread=thread, body="Solo per i lead"
        )
        after = await frames(socket)
    finally:
        await socket.disconnect()

    assert [(f["op"], f.get("code"), f.get("ref")) for f in cut if f["op"] == "error"] == [
        ("error", "not_found", thread.stream)
    ]
    assert not [f for f in after if f["op"] == "event"]
