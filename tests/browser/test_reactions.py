"""Reactions in two browsers, on a desktop and a phone width: one person reacts from
the picker, the other sees the count and the names change without a reload, toggles
it too, and the chips say who reacted on hover and keyboard focus."""

import re

import pytest

from tests.browser.scenarios import materiali_setup

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group(__name__)]

SETUP = (
    materiali_setup(("Grafene", "Chi ha provato il grafene?"))
    + """
from community.services import rooms

room = rooms.room_create(actor=anna, community=community, name="Caffè")
threads.post_reply(actor=anna, thread=room, body="Benvenuti nella stanza!")
print(f"THREAD {thread.get_absolute_url()}")
print(f"ROOM {room.get_absolute_url()}")
"""
)


def _open(page, url):
    from playwright.sync_api import expect

    page.goto(url)
    expect(page.locator("[data-live-status]")).to_have_attribute(
        "data-state", "connected"
    )
    # Set on the page now: still there afterwards means nothing reloaded it.
    page.evaluate("window.notReloaded = true")


def _react_from_picker(page, item, emoji):
    item.hover()
    item.get_by_role("link", name="Add a reaction").click()
    picker = item.get_by_role("group", name="Add a reaction")
    picker.get_by_role("button", name=f"React with {emoji}").click()


def _tip(page, chip):
    """What the chip's tooltip says (its ::after content), or "none"."""
    return chip.evaluate("(el) => getComputedStyle(el, '::after').content")


# One site for both widths: each run uses emoji of its own.
@pytest.mark.parametrize(
    ("width", "emoji", "other"), [(1280, "🎉", "👍"), (390, "🙏", "👀")]
)
def test_a_reaction_shows_for_the_other_person_without_a_reload(
    site, signed_in_page, problems, artifacts, width, emoji, other
):
    from playwright.sync_api import expect

    anna = signed_in_page("anna@example.org", width=width, height=850)
    bruno = signed_in_page("bruno@example.org", width=width, height=850)
    for page in (anna, bruno):
        _open(page, site.url + site.paths["THREAD"])
    post = {page: page.locator("ol.posts > li.post").first for page in (anna, bruno)}

    # Bruno reacts from the picker; Anna sees it at once, with his name.
    _react_from_picker(bruno, post[bruno], emoji)
    anna_chip = post[anna].locator(f".reaction[data-emoji='{emoji}']")
    expect(anna_chip).to_have_attribute("aria-label", f"{emoji} 1: Bruno Bianchi")
    expect(anna_chip).to_have_attribute("aria-pressed", "false")
    bruno_chip = post[bruno].locator(f".reaction[data-emoji='{emoji}']")
    expect(bruno_chip).to_have_attribute("aria-pressed", "true")

    # Who reacted shows on hover, and on keyboard focus.
    anna_chip.hover()
    assert "Bruno Bianchi" in _tip(anna, anna_chip)
    anna.mouse.move(0, 0)
    anna_chip.focus()
    anna.keyboard.press("Shift+Tab")
    anna.keyboard.press("Tab")
    expect(anna_chip).to_be_focused()
    assert "Bruno Bianchi" in _tip(anna, anna_chip)

    # Anna adds hers with the keyboard: both see two, and their own pressed.
    anna.keyboard.press("Enter")
    for page, pressed in ((anna, "true"), (bruno, "true")):
        chip = post[page].locator(f".reaction[data-emoji='{emoji}']")
        expect(chip).to_have_attribute(
            "aria-label", f"{emoji} 2: Bruno Bianchi and Anna Verdi"
        )
        expect(chip).to_have_attribute("aria-pressed", pressed)
    expect(post[anna].locator(f".reaction[data-emoji='{emoji}']")).to_be_focused()
    anna.screenshot(
        path=str(artifacts / f"reactions-thread-{width}.png"), full_page=True
    )

    # Bruno takes his back: Anna's count goes down to her alone.
    post[bruno].locator(f".reaction[data-emoji='{emoji}']").click()
    expect(post[anna].locator(f".reaction[data-emoji='{emoji}']")).to_have_attribute(
        "aria-label", f"{emoji} 1: Anna Verdi"
    )
    expect(post[bruno].locator(f".reaction[data-emoji='{emoji}']")).to_have_attribute(
        "aria-pressed", "false"
    )

    # In the room too: Bruno reacts to Anna's message, Anna sees it live.
    for page in (anna, bruno):
        _open(page, site.url + site.paths["ROOM"])
    message = {
        page: page.locator(".room-message", has_text="Benvenuti")
        for page in (anna, bruno)
    }
    _react_from_picker(bruno, message[bruno], other)
    expect(message[anna].locator(f".reaction[data-emoji='{other}']")).to_have_attribute(
        "aria-label", f"{other} 1: Bruno Bianchi"
    )
    bruno.screenshot(path=str(artifacts / f"reactions-room-{width}.png"))

    for page in (anna, bruno):
        assert page.evaluate("window.notReloaded === true")
        assert not re.search(r"/react/", page.url)
    assert not problems, problems
    assert "Traceback" not in site.log.read_text()
