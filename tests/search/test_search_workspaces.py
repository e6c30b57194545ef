"""A workspace's discussion is found by its participants (and staff) only: the same
rules as its pages, decided when searching, so a removed participant finds nothing."""

import pytest

from community.services import threads
from tests.search.helpers import result_count, search_page
from tests.support.workspaces import make_workspace, workspace_roles

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

FINDS = {
    "stranger": False,
    "guest": True,
    "member": True,
    "lead": True,
    "removed": False,
    "partner_colleague": False,
    "staff": True,
}


@pytest.mark.parametrize(("role", "finds"), FINDS.items())
def test_a_workspace_discussion_is_found_by_its_participants_only(
    client, django_capture_on_commit_callbacks, role, finds
):
    workspace = make_workspace()
    people = vars(workspace_roles(workspace))
    with django_capture_on_commit_callbacks(execute=True):
        threads.thread_create(
            actor=workspace.created_by,
            community=workspace.community,
            title="Piano di lavoro",
            body="Consegna del prototipo zeppelinico",
        )

    html = search_page(client, people[role], "zeppelinico")

    assert result_count(html) == (1 if finds else 0)
    assert ("prototipo" in html) is finds
