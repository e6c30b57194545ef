"""Two members in a topic room: who is here, typing notices, messages sent with Enter
appear for both at once and group under one header."""

import re
import secrets

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group(__name__)]
# The set-up writes a long history at once.
SITE_SETTINGS = {"RATE_LIMIT_POSTS": "500"}

SETUP = """
from allauth.account.models import EmailAddress
from community.services import communities, memberships, rooms, threads
from community.models import User

people = []
for name, display in (("anna", "Anna Verdi"), ("bruno", "Bruno Bianchi")):
    person = User.objects.create_user(
        name, f"{name}@example.org", "%(password)s", display_name=display
    )
    EmailAddress.objects.create(user=person, email=person.email, verified=True, primary=True)
    people.append(person)
anna, bruno = people
community = communities.community_create(
    actor=anna, name="Materiali", description="", visibility="public", themes=[]
)
memberships.community_join(actor=bruno, community=community)
room = rooms.room_create(actor=anna, community=community, name="Caffè")
threads.post_reply(actor=anna, thread=room, body="Benvenuti nella stanza!")
archive = rooms.room_create(actor=anna, community=community, name="Archivio")
for n in range(1, 61):
    threads.post_reply(actor=people[n %% 2], thread=archive, body=f"Archivio n.{n:02d}")
print(f"ROOM {room.get_absolute_url()}")
print(f"ARCHIVE {archive.get_absolute_url()}")
print(f"COMMUNITY {community.get_absolute_url()}")
"""


def test_two_people_chat_in_a_room(site, signed_in_page, problems):
    from playwright.sync_api import expect

    base_url, log = site.url, site.log
    room_path, community_path = site.paths["ROOM"], site.paths["COMMUNITY"]
    anna = signed_in_page("anna@example.org")
    bruno = signed_in_page("bruno@example.org")
    for page in (anna, bruno):
        page.goto(base_url + room_path)
        expect(page.locator("[data-live-status]")).to_have_attribute(
            "data-state", "connected"
        )

    # Who is here: both, on both pages.
    for page in (anna, bruno):
        here = page.locator("[data-presence-list]")
        expect(here).to_contain_text("Anna Verdi")
        expect(here).to_contain_text("Bruno Bianchi")

    # Bruno types: Anna sees it (the notice is never stored), then his message.
    bruno_composer = bruno.get_by_label(re.compile("message to #caffè", re.I))
    bruno_composer.press_sequentially("Buongiorno a tutti")
    expect(anna.locator("[data-typing]")).to_have_text("Bruno Bianchi is typing…")
    expect(bruno.locator("[data-typing]")).to_have_text("")
    bruno_composer.press("Enter")
    for page in (anna, bruno):
        expect(
            page.locator(".room-message", has_text="Buongiorno a tutti")
        ).to_be_visible()
    expect(anna.locator("[data-typing]")).to_have_text("")

    # Anna sends two messages with Enter; both appear for both, the second grouped
    # under the first (same author, within five minutes).
    first = f"Chi ha provato il grafene? {secrets.token_hex(3)}"
    second = f"Cerco un fornitore in Lombardia. {secrets.token_hex(3)}"
    composer = anna.get_by_label(re.compile("message to #caffè", re.I))
    composer.fill(first)
    composer.press("Enter")
    expect(anna.locator(".room-message__body", has_text=first)).to_be_visible()
    composer.fill(second)
    composer.press("Enter")
    for page in (bruno, anna):
        messages = page.locator(".room-messages > .room-message")
        expect(messages.filter(has_text=second)).to_be_visible()
        expect(messages.filter(has_text=first)).not_to_have_class(re.compile("grouped"))
        expect(messages.filter(has_text=second)).to_have_class(
            re.compile("room-message--grouped")
        )
        expect(page.locator(".room-message--pending")).to_have_count(0)
    assert anna.url.endswith(room_path), "the messages went over the socket, not a POST"
    expect(composer).to_have_value("")

    # Shift+Enter starts a new line instead of sending.
    composer.press_sequentially("riga uno")
    composer.press("Shift+Enter")
    composer.press_sequentially("riga due")
    # Bruno's open room records that he has read the new message.
    with bruno.expect_response(lambda response: response.url.endswith("/read/")):
        composer.press("Enter")
        expect(bruno.locator(".room-message", has_text="riga due")).to_contain_text(
            "riga uno"
        )

    # Actions follow the viewer: Bruno may not edit Anna's messages, Anna may.
    last_for_bruno = bruno.locator(".room-messages > .room-message").last
    expect(last_for_bruno.locator("[data-action='edit']")).to_have_count(0)
    last_for_anna = anna.locator(".room-messages > .room-message").last
    expect(last_for_anna.locator("[data-action='edit']")).to_have_count(1)
    expect(last_for_anna.locator("[data-action='promote']")).to_have_count(1)

    # Bruno read everything while the room was open: no unread count is left.
    bruno.goto(base_url + community_path)
    cafe = bruno.locator(".room-list a", has_text="Caffè")
    expect(cafe).to_be_visible()
    expect(cafe.locator("[data-unread]")).to_have_count(0)

    assert not problems, problems
    assert "Traceback" not in log.read_text(), log.read_text()


def test_scrolling_up_loads_older_messages_in_place(site, signed_in_page, problems):
    from playwright.sync_api import expect

    base_url, archive_path, log = site.url, site.paths["ARCHIVE"], site.log
    bruno = signed_in_page("bruno@example.org")
    bruno.goto(base_url + archive_path)
    messages = bruno.locator(".room-messages > .room-message")
    expect(messages).to_have_count(50)
    expect(messages.last).to_contain_text("Archivio n.60")
    expect(messages.last).to_be_in_viewport()

    # Reaching the top of the stream fetches the ten older messages above them.
    bruno.locator("[data-room-older]").scroll_into_view_if_needed()
    expect(messages).to_have_count(60)
    expect(messages.first).to_contain_text("Archivio n.01")
    expect(bruno.locator(".room-start")).to_contain_text("beginning of #Archivio")
    expect(bruno.locator("[data-room-older]")).to_have_count(0)
    # What the reader was looking at stays in view; one day, one separator.
    expect(messages.filter(has_text="Archivio n.11")).to_be_in_viewport()
    expect(bruno.locator(".room-messages > .room-day")).to_have_count(1)
    numbers = messages.evaluate_all(
        "items => items.map((i) => Number(i.dataset.number))"
    )
    assert numbers == list(range(1, 61))

    assert not problems, problems
    assert "Traceback" not in log.read_text(), log.read_text()
