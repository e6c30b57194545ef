"""Live posts show the actions the server names for this viewer, and nothing else.

Every post event a socket receives carries `"viewer": {"actions": [...]}`; the page
keeps exactly those actions of the shared fragment and none when the field is
missing. One test drives the real server end to end (a muted author); the others
put a proxy between page and server that rewrites `viewer`, so they pin what the
page does with any answer, whatever the server sends.
"""

import json
import re
import secrets

import pytest

from tests.browser.scenarios import energia_thread_setup

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group(__name__)]

SETUP = (
    energia_thread_setup("anna", "bruno", "carla")
    + """
from datetime import timedelta
from django.utils import timezone
from community.services import moderation, rooms
from community.models import Membership

room = rooms.room_create(actor=anna, community=community, name="Caffè")
# Carla wrote before she was muted: the message is hers, but she may not edit it now.
message = threads.post_reply(actor=carla, thread=room, body="Proviamo i sali fusi?")
moderation.membership_mute(
    actor=anna,
    membership=Membership.objects.get(user=carla, community=community),
    until=timezone.now() + timedelta(days=1),
)
print(f"THREAD {thread.get_absolute_url()}")
print(f"ROOM {room.get_absolute_url()}")
print(f"MESSAGE {message.pk}")
"""
)


def rewrite_viewer(page, decide):
    """Put a proxy between `page` and the server that sets the `viewer` field of every
    post event to `decide(frame)` (a dict, or None to leave the field out)."""

    def proxy(route):
        server = route.connect_to_server()

        def to_page(message):
            frame = json.loads(message)
            if frame.get("op") == "event" and frame.get("type", "").startswith("post."):
                frame.pop("viewer", None)
                viewer = decide(frame)
                if viewer is not None:
                    frame["viewer"] = viewer
                message = json.dumps(frame)
            route.send(message)

        route.on_message(server.send)
        server.on_message(to_page)

    page.route_web_socket(re.compile(r"/ws/$"), proxy)


def send_reply(page, text):
    page.get_by_label(re.compile("your reply", re.I)).fill(text)
    page.get_by_role("button", name=re.compile("post reply", re.I)).click()


def test_a_muted_authors_post_arriving_live_offers_no_edit(
    site, signed_in_page, problems
):
    """End to end: a moderator continues Carla's room message in a thread; the event
    reaches Carla's open room with the actions the server names for her (delete, no
    edit: she is muted), and her page shows exactly those."""
    from playwright.sync_api import expect

    base_url, paths, log = site.url, site.paths, site.log
    carla = signed_in_page("carla@example.org")
    carla.goto(base_url + paths["ROOM"])
    expect(carla.locator("[data-live-status]")).to_have_attribute(
        "data-state", "connected"
    )
    message = carla.locator(f".room-messages > li[data-post='{paths['MESSAGE']}']")
    expect(message.locator("[data-action='edit']")).to_have_count(0)  # as rendered

    anna = signed_in_page("anna@example.org")
    anna.goto(f"{base_url}/p/{paths['MESSAGE']}/promote/")
    anna.get_by_role("button", name="Start the thread").click()
    expect(anna.locator("h1")).to_contain_text("Proviamo i sali fusi")

    # The live fragment (it says where the conversation continues) carries every
    # action; the server's list for Carla kept delete only.
    expect(message.locator("[data-promoted]")).to_be_visible()
    expect(message.locator("[data-action='edit']")).to_have_count(0)
    expect(message.locator("[data-action='promote']")).to_have_count(0)
    expect(message.locator("[data-action='delete']")).to_have_count(1)
    assert not problems, problems
    assert "Traceback" not in log.read_text(), log.read_text()


