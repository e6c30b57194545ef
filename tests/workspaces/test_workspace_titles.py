"""The titles people give documents, tasks and milestones follow one rule: white space
folded, no control characters, at most the field's length; tasks and milestones need
one, a document without one is named after its file."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from tests.workspaces.document_helpers import make_document
from workspaces.services import tasks as task_services

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

NOT_TEXT = "The title contains characters that are not text."


def _document(workspace, roles, title):
    return make_document(workspace, roles.member, title=title)


def _task(workspace, roles, title):
    return task_services.task_create(
        actor=roles.member, workspace=workspace, title=title
    )


def _milestone(workspace, roles, title):
    return task_services.milestone_create(
        actor=roles.member,
        workspace=workspace,
        title=title,
        due_date=datetime.date(2030, 5, 1),
    )


WRITERS = {"document": _document, "task": _task, "milestone": _milestone}


@pytest.mark.parametrize("kind", WRITERS)
def test_a_title_is_stored_with_its_white_space_folded(workspace, roles, kind):
    written = WRITERS[kind](workspace, roles, "  Piano\t di\n prova  ")

    assert written.title == "Piano di prova"


@pytest.mark.parametrize("character", ["\x00", "\x07", "\x1b", "\x7f"])
@pytest.mark.parametrize("kind", WRITERS)
def test_a_title_with_a_control_character_is_refused(workspace, roles, kind, character):
    with pytest.raises(ValidationError) as refused:
        WRITERS[kind](workspace, roles, f"Piano{character}segreto")

    assert refused.value.message_dict == {"title": [NOT_TEXT]}


@pytest.mark.parametrize("kind", ["task", "milestone"])
def test_a_task_or_milestone_needs_a_title(workspace, roles, kind):
    with pytest.raises(ValidationError) as refused:
        WRITERS[kind](workspace, roles, " \t ")

    assert refused.value.message_dict == {"title": ["Give it a title."]}


def test_a_document_without_a_title_is_named_after_its_file(workspace, roles):
    assert _document(workspace, roles, "   ").title == "report"
