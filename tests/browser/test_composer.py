"""The composer and editing in place, in Chromium at 1280 and 390 px: posts and room
messages edited where they are (another reader sees it without a reload), Up-arrow
in an empty room composer, drafts back after a reload, the formatting toolbar and the
server's preview, and each message's action menu by keyboard and on a phone."""

import re
import secrets

import pytest

from tests.browser.scenarios import materiali_setup

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group(__name__)]

SETUP = (
    materiali_setup(("Grafene in Lombardia", "Chi lo produce?"), language="en")
    + """
from community.services import rooms

threads.post_reply(actor=bruno, thread=thread, body="Noi a Bergamo.")
room = rooms.room_create(actor=anna, community=community, name="Caffè")
threads.post_reply(actor=bruno, thread=room, body="Buongiorno!")
threads.post_reply(actor=anna, thread=room, body="Ciao Bruno, come va?")
print(f"THREAD {thread.get_absolute_url()}")
print(f"ROOM {room.get_absolute_url()}")
"""
)

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def connected(page):
    from playwright.sync_api import expect

    expect(page.locator("[data-live-status]")).to_have_attribute("data-state", "connected")


def open_menu(item):
    """Open `item`'s action menu with its button; return the menu."""
    from playwright.sync_api import expect

    toggle = item.locator("[data-menu-toggle]")
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    return item.get_by_role("menu")


def test_a_post_edited_in_place_reaches_the_other_reader(site, signed_in_page, problems):
    from playwright.sync_api import expect

    anna = signed_in_page("anna@example.org", **DESKTOP)
    bruno = signed_in_page("bruno@example.org", **DESKTOP)
    for page in (anna, bruno):
        page.goto(site.url + site.paths["THREAD"])
        connected(page)
    first = anna.locator(".posts > li").first

    # Escape puts the body back untouched.
    open_menu(first).get_by_role("menuitem", name="Edit").click()
    editor = first.get_by_role("textbox", name="Edit the message")
    expect(editor).to_have_value("Chi lo produce?")
    expect(editor).to_be_focused()
    editor.press("Escape")
    expect(editor).to_have_count(0)
    expect(first.locator(".post__body")).to_have_text("Chi lo produce?")

    new_text = f"Chi lo produce in **Lombardia**? {secrets.token_hex(3)}"
    open_menu(first).get_by_role("menuitem", name="Edit").click()
    editor = first.get_by_role("textbox", name="Edit the message")
    editor.fill(new_text)
    first.get_by_role("button", name="Save").click()
    expect(editor).to_have_count(0)
    expect(first.locator(".post__body strong")).to_have_text("Lombardia")
    # Bruno's open page follows, with the "edited" mark.
    bruno_first = bruno.locator(".posts > li").first
    expect(bruno_first.locator(".post__body strong")).to_have_text("Lombardia")
    expect(bruno_first).to_contain_text("edited")
    # The history keeps the earlier version.
    anna.goto(site.url + site.paths["THREAD"])
    anna.locator(".posts > li").first.get_by_role("link", name="edited").click()
    expect(anna.locator("main")).to_contain_text("Chi lo produce?")

    assert not problems, problems
    assert "Traceback" not in site.log.read_text(), site.log.read_text()


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["1280", "390"])
def test_up_arrow_edits_my_last_room_message(site, signed_in_page, problems, size):
    from playwright.sync_api import expect

    anna = signed_in_page("anna@example.org", **size)
    bruno = signed_in_page("bruno@example.org", **DESKTOP)
    for page in (anna, bruno):
        page.goto(site.url + site.paths["ROOM"])
        connected(page)
    composer = anna.get_by_label(re.compile("message to #caffè", re.I))
    mine = anna.locator(".room-message[data-post]", has_text="Ciao Bruno")

    composer.press("ArrowUp")
    editor = mine.get_by_role("textbox", name="Edit the message")
    expect(editor).to_be_focused()
    text = f"Ciao Bruno, tutto bene? {secrets.token_hex(3)}"
    editor.fill(text)
    editor.press("Enter")  # in a room, Enter saves as it sends
    expect(editor).to_have_count(0)
    expect(composer).to_be_focused()
    expect(bruno.locator(".room-message__body", has_text=text)).to_be_visible()
    expect(bruno.locator(".room-message", has_text=text)).to_contain_text("edited")
    # Bruno's Up-arrow opens his own last message, never Anna's.
    bruno.get_by_label(re.compile("message to #caffè", re.I)).press("ArrowUp")
    editor = bruno.get_by_role("textbox", name="Edit the message")
    expect(editor).to_have_value("Buongiorno!")
    editor.press("Escape")
    expect(bruno.locator("form[data-inline-edit]")).to_have_count(0)

    assert not problems, problems
    assert "Traceback" not in site.log.read_text(), site.log.read_text()


