"""The room page as a full-height app at 1280 and 390 px (the document never scrolls
on a phone, the messages do; the sidebar of every community's rooms with unread
counts, a drawer on phones), its keyboard shortcuts and their help dialog; a
question's accepted answer shown live and on the thread list."""

import re

import pytest

from tests.browser.scenarios import materiali_setup

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group(__name__)]
SITE_SETTINGS = {"RATE_LIMIT_POSTS": "500"}

SETUP = (
    materiali_setup()
    + """
from community.services import rooms

materials = community
energy = communities.community_create(
    actor=bruno, name="Energia", description="", visibility="public", themes=[]
)
memberships.community_join(actor=anna, community=energy)
lobby = rooms.room_create(actor=anna, community=materials, name="Atrio")
for n in range(1, 61):
    threads.post_reply(actor=people[n %% 2], thread=lobby, body=f"Messaggio n.{n:02d}")
quiet = rooms.room_create(actor=anna, community=materials, name="Biblioteca")
threads.post_reply(actor=anna, thread=quiet, body="Silenzio")
news = rooms.room_create(actor=bruno, community=energy, name="Notizie")
for n in range(3):
    threads.post_reply(actor=bruno, thread=news, body=f"Novità {n}")
question = threads.thread_create(
    actor=anna, community=materials, title="Quale sensore per il fango?",
    body="Cerco un sensore di livello.", is_question=True,
)
answer = threads.post_reply(actor=bruno, thread=question, body="Un radar a 80 GHz.")
print(f"LOBBY {lobby.get_absolute_url()}")
print(f"NEWS {news.get_absolute_url()}")
print(f"QUESTION {question.get_absolute_url()}")
print(f"ANSWER {answer.pk}")
print(f"COMMUNITY {materials.get_absolute_url()}")
"""
)

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


def _document_scrolls(page):
    return page.evaluate(
        "document.scrollingElement.scrollHeight > window.innerHeight"
    )


def _stream_scrolls(page):
    return page.evaluate(
        "(() => { const s = document.querySelector('[data-room-stream]');"
        " return s.scrollHeight > s.clientHeight; })()"
    )


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["1280", "390"])
def test_the_room_page_fills_the_screen_and_lists_every_community_s_rooms(
    site, signed_in_page, problems, artifacts, size
):
    from playwright.sync_api import expect

    anna = signed_in_page("anna@example.org", **size)
    anna.goto(site.url + site.paths["LOBBY"])
    expect(anna.locator("[data-live-status]")).to_have_attribute(
        "data-state", "connected"
    )
    # The document never scrolls; the messages do, and the composer is on screen.
    assert not _document_scrolls(anna)
    assert _stream_scrolls(anna)
    composer = anna.get_by_label("Message to #Atrio")
    expect(composer).to_be_in_viewport()
    expect(anna.get_by_text("Messaggio n.60")).to_be_in_viewport()
    sidebar = anna.locator("[data-room-sidebar]")
    news = sidebar.locator("a", has_text="Notizie")
    opener = anna.get_by_role("link", name="Conversations")
    if size is PHONE:
        expect(sidebar).not_to_be_visible()
        opener.click()
        expect(news).to_be_visible()
        # Slid all the way in, on the screen.
        expect(anna.locator("#room-aside")).to_be_in_viewport(ratio=1)
        anna.screenshot(path=artifacts / "room-drawer-390.png")
        # Focus moved into the drawer, on the current room.
        expect(sidebar.locator("[aria-current='page']")).to_be_focused()
        anna.keyboard.press("Escape")
        expect(sidebar).not_to_be_visible()
        expect(opener).to_be_focused()
        opener.click()
        expect(news).to_be_visible()
        anna.locator("[data-drawer-overlay]").click(position={"x": 370, "y": 400})
        expect(sidebar).not_to_be_visible()
        # The chat is where it was.
        expect(anna.get_by_text("Messaggio n.60")).to_be_in_viewport()
        assert not _document_scrolls(anna)
        opener.click()
    else:
        expect(opener).to_be_hidden()
    # Rooms of both communities, grouped by community, with unread counts.
    expect(sidebar.get_by_role("heading", name="Energia")).to_be_visible()
    expect(sidebar.get_by_role("heading", name="Materiali")).to_be_visible()
    expect(news.locator("[data-unread]")).to_contain_text("3")
    expect(sidebar.locator("a[aria-current='page']")).to_contain_text("Atrio")
    anna.screenshot(path=artifacts / f"room-{size['width']}.png")
    # Older messages still load, inside the message list.
    anna.locator("[data-room-stream]").evaluate("s => { s.scrollTop = -s.scrollHeight; }")
    expect(anna.get_by_text("Messaggio n.01")).to_be_attached()
    assert not _document_scrolls(anna)
    assert problems == []