def test_the_page_keeps_exactly_the_actions_the_viewer_field_names(
    site, signed_in_page, problems
):
    from playwright.sync_api import expect

    base_url, paths, log = site.url, site.paths, site.log
    anna = signed_in_page("anna@example.org")
    bruno = signed_in_page("bruno@example.org")
    said = {"anna": None, "bruno": None}
    rewrite_viewer(anna, lambda frame: said["anna"])
    rewrite_viewer(bruno, lambda frame: said["bruno"])
    for page in (anna, bruno):
        page.goto(base_url + paths["THREAD"])
        expect(page.locator("[data-live-status]")).to_have_attribute(
            "data-state", "connected"
        )

    def live_post(page, text):
        post = page.locator(".posts > li", has_text=text)
        expect(post.locator("time[data-relative]")).to_have_count(1)
        return post

    def actions(post):
        return sorted(
            post.locator("[data-action]").evaluate_all(
                "nodes => nodes.map((node) => node.dataset.action)"
            )
        )

    # Her own reply, and the server says "quote" only: no edit, no delete for Anna.
    said["anna"] = {"actions": ["quote"]}
    first = f"Prima {secrets.token_hex(3)}"
    send_reply(anna, first)
    assert actions(live_post(anna, first)) == ["quote"]

    # Without the field, nothing: the safe default, the actions bar goes too.
    said["anna"] = None
    second = f"Seconda {secrets.token_hex(3)}"
    send_reply(anna, second)
    expect(live_post(anna, second).locator(".post__actions")).to_have_count(0)

    # Not her post, yet the server says Bruno may edit and delete it: the page obeys
    # (no rule about authors is left in the browser), with a CSRF token to delete.
    said["bruno"] = {"actions": ["delete", "edit"]}
    third = f"Terza {secrets.token_hex(3)}"
    send_reply(anna, third)
    post = live_post(bruno, third)
    assert actions(post) == ["delete", "edit"]
    expect(
        post.locator("[data-action='delete'] input[name='csrfmiddlewaretoken']")
    ).to_have_count(1)

    # An edit arrives: a history link Bruno is not given becomes plain text.
    said["bruno"] = {"actions": ["quote"]}
    edited = f"{third} (rivista)"
    anna.goto(base_url + paths["THREAD"])
    anna.locator(".posts > li", has_text=third).locator("[data-action='edit']").click()
    anna.get_by_role("textbox").fill(edited)
    anna.get_by_role("button", name=re.compile("save", re.I)).click()
    post = bruno.locator(".posts > li", has_text="(rivista)")
    expect(post).to_contain_text("edited")
    expect(post.locator("a", has_text="edited")).to_have_count(0)
    assert actions(post) == ["quote"]

    assert not problems, problems
    assert "Traceback" not in log.read_text(), log.read_text()


def test_a_room_message_keeps_promote_when_the_server_names_it(
    site, signed_in_page, problems
):
    from playwright.sync_api import expect

    base_url, paths, log = site.url, site.paths, site.log
    anna = signed_in_page("anna@example.org")
    said = {"actions": ["promote"]}
    rewrite_viewer(anna, lambda frame: dict(said))
    anna.goto(base_url + paths["ROOM"])
    expect(anna.locator("[data-live-status]")).to_have_attribute(
        "data-state", "connected"
    )
    composer = anna.get_by_label(re.compile("message to #caffè", re.I))

    text = f"Idea {secrets.token_hex(3)}"
    composer.fill(text)
    composer.press("Enter")
    # The message as the server delivered it (a pending one has no data-post yet).
    message = anna.locator(".room-messages > .room-message[data-post]", has_text=text)
    expect(message).to_be_visible()
    expect(message.locator("[data-action='promote']")).to_have_count(1)
    expect(message.locator("[data-action='edit']")).to_have_count(0)
    expect(message.locator("[data-action='delete']")).to_have_count(0)

    said["actions"] = []
    text = f"Altra {secrets.token_hex(3)}"
    composer.fill(text)
    composer.press("Enter")
    # The message as the server delivered it (a pending one has no data-post yet).
    message = anna.locator(".room-messages > .room-message[data-post]", has_text=text)
    expect(message).to_be_visible()
    expect(message.locator(".room-message__actions")).to_have_count(0)

    assert not problems, problems
    assert "Traceback" not in log.read_text(), log.read_text()
