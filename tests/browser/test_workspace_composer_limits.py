"""A workspace's comment boxes (a document's, a task's) count like the discussion's
composers: past the limit the counter says by how much, the box is not sent and the
text stays; at the limit it is sent."""

import re

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group(__name__)]

LIMIT = 2_000

SITE_SETTINGS = {"POST_BODY_MAX_LENGTH": str(LIMIT)}

SETUP = """
from allauth.account.models import EmailAddress
from django.core.files.base import ContentFile
from community.models import User
from community.services import organisations
from workspaces.services import documents, tasks, workspaces

anna = User.objects.create_user("anna", "anna@example.org", "%(password)s")
EmailAddress.objects.create(user=anna, email=anna.email, verified=True, primary=True)
organisations.organisation_create(actor=anna, name="Officine Rossi", kind="enterprise")
anna.refresh_from_db()
workspace = workspaces.workspace_create(
    actor=anna, name="Valvole a idrogeno", collaboration_type="joint_venture"
)
(document,) = documents.document_upload(
    actor=anna, workspace=workspace,
    files=[ContentFile(b"Prove di tenuta\\n", name="prove.txt")], title="Prove di tenuta",
)
task = tasks.task_create(actor=anna, workspace=workspace, title="Draft the NDA")
print(f"DOCUMENT /w/{workspace.pk}/documents/{document.pk}/")
print(f"TASK /w/{workspace.pk}/tasks/{task.pk}/")
"""


@pytest.mark.parametrize("box", ["DOCUMENT", "TASK"])
def test_an_over_long_comment_stays_in_the_box_and_is_not_sent(
    site, signed_in_page, problems, box
):
    from playwright.sync_api import expect

    page = signed_in_page("anna@example.org")
    page.goto(site.url + site.paths[box])
    field = page.get_by_label("Comment")
    counter = page.locator("textarea[name=body] + .length-counter")
    text = ("Misure di tenuta a 700 bar sul prototipo. " * 60)[: LIMIT + 25]

    field.fill(text)
    expect(counter).to_be_visible()
    expect(counter).to_contain_text(f"{LIMIT + 25:,} / {LIMIT:,}")
    expect(counter).to_contain_text("Too long by 25 characters")
    page.locator("form:has(textarea[name=body]) button[type=submit]").click()
    page.wait_for_timeout(500)

    assert page.url == site.url + site.paths[box], "the comment was sent"
    assert field.input_value() == text, "the text left the box"

    field.fill(text[:LIMIT])
    expect(counter).not_to_have_class(re.compile("over"))
    page.locator("form:has(textarea[name=body]) button[type=submit]").click()
    expect(page.locator(".post").first).to_be_visible()
    assert "/t/" in page.url, "sent at the limit, it opened the discussion"
    assert not problems, problems
