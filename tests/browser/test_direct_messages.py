"""A direct message between two people, on a desktop and on a phone: "Send a message"
on a profile opens the conversation, the other person finds it under Messages with
its unread count, messages reach both without a reload, and a room page's sidebar
counts a new message live."""

import re
import secrets

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group(__name__)]

SETUP = """
from allauth.account.models import EmailAddress
from community.models import User
from community.services import communities, memberships, rooms

people = {}
for name, display in (
    ("anna", "Anna Verdi"), ("bruno", "Bruno Bianchi"),
    ("carla", "Carla Neri"), ("dario", "Dario Rossi"),
):
    person = User.objects.create_user(
        name, f"{name}@example.org", "%(password)s", display_name=display
    )
    EmailAddress.objects.create(user=person, email=person.email, verified=True, primary=True)
    people[name] = person
community = communities.community_create(
    actor=people["anna"], name="Materiali", description="", visibility="public", themes=[]
)
for name in ("bruno", "carla", "dario"):
    memberships.community_join(actor=people[name], community=community)
room = rooms.room_create(actor=people["anna"], community=community, name="caffe")
print("ROOM", room.get_absolute_url())
"""

PAIRS = {1280: ("anna", "Anna Verdi", "bruno", "Bruno Bianchi"), 390: (
    "carla", "Carla Neri", "dario", "Dario Rossi"
)}


@pytest.mark.parametrize("width", [1280, 390])
def test_a_direct_message_between_two_people_arrives_live(
    site, signed_in_page, problems, artifacts, width
):
    from playwright.sync_api import expect

    writer, writer_name, reader, reader_name = PAIRS[width]
    height = 800 if width > 500 else 760
    first = signed_in_page(f"{writer}@example.org", width=width, height=height)
    second = signed_in_page(f"{reader}@example.org", width=width, height=height)

    # From the profile: "Send a message" opens the conversation, named after them.
    first.goto(f"{site.url}/u/{reader}/")
    first.get_by_role("button", name="Send a message").click()
    expect(first.get_by_role("heading", level=1)).to_have_text(reader_name)
    expect(first.locator("[data-live-status]")).to_have_attribute("data-state", "connected")

    hello = f"Ciao, hai un minuto? {secrets.token_hex(3)}"
    composer = first.get_by_label(f"Message to {reader_name}")
    composer.fill(hello)
    composer.press("Enter")
    expect(first.locator(".room-message__body", has_text=hello)).to_be_visible()

    # The other person finds it under Messages, with its unread count (once the
    # message is stored: the writer's page shows it before the server's ack).
    row = second.locator("[data-direct-row]", has_text=writer_name)
    for _attempt in range(20):
        second.goto(f"{site.url}/messages/")
        if row.locator("[data-unread]").count():
            break
        second.wait_for_timeout(250)
    expect(row.locator("[data-unread]")).to_contain_text("1")
    expect(second.locator("[data-direct-unread]")).to_contain_text("1")
    second.screenshot(path=str(artifacts / f"direct-list-{width}.png"), full_page=True)
    row.get_by_role("link", name=writer_name).click()
    expect(second.get_by_role("heading", level=1)).to_have_text(writer_name)
    expect(second.locator(".room-message__body", has_text=hello)).to_be_visible()
    expect(second.locator("[data-live-status]")).to_have_attribute("data-state", "connected")

    # Live both ways, without a reload.
    reply = f"Certo, dimmi pure. {secrets.token_hex(3)}"
    second_composer = second.get_by_label(f"Message to {writer_name}")
    second_composer.fill(reply)
    second_composer.press("Enter")
    expect(first.locator(".room-message__body", has_text=reply)).to_be_visible()
    first.screenshot(path=str(artifacts / f"direct-room-{width}.png"), full_page=True)

    # In a room, the sidebar lists the conversation by name and counts a new message
    # without a reload; on a phone it is in the drawer.
    confirmed = set()
    second.on(
        "websocket",
        lambda socket: socket.on(
            "framereceived",
            lambda frame: confirmed.update(
                re.findall(r'"op":\s*"subscribed",\s*"stream":\s*"([^"]+)"', str(frame))
            ),
        ),
    )
    second.goto(site.url + site.paths["ROOM"])
    link = second.locator("[data-room-sidebar] [data-room-link]", has_text=writer_name)
    expect(link).to_have_count(1)
    expect(link.locator("[data-unread]")).to_have_count(0)
    # The sidebar follows every community and conversation it lists (once the server
    # confirmed them: a notice sent before is not for this page).
    followed = set(second.locator("[data-room-sidebar]").get_attribute("data-streams").split())
    for _attempt in range(100):
        if followed <= confirmed:
            break
        second.wait_for_timeout(100)
    assert followed <= confirmed, (followed, confirmed)
    more = f"Ti mando i dati. {secrets.token_hex(3)}"
    composer.fill(more)
    composer.press("Enter")
    expect(link.locator("[data-unread]")).to_contain_text("1")
    if width < 500:
        second.get_by_role("link", name="Conversations").click()
    second.locator("[data-room-sidebar] [data-room-link]", has_text=writer_name).click()
    expect(second.locator(".room-message__body", has_text=more)).to_be_visible()

    # The page does not scroll sideways on a phone.
    assert first.evaluate("document.documentElement.scrollWidth") <= width
    assert problems == []
