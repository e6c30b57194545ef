"""A replayed thread title is the title its page shows now: a title a moderator
renamed away, or the title of a deleted document's thread (which only the
workspace's leads may read), never comes back through a community or thread stream.
"""

import json

import pytest
from asgiref.sync import sync_to_async

from community.services import thread_tools
from tests.community.thread_helpers import community_with_thread
from tests.live.sockets import connect, frames, subscribe
from tests.support.factories import OrganisationFactory, UserFactory
from tests.support.roles import member_of
from tests.support.workspaces import add_participant, make_workspace, person_of
from tests.workspaces.document_helpers import make_document
from workspaces.services import documents

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]

OLD_TITLE = "Offerta riservata per Rossi SpA a 4200 euro"
NEW_TITLE = "Offerte di sensori"


def _renamed_thread():
    community, owner, thread = community_with_thread(title=OLD_TITLE)
    thread_tools.thread_rename(actor=owner, thread=thread, title=NEW_TITLE)
    return community, thread


def _says(received, text):
    return text in json.dumps(received, ensure_ascii=False)


@pytest.mark.parametrize("stream_kind", ["community", "thread"])
@pytest.mark.parametrize("reader", ["anonymous", "outsider"])
async def test_a_renamed_threads_old_title_is_in_no_replay(stream_kind, reader):
    community, thread = await sync_to_async(_renamed_thread)()
    person = await sync_to_async(UserFactory)() if reader == "outsider" else None
    stream = f"{stream_kind}:{community.pk if stream_kind == 'community' else thread.pk}"

    socket = await connect(person)
    received = await subscribe(socket, stream, after=0)
    await socket.disconnect()

    assert received[0]["op"] == "subscribed"
    titled = [f for f in received if f.get("op") == "event" and "title" in f["data"]]
    assert titled, "the thread's events are replayed"
    assert all(f["data"]["title"] == NEW_TITLE for f in titled)
    assert not _says(received, OLD_TITLE)


async def test_a_live_rename_carries_the_new_title_only():
    community, owner, thread = await sync_to_async(community_with_thread)(title=OLD_TITLE)
    reader = await sync_to_async(member_of)(community)
    socket = await connect(reader)
    assert (await subscribe(socket, f"community:{community.pk}"))[0]["op"] == "subscribed"

    await sync_to_async(thread_tools.thread_rename)(
        actor=owner, thread=thread, title=NEW_TITLE
    )
    received = await frames(socket)
    await socket.disconnect()

    assert [f["type"] for f in received] == ["thread.renamed"]
    assert received[0]["data"]["title"] == NEW_TITLE
    assert not _says(received, OLD_TITLE)


def _deleted_document_with_a_thread():
    workspace = make_workspace()
    member = person_of(OrganisationFactory())
    add_participant(workspace, member)
    document = make_document(workspace, workspace.created_by, title=OLD_TITLE)
    documents.document_comment(actor=member, document=document, body="Prima nota")
    documents.document_delete(actor=workspace.created_by, document=document)
    return workspace, member


async def test_a_deleted_documents_thread_title_replays_to_no_one_but_the_leads():
    workspace, member = await sync_to_async(_deleted_document_with_a_thread)()
    stream = f"community:{workspace.community_id}"

    socket = await connect(member)
    received = await subscribe(socket, stream, after=0)
    await socket.disconnect()
    lead_socket = await connect(workspace.created_by)
    led = await subscribe(lead_socket, stream, after=0)
    await lead_socket.disconnect()

    assert received[0]["op"] == "subscribed"
    assert [f["type"] for f in received if f.get("op") == "event"] == [
        f["type"] for f in led if f.get("op") == "event"
    ]
    assert not _says(received, OLD_TITLE)
