"""Document events reach the workspace's sockets after commit, with ids and facts
only; a removed participant's socket hears none of them."""

import pytest
from asgiref.sync import sync_to_async
from django.core.files.base import ContentFile

from tests.live.sockets import connect, frames, subscribe
from tests.support.factories import OrganisationFactory
from tests.support.workspaces import add_participant, make_workspace, person_of
from workspaces.models import Participant
from workspaces.services import documents, people

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


def setup_workspace():
    workspace = make_workspace()
    member = person_of(OrganisationFactory())
    add_participant(workspace, member)
    return workspace, member


def upload(workspace, actor, name="piano.txt"):
    (document,) = documents.document_upload(
        actor=actor,
        workspace=workspace,
        files=[ContentFile(b"Piano di lavoro\n", name=name)],
        title="Piano riservato",
    )
    return document


async def test_participants_see_uploads_versions_deletions_and_restores_live():
    workspace, member = await sync_to_async(setup_workspace)()
    lead = workspace.created_by
    socket = await connect(member)
    try:
        await subscribe(socket, workspace.stream)
        document = await sync_to_async(upload)(workspace, lead)
        document.workspace = workspace
        await sync_to_async(documents.document_version_upload)(
            actor=member, document=document, file=ContentFile(b"v2\n", name="piano.txt")
        )
        await sync_to_async(documents.document_delete)(actor=lead, document=document)
        await sync_to_async(documents.document_restore)(actor=lead, document=document)
        received = await frames(socket)
    finally:
        await socket.disconnect()

    assert [f["type"] for f in received] == [
        "document.uploaded",
        "document.versioned",
        "document.deleted",
        "document.restored",
    ]
    assert received[1]["data"]["document"] == document.pk
    assert received[1]["data"]["number"] == 2
    assert all("Piano" not in str(frame) for frame in received)


async def test_a_removed_participant_hears_no_more_document_events():
    workspace, member = await sync_to_async(setup_workspace)()
    socket = await connect(member)
    try:
        await subscribe(socket, workspace.stream)

        def remove_then_upload():
            participant = Participant.objects.get(workspace=workspace, user=member)
            people.participant_remove(
                actor=workspace.created_by, participant=participant
            )
            upload(workspace, workspace.created_by, "dopo.txt")

        await sync_to_async(remove_then_upload)()
        received = await frames(socket)
    finally:
        await socket.disconnect()

    assert "document.uploaded" not in [f.get("type") for f in received]