def test_keyboard_shortcuts_and_their_help_dialog(site, signed_in_page, problems):
    from playwright.sync_api import expect

    anna = signed_in_page("anna@example.org", **DESKTOP)
    anna.goto(site.url + site.paths["LOBBY"])
    expect(anna.locator("[data-live-status]")).to_have_attribute(
        "data-state", "connected"
    )
    anna.locator("body").click(position={"x": 5, "y": 300})
    anna.keyboard.press("?")
    dialog = anna.get_by_role("dialog", name="Keyboard shortcuts")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Next room with unread messages")
    anna.keyboard.press("Escape")
    expect(dialog).to_be_hidden()

    # "/" writes a message; typing "?" and "/" there is text, not a shortcut.
    anna.keyboard.press("/")
    composer = anna.get_by_label("Message to #Atrio")
    expect(composer).to_be_focused()
    anna.keyboard.type("a/b?")
    expect(composer).to_have_value("a/b?")
    expect(dialog).to_be_hidden()
    # Escape leaves the composer for the messages.
    anna.keyboard.press("Escape")
    expect(anna.locator("[data-room-stream]")).to_be_focused()

    # Shift+End: back to the latest messages after scrolling up.
    stream = anna.locator("[data-room-stream]")
    stream.evaluate("s => { s.scrollTop = -s.scrollHeight; }")
    expect(anna.get_by_text("Messaggio n.60")).not_to_be_in_viewport()
    anna.keyboard.press("Shift+End")
    expect(anna.get_by_text("Messaggio n.60")).to_be_in_viewport()

    # Alt+Shift+Down: the next room with unread messages (Notizie, in Energia),
    # even from the composer.
    composer.focus()
    anna.keyboard.press("Alt+Shift+ArrowDown")
    anna.wait_for_url(re.compile(re.escape(site.paths["NEWS"]) + "$"))
    expect(anna.get_by_role("heading", level=1)).to_have_text("#Notizie")
    assert problems == []


def test_an_accepted_answer_shows_live_and_on_the_thread_list(
    site, signed_in_page, problems, artifacts
):
    from playwright.sync_api import expect

    anna = signed_in_page("anna@example.org", **DESKTOP)
    bruno = signed_in_page("bruno@example.org", **PHONE)
    for page in (anna, bruno):
        page.goto(site.url + site.paths["QUESTION"])
        expect(page.locator("[data-live-status]")).to_have_attribute(
            "data-state", "connected"
        )
    answer = f"[data-post='{site.paths['ANSWER']}']"
    # Bruno answered; only Anna, who asked, may accept.
    expect(bruno.locator(answer).get_by_role("button", name="Accept as answer")).to_have_count(0)
    anna.locator(answer).locator("[data-menu-toggle]").click()  # the post's actions
    anna.locator(answer).get_by_role("menuitem", name="Accept as answer").click()
    expect(anna.locator(answer)).to_have_class(re.compile("post--answer"))

    # Bruno's page follows without a reload: the answer marked, linked from the top.
    expect(bruno.locator(answer)).to_have_class(re.compile("post--answer"))
    summary = bruno.locator("[data-answer-summary]")
    expect(summary).to_be_visible()
    expect(summary.get_by_role("link", name="Go to the accepted answer")).to_have_attribute(
        "href", re.compile(rf"/p/{site.paths['ANSWER']}/$")
    )
    bruno.screenshot(path=artifacts / "answer-390.png", full_page=True)

    # The community's thread list: Solved, both participants, the views counted.
    anna.goto(site.url + site.paths["COMMUNITY"])
    row = anna.locator("[data-thread-row]", has_text="Quale sensore")
    expect(row.locator("[data-solved]")).to_have_text("Solved")
    expect(row.locator("[data-participant]")).to_have_count(2)
    expect(row.locator("[data-participant]").first).to_have_attribute(
        "title", "Bruno Bianchi"
    )
    expect(row.locator("[data-views]")).to_contain_text("2 views")
    anna.screenshot(path=artifacts / "thread-list-1280.png")
    assert problems == []
