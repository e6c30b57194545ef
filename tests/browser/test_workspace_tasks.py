"""The task board in a browser: a lead moves cards by mouse and by keyboard, and
another participant's open board follows without a reload."""

import re

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group(__name__)]

SETUP = """
from allauth.account.models import EmailAddress
from community.models import User
from community.services import organisations
from workspaces.services import people, tasks, workspaces

users = {}
for name, organisation in (("anna", "Officine Rossi"), ("bruno", "Politecnico Est")):
    person = User.objects.create_user(name, f"{name}@example.org", "%(password)s")
    EmailAddress.objects.create(user=person, email=person.email, verified=True, primary=True)
    organisations.organisation_create(actor=person, name=organisation, kind="enterprise")
    person.refresh_from_db()
    users[name] = person
anna, bruno = users["anna"], users["bruno"]
workspace = workspaces.workspace_create(
    actor=anna, name="Valvole a idrogeno", collaboration_type="joint_venture"
)
people.participant_add(
    actor=anna, workspace=workspace, user=bruno, organisation=bruno.organisation,
    role="member",
)
for title in ("Draft the NDA", "Book the lab"):
    tasks.task_create(actor=anna, workspace=workspace, title=title)
tasks.task_create(actor=anna, workspace=workspace, title="Review the patents", status="doing")
print(f"BOARD /w/{workspace.pk}/tasks/")
"""


def _column(page, status):
    return page.locator(f".task-column--{status} .task-cards")


def test_a_lead_moves_cards_by_mouse_and_keyboard_and_others_see_it_live(
    site, signed_in_page, problems, artifacts
):
    from playwright.sync_api import expect

    board = site.url + site.paths["BOARD"]
    anna = signed_in_page("anna@example.org")
    bruno = signed_in_page("bruno@example.org")
    for page in (anna, bruno):
        page.goto(board)
        expect(page.locator("[data-live-status]")).to_have_attribute(
            "data-state", "connected"
        )
    expect(_column(bruno, "todo")).to_contain_text("Draft the NDA")

    # With the mouse: "Draft the NDA" from To do onto Doing, above "Review the patents".
    anna.locator("li[data-title='Draft the NDA']").drag_to(
        anna.locator("li[data-title='Review the patents']"),
        target_position={"x": 20, "y": 5},
    )
    expect(_column(anna, "doing").locator("li[data-task]").first).to_have_attribute(
        "data-title", "Draft the NDA"
    )
    expect(_column(bruno, "doing")).to_contain_text("Draft the NDA")
    expect(_column(bruno, "todo")).not_to_contain_text("Draft the NDA")

    # With the keyboard: "Book the lab" to the next column (it keeps its place at
    # the top), then down, one place at a time, to the bottom.
    card = anna.locator("li[data-title='Book the lab']")
    card.focus()
    anna.keyboard.press("ArrowRight")
    announcer = anna.locator("[data-board-announcer]")
    expect(announcer).to_have_text(
        re.compile("“Book the lab” moved to Doing, position 1")
    )
    expect(_column(bruno, "doing")).to_contain_text("Book the lab")
    expect(anna.locator("li[data-title='Book the lab']")).to_be_focused()
    anna.keyboard.press("ArrowDown")
    expect(announcer).to_have_text(re.compile("position 2"))
    expect(anna.locator("li[data-title='Book the lab']")).to_be_focused()
    anna.keyboard.press("ArrowDown")
    expect(announcer).to_have_text(re.compile("position 3"))
    expect(_column(bruno, "doing").locator("li[data-task]").last).to_have_attribute(
        "data-title", "Book the lab"
    )
    expect(_column(bruno, "todo").locator("li[data-task]")).to_have_count(0)

    # What both saw is what was stored.
    anna.reload()
    titles = _column(anna, "doing").locator("li[data-task]")
    expect(titles).to_have_count(3)
    assert [titles.nth(n).get_attribute("data-title") for n in range(3)] == [
        "Draft the NDA",
        "Review the patents",
        "Book the lab",
    ]

    anna.screenshot(path=artifacts / "workspace-task-board.png", full_page=True)
    assert not problems, problems
    assert "Traceback" not in site.log.read_text(), site.log.read_text()


def test_list_timeline_task_page_and_export_work_in_the_browser(
    site, signed_in_page, problems, artifacts
):
    from playwright.sync_api import expect

    board = site.url + site.paths["BOARD"]
    anna = signed_in_page("anna@example.org")

    anna.goto(board + "list/")
    anna.get_by_label("Sort by").select_option("title")
    anna.get_by_role("button", name="Show").click()
    expect(anna.locator(".task-table tbody tr").first).to_contain_text("Book the lab")

    anna.goto(board.replace("/tasks/", "/milestones/"))
    anna.get_by_role("link", name="New milestone").click()
    anna.get_by_label("Title").fill("Prototype on the bench")
    anna.get_by_label("Date").fill("2031-03-01")
    anna.get_by_role("button", name="Add milestone").click()
    expect(anna.locator(".timeline")).to_contain_text("Prototype on the bench")
    expect(anna.locator(".timeline__today")).to_be_visible()
    anna.screenshot(path=artifacts / "workspace-milestones.png", full_page=True)

    anna.goto(board)
    anna.get_by_role("link", name="Book the lab").click()
    anna.get_by_label("Comment").fill("Which lab do we book?")
    anna.get_by_role("button", name="Start the discussion").click()
    expect(anna.locator(".posts")).to_contain_text("Which lab do we book?")
    anna.go_back()
    anna.reload()
    expect(
        anna.get_by_role("link", name=re.compile("Open the discussion"))
    ).to_be_visible()

    anna.goto(board.replace("/tasks/", "/export/"))
    anna.get_by_role("button", name="Prepare an export").click()
    download_link = anna.get_by_role("link", name=re.compile("Download"))
    expect(download_link).to_be_visible()
    with anna.expect_download() as download:
        download_link.click()
    assert download.value.suggested_filename.startswith("valvole-a-idrogeno-")

    anna.goto(site.url + "/w/tasks/")
    expect(anna.get_by_role("heading", name="My tasks")).to_be_visible()

    assert not problems, problems
    assert "Traceback" not in site.log.read_text(), site.log.read_text()