def test_a_draft_comes_back_after_a_reload_and_goes_once_sent(site, signed_in_page, problems):
    from playwright.sync_api import expect

    anna = signed_in_page("anna@example.org", **DESKTOP)
    anna.goto(site.url + site.paths["ROOM"])
    connected(anna)
    composer = anna.get_by_label(re.compile("message to #caffè", re.I))
    draft = f"Una bozza da finire {secrets.token_hex(3)}"
    with anna.expect_response(lambda r: "/draft/" in r.url and r.request.method == "POST"):
        composer.press_sequentially(draft, delay=5)
    anna.reload()
    composer = anna.get_by_label(re.compile("message to #caffè", re.I))
    expect(composer).to_have_value(draft)

    # On another device (a new browser session), the same draft.
    elsewhere = signed_in_page("anna@example.org", **PHONE)
    elsewhere.goto(site.url + site.paths["ROOM"])
    expect(elsewhere.get_by_label(re.compile("message to #caffè", re.I))).to_have_value(draft)

    connected(anna)
    composer.press("Enter")  # sent over the socket
    # Delivered (not just pending): the server has stored it, and cleared the draft.
    expect(anna.locator(".room-message[data-post]", has_text=draft)).to_be_visible()
    anna.reload()
    expect(anna.get_by_label(re.compile("message to #caffè", re.I))).to_have_value("")

    assert not problems, problems
    assert "Traceback" not in site.log.read_text(), site.log.read_text()


def test_the_toolbar_marks_text_and_the_preview_shows_the_servers_rendering(
    site, signed_in_page, problems
):
    from playwright.sync_api import expect

    bruno = signed_in_page("bruno@example.org", **DESKTOP)
    bruno.goto(site.url + site.paths["THREAD"])
    composer = bruno.get_by_role("textbox", name="Your reply")
    composer.fill("importante")
    composer.select_text()
    composer.press("Control+b")
    expect(composer).to_have_value("**importante**")
    composer.press("End")
    composer.press("Enter")
    bruno.get_by_role("toolbar", name="Formatting").get_by_role("button", name="Bulleted list").click()
    composer.press_sequentially("uno")
    expect(composer).to_have_value("**importante**\n- uno")

    preview = bruno.get_by_role("button", name="Preview")
    preview.click()
    expect(preview).to_have_attribute("aria-pressed", "true")
    shown = bruno.locator("[data-preview-body]")
    expect(shown.locator("strong")).to_have_text("importante")
    expect(shown.locator("li")).to_have_text("uno")
    expect(composer).to_be_hidden()
    preview.click()
    expect(composer).to_be_visible()

    # What posting refuses, the preview says.
    composer.fill("   ")
    preview.click()
    expect(shown.get_by_role("alert")).to_have_text("Write something first.")

    # The refusal's 400 is the browser's only complaint.
    refused = [p for p in problems if "/compose/preview/" in p and "400" in p]
    assert len(refused) == 1 and len(problems) == 1, problems


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["1280", "390"])
def test_the_action_menu_works_by_keyboard_and_on_a_phone(site, signed_in_page, problems, size):
    from playwright.sync_api import expect

    bruno = signed_in_page("bruno@example.org", **size)
    bruno.goto(site.url + site.paths["THREAD"])
    first = bruno.locator(".posts > li").first  # Anna's: quote and report for Bruno
    toggle = first.get_by_role("button", name=re.compile("actions on post #1", re.I))
    expect(first.locator("[data-action='quote']")).to_be_hidden()

    toggle.focus()
    toggle.press("Enter")
    menu = first.get_by_role("menu")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    items = menu.get_by_role("menuitem")
    expect(items).to_have_text(["Quote", "Report", "Copy link"])
    expect(items.nth(0)).to_be_focused()
    bruno.keyboard.press("ArrowDown")
    expect(items.nth(1)).to_be_focused()
    bruno.keyboard.press("End")
    expect(items.nth(2)).to_be_focused()
    bruno.keyboard.press("ArrowDown")  # wraps round
    expect(items.nth(0)).to_be_focused()
    bruno.keyboard.press("Escape")
    expect(menu).to_be_hidden()
    expect(toggle).to_be_focused()
    expect(toggle).to_have_attribute("aria-expanded", "false")

    # The menu fits the page, and Quote from it fills the composer.
    toggle.click()
    box = menu.bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= size["width"]
    menu.get_by_role("menuitem", name="Quote").click()
    expect(menu).to_be_hidden()
    expect(bruno.get_by_role("textbox", name="Your reply")).to_have_value(re.compile("> Chi lo produce"))

    assert not problems, problems
