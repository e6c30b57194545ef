"""A workspace from invitation to work, in two browsers: a lead invites a partner
organisation's administrator, who accepts for it; the partner uploads a document with
the progress bar; the lead sees it in the dashboard's activity feed without reloading,
then moves a task on the board by drag and drop."""

import re

import pytest

from tests.browser.test_workspace_documents import big_pdf, slow_uploads, watch_progress

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group(__name__)]

SETUP = """
from allauth.account.models import EmailAddress
from community.models import User
from community.services import organisations
from workspaces.services import tasks, workspaces

people = {}
for name, organisation, kind in (
    ("lucia", "Officine Lario", "enterprise"),
    ("piero", "Laboratori Adda", "university"),
):
    person = User.objects.create_user(name, f"{name}@example.org", "%(password)s")
    person.display_name = name.capitalize() + " Test"
    person.language = "en"
    person.save()
    EmailAddress.objects.create(user=person, email=person.email, verified=True, primary=True)
    organisations.organisation_create(actor=person, name=organisation, kind=kind)
    people[name] = User.objects.get(username=name)
workspace = workspaces.workspace_create(
    actor=people["lucia"], name="Giunti intelligenti", collaboration_type="joint_venture"
)
tasks.task_create(actor=people["lucia"], workspace=workspace, title="Draft the NDA")
tasks.task_create(
    actor=people["lucia"], workspace=workspace, title="Review the patents", status="doing"
)
url = workspace.get_absolute_url()
print(f"WORKSPACE {url}")
print(f"PEOPLE {url}people/")
print(f"DOCUMENTS {url}documents/")
print(f"BOARD {url}tasks/")
"""


def _column(page, status):
    return page.locator(f".task-column--{status} .task-cards")


def test_invitation_upload_activity_and_board_in_one_journey(
    site, signed_in_page, problems, tmp_path
):
    from playwright.sync_api import expect

    lead = signed_in_page("lucia@example.org")
    lead.goto(site.url + site.paths["PEOPLE"])
    lead.get_by_label("Username or e-mail address").fill("piero")
    lead.get_by_role("button", name="Send invitation").click()
    expect(lead.locator(".messages")).to_contain_text("Invitation sent")

    partner = signed_in_page("piero@example.org")
    partner.goto(site.url + "/w/invitations/")
    partner.get_by_role("link", name="Open").first.click()
    partner.get_by_role("button", name=re.compile("Accept, also for Laboratori Adda")).click()
    partner.wait_for_url(re.compile(re.escape(site.paths["WORKSPACE"]) + "$"))

    # The lead watches the dashboard, live, while the partner uploads.
    lead.goto(site.url + site.paths["WORKSPACE"])
    expect(lead.locator("[data-live-status]")).to_have_text("Live")
    uploaded = lead.locator('[data-event-type="document.uploaded"]')
    expect(uploaded).to_have_count(0)
    # The lead starts choosing a stage and looks away: the live refresh keeps it.
    stage = lead.locator("#id_stage")
    chosen = stage.locator("option").nth(2).get_attribute("value")
    stage.select_option(chosen)
    lead.locator("h1").click()

    partner.goto(site.url + site.paths["DOCUMENTS"])
    expect(partner.locator("[data-live-status]")).to_have_attribute(
        "data-state", "connected"
    )
    form = partner.locator("form[data-upload-form]")
    slow_uploads(partner)
    watch_progress(partner)
    form.get_by_label("Files").set_input_files(str(big_pdf(tmp_path / "accordo.pdf")))
    form.get_by_label("Title").fill("Bozza di accordo")
    form.get_by_role("button", name="Upload").click()
    bar = form.locator("[data-upload-progress]")
    expect(bar).to_be_visible()
    expect(form.locator("[data-upload-status]")).to_contain_text("1 document uploaded")
    expect(bar).to_have_attribute("value", "100")
    seen = partner.evaluate("window.progressSeen")
    assert any(0 < value < 100 for value in seen), seen

    expect(uploaded).to_have_count(1)
    expect(uploaded).to_contain_text("Bozza di accordo")
    expect(uploaded).to_contain_text("Piero Test")
    expect(stage).to_have_value(chosen)

    # The lead moves a task by drag and drop; the partner's open board follows (the
    # move was stored and broadcast), and it is still there after a reload.
    for page in (lead, partner):
        page.goto(site.url + site.paths["BOARD"])
        expect(page.locator("[data-live-status]")).to_have_attribute(
            "data-state", "connected"
        )
    lead.locator("li[data-title='Draft the NDA']").drag_to(
        lead.locator("li[data-title='Review the patents']"),
        target_position={"x": 20, "y": 5},
    )
    expect(_column(lead, "doing")).to_contain_text("Draft the NDA")
    expect(_column(partner, "doing")).to_contain_text("Draft the NDA")
    lead.reload()
    expect(_column(lead, "doing")).to_contain_text("Draft the NDA")
    expect(_column(lead, "todo")).not_to_contain_text("Draft the NDA")

    assert not problems, problems
    assert "Traceback" not in site.log.read_text(), site.log.read_text()
