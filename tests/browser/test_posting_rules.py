"""Posting rules in the browser: a moderator turns slow mode on and a member's open
room follows it live; after a message the composer counts the wait down; a new
member's first message is shown to them as awaiting approval, then published for
everyone when a moderator approves it."""

import re
import secrets

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group(__name__)]

SETUP = """
from allauth.account.models import EmailAddress
from community.services import communities, memberships, reports, rooms, threads
from community.models import User

people = []
for name, display in (("anna", "Anna Verdi"), ("bruno", "Bruno Bianchi"), ("carla", "Carla Neri")):
    person = User.objects.create_user(
        name, f"{name}@example.org", "%(password)s", display_name=display, language="en"
    )
    EmailAddress.objects.create(user=person, email=person.email, verified=True, primary=True)
    people.append(person)
anna, bruno, carla = people
community = communities.community_create(
    actor=anna, name="Materiali", description="", visibility="public", themes=[]
)
memberships.community_join(actor=bruno, community=community)
room = rooms.room_create(actor=anna, community=community, name="Caffè")
threads.post_reply(actor=bruno, thread=room, body="Buongiorno!")
newcomers = communities.community_create(
    actor=anna, name="Nuovi arrivi", description="", visibility="public", themes=[]
)
reports.moderation_settings_change(
    actor=anna, community=newcomers, report_threshold=3, first_posts_approval=1
)
memberships.community_join(actor=carla, community=newcomers)
welcome = rooms.room_create(actor=anna, community=newcomers, name="Benvenuti")
print(f"ROOM {room.get_absolute_url()}")
print(f"WELCOME {welcome.get_absolute_url()}")
print(f"HELD /c/{newcomers.slug}/moderation/held/")
"""


def _connected(page):
    from playwright.sync_api import expect

    expect(page.locator("[data-live-status]")).to_have_attribute("data-state", "connected")


def test_slow_mode_is_followed_live_and_counted_down(site, signed_in_page, problems):
    from playwright.sync_api import expect

    anna = signed_in_page("anna@example.org")
    bruno = signed_in_page("bruno@example.org")
    for page in (anna, bruno):
        page.goto(site.url + site.paths["ROOM"])
        _connected(page)
    slow = bruno.locator("[data-slow-mode]")
    expect(slow).to_be_hidden()

    # Anna (the owner) sets it from the room; Bruno's open page follows at once.
    anna.get_by_label("Slow mode").select_option("60")
    anna.get_by_role("button", name="Set").click()
    expect(anna.get_by_text("Slow mode is on: one message every 60 seconds")).to_be_visible()
    expect(slow).to_be_visible()
    expect(slow).to_contain_text("one message every 60 seconds per member")

    # Bruno writes: the composer says how long he waits, and the send button waits.
    message = f"Qualcuno ha dati sul PLA? {secrets.token_hex(3)}"
    composer = bruno.get_by_label(re.compile("message to #caffè", re.I))
    composer.fill(message)
    composer.press("Enter")
    expect(bruno.locator(".room-message__body", has_text=message)).to_be_visible()
    expect(bruno.locator("[data-slow-mode-wait]")).to_contain_text(
        re.compile(r"You can write again in \d+ seconds")
    )
    expect(bruno.locator("form[data-room-composer] button[type='submit']")).to_be_disabled()
    # Without the countdown, a reload says the same (rendered by the server).
    bruno.reload()
    expect(bruno.locator("[data-slow-mode-wait]")).to_contain_text("You can write again in")


def test_a_first_message_waits_for_approval_then_appears(site, signed_in_page, problems):
    from playwright.sync_api import expect

    carla = signed_in_page("carla@example.org")
    anna = signed_in_page("anna@example.org")
    carla.goto(site.url + site.paths["WELCOME"])
    _connected(carla)
    message = f"Ciao, sono nuova qui. {secrets.token_hex(3)}"
    composer = carla.get_by_label(re.compile("message to #benvenuti", re.I))
    composer.fill(message)
    composer.press("Enter")
    expect(carla.locator(".post--held", has_text=message)).to_contain_text("Awaiting approval")

    anna.goto(site.url + site.paths["HELD"])
    held = anna.locator("[data-held-post]", has_text=message)
    expect(held).to_be_visible()
    held.get_by_role("button", name="Approve").click()
    expect(anna.get_by_text("The post is approved and published.")).to_be_visible()

    # Carla's page shows it published, without a reload and without the marker.
    published = carla.locator(".room-message:not(.post--held) .room-message__body", has_text=message)
    expect(published).to_be_visible()
    expect(carla.locator(".post--held", has_text=message)).to_have_count(0)
