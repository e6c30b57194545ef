"""No input loses text: over-long replies stay in the composer with a counter and a
refusal instead of closing the live socket, a room message at the limit in emoji fits
in one frame, and a post the socket cannot deliver comes back to the composer."""

import json
import re

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group(__name__)]

LIMIT = 20_000  # POST_BODY_MAX_LENGTH's default, which the site runs with

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
thread = threads.thread_create(
    actor=anna, community=community, title="Rapporti di prova", body="Li allego qui."
)
for n in range(1, 5):
    report = f"Rapporto {n}: " + "misure di trazione e fatica sul composito. " * 500
    threads.post_reply(actor=people[n %% 2], thread=thread, body=report[:19_000])
room = rooms.room_create(actor=anna, community=community, name="Caffè")
print(f"THREAD {thread.get_absolute_url()}")
print(f"ROOM {room.get_absolute_url()}")
"""


def opened_sockets(page):
    """The page's WebSocket connections, as they open."""
    sockets = []
    page.on("websocket", lambda socket: sockets.append(socket))
    return sockets


def value_length(field):
    """Characters as the server counts them (code points)."""
    return field.evaluate("(el) => [...el.value].length")


def test_quoting_four_long_posts_is_refused_in_the_composer(
    site, signed_in_page, problems, artifacts
):
    from playwright.sync_api import expect

    base_url, thread_path, log = site.url, site.paths["THREAD"], site.log
    bruno = signed_in_page("bruno@example.org")
    bruno.emulate_media(color_scheme="light")
    sockets = opened_sockets(bruno)
    bruno.goto(base_url + thread_path)
    status = bruno.locator("[data-live-status]")
    expect(status).to_have_attribute("data-state", "connected")
    # A moderator's page before this one (the Review count) may have opened its own.
    opened = len(sockets)

    composer = bruno.get_by_label(re.compile("your reply", re.I))
    counter = bruno.locator("#composer .length-counter")
    expect(counter).to_be_hidden()  # below 80% of the limit
    quotes = bruno.locator(".posts [data-action='quote']")
    expect(quotes).to_have_count(5)
    for index in range(1, 5):
        before = value_length(composer)
        bruno.locator(".posts > li").nth(index).locator("[data-menu-toggle]").click()
        quotes.nth(index).click()
        bruno.wait_for_function(
            "([el, before]) => el.value.length > before + 19000",
            arg=[composer.element_handle(), before],
        )
    quoted = composer.input_value()
    assert value_length(composer) > 4 * 19_000
    assert quoted.count("wrote:") == 4

    # The counter is red, says by how much, and the field is invalid with that reason.
    expect(counter).to_be_visible()
    expect(counter).to_have_class(re.compile("length-counter--over"))
    over = value_length(composer) - LIMIT
    expect(counter).to_contain_text(f"{value_length(composer):,} / 20,000")
    expect(counter).to_contain_text(
        f"Too long by {over:,} characters (at most 20,000): shorten the text to send it."
    )
    assert composer.evaluate("(el) => el.validity.customError")
    bruno.locator("#composer").screenshot(path=artifacts / "composer-over-limit.png")

    # Neither the button nor Ctrl+Enter sends it: no pending post, the socket stays.
    bruno.get_by_role("button", name="Post reply").click()
    composer.press("Control+Enter")
    expect(bruno.locator(".post--pending")).to_have_count(0)
    assert composer.input_value() == quoted, "the text left the composer"
    assert bruno.url.endswith(thread_path), "the page was not posted either"

    # Cut down to the limit, it goes over the same socket, never closed meanwhile.
    composer.fill(quoted[:LIMIT])
    expect(counter).not_to_have_class(re.compile("over"))
    expect(counter).to_contain_text("20,000 / 20,000")
    bruno.get_by_role("button", name="Post reply").click()
    expect(bruno.locator(".posts > .post")).to_have_count(6)
    expect(bruno.locator(".post--pending")).to_have_count(0)
    expect(composer).to_have_value("")
    expect(counter).to_be_hidden()
    expect(status).to_have_attribute("data-state", "connected")
    assert len(sockets) == opened, "the live socket was closed and reopened"

    assert not problems, problems
    assert "Traceback" not in log.read_text(), log.read_text()


def test_a_long_paste_into_a_room_is_kept_and_a_full_emoji_message_is_sent(
    site, signed_in_page, problems
):
    from playwright.sync_api import expect

    base_url, room_path, log = site.url, site.paths["ROOM"], site.log
    anna = signed_in_page("anna@example.org")
    anna.context.grant_permissions(["clipboard-read", "clipboard-write"])
    sockets = opened_sockets(anna)
    anna.goto(base_url + room_path)
    status = anna.locator("[data-live-status]")
    expect(status).to_have_attribute("data-state", "connected")
    # A moderator's page before this one (the Review count) may have opened its own.
    opened = len(sockets)
    composer = anna.get_by_label(re.compile("message to #caffè", re.I))
    counter = anna.locator(".room-composer .length-counter")

    # A real paste of 30,000 characters: nothing is cut.
    pasted = ("Verbale della riunione sui materiali compositi. " * 700)[:30_000]
    anna.evaluate("(text) => navigator.clipboard.writeText(text)", pasted)
    composer.focus()
    composer.press("Control+V")
    assert composer.input_value() == pasted, "the paste was cut"
    expect(counter).to_contain_text(
        "30,000 / 20,000 · Too long by 10,000 characters (at most 20,000)"
    )

    # Enter and the button are refused: the text stays, nothing is pending.
    composer.press("Enter")
    anna.locator(".room-composer").get_by_role("button", name="Send").click()
    expect(anna.locator(".room-message--pending")).to_have_count(0)
    expect(anna.locator("[data-room-empty]")).to_be_visible()
    assert composer.input_value() == pasted, "the text left the composer"

    # Exactly the limit in emoji, 4 bytes each in UTF-8, fits in one frame.
    emoji = "🧪" * LIMIT
    composer.fill(emoji)
    expect(counter).to_contain_text("20,000 / 20,000")
    expect(counter).not_to_have_class(re.compile("over"))
    composer.press("Enter")
    sent = anna.locator(".room-messages > .room-message[data-post]")
    expect(sent).to_have_count(1)
    expect(anna.locator(".room-message--pending")).to_have_count(0)
    assert sent.locator(".room-message__body").inner_text().strip() == emoji
    expect(status).to_have_attribute("data-state", "connected")
    assert len(sockets) == opened, "the live socket was closed and reopened"

    assert not problems, problems
    assert "Traceback" not in log.read_text(), log.read_text()


def test_the_room_counter_fits_a_phone(site, signed_in_page, problems, artifacts):
    from playwright.sync_api import expect

    base_url, room_path = site.url, site.paths["ROOM"]
    anna = signed_in_page("anna@example.org")
    anna.set_viewport_size({"width": 390, "height": 844})
    anna.emulate_media(color_scheme="light")
    anna.goto(base_url + room_path)
    composer = anna.get_by_label(re.compile("message to #caffè", re.I))
    composer.fill("Una nota lunghissima sul laboratorio. " * 600)
    counter = anna.locator(".room-composer .length-counter")
    expect(counter).to_be_visible()

    box, page_width = counter.bounding_box(), anna.evaluate("innerWidth")
    assert box["x"] >= 0 and box["x"] + box["width"] <= page_width
    assert anna.evaluate("document.documentElement.scrollWidth") <= page_width
    anna.locator(".room-footer").screenshot(path=artifacts / "composer-room-phone.png")
    assert not problems, problems


def test_a_post_the_socket_keeps_dropping_comes_back_to_the_composer(
    site, signed_in_page, problems
):
    """A proxy that closes the socket on every post: three tries, then the text is
    given back with the reason, and it is not sent again."""
    from playwright.sync_api import expect

    base_url, thread_path = site.url, site.paths["THREAD"]
    bruno = signed_in_page("bruno@example.org")
    posts_seen = []

    def close_on_post(route):
        server = route.connect_to_server()

        def from_page(message):
            if '"op":"post"' in message:
                posts_seen.append(message)
                route.close(code=1009, reason="Message too big")
            else:
                server.send(message)

        route.on_message(from_page)
        server.on_message(lambda message: route.send(message))

    bruno.route_web_socket(re.compile(r"/ws/$"), close_on_post)
    bruno.goto(base_url + thread_path)
    status = bruno.locator("[data-live-status]")
    expect(status).to_have_attribute("data-state", "connected")

    text = "Una risposta che la rete non lascia passare."
    composer = bruno.get_by_label(re.compile("your reply", re.I))
    composer.fill(text)
    bruno.get_by_role("button", name="Post reply").click()

    errors = bruno.locator("#composer .form-errors")
    expect(errors).to_have_text(
        "Not sent: The connection dropped each time it was sent. Your text is back "
        "in the box: try again in a moment.",
        timeout=30_000,
    )
    expect(composer).to_have_value(text)
    expect(bruno.locator(".post--pending")).to_have_count(0)
    assert len(posts_seen) == 3
    # Reconnected, it does not send the post again.
    expect(status).to_have_attribute("data-state", "connected")
    bruno.wait_for_timeout(1_500)
    assert len(posts_seen) == 3
    assert not problems, problems


def test_a_post_the_database_could_not_store_stays_pending_and_goes_out_by_itself(
    site, signed_in_page, problems
):
    """The server answers the first subscription and the first send with
    `unavailable` (as it does while PostgreSQL restarts): the page subscribes again,
    the post is not given back, the page says it will go out, and it is sent again
    by itself, with the same client id, and shown once."""
    from playwright.sync_api import expect

    base_url, thread_path = site.url, site.paths["THREAD"]
    anna = signed_in_page("anna@example.org")
    posts_seen = []
    subscribes_seen = []

    def unavailable(ref):
        return json.dumps(
            {
                "op": "error",
                "code": "unavailable",
                "message": "The server cannot reach its database just now.",
                "ref": ref,
            }
        )

    def refuse_first_post(route):
        server = route.connect_to_server()

        def from_page(message):
            if '"op":"subscribe"' in message:
                subscribes_seen.append(json.loads(message))
                if len(subscribes_seen) == 1:
                    route.send(unavailable(subscribes_seen[0]["stream"]))
                else:
                    server.send(message)
                return
            if '"op":"post"' not in message:
                server.send(message)
                return
            posts_seen.append(json.loads(message))
            if len(posts_seen) > 1:
                server.send(message)
                return
            route.send(unavailable(posts_seen[0]["client_id"]))

        route.on_message(from_page)
        server.on_message(lambda message: route.send(message))

    anna.route_web_socket(re.compile(r"/ws/$"), refuse_first_post)
    anna.goto(base_url + thread_path)
    status = anna.locator("[data-live-status]")
    expect(status).to_have_attribute("data-state", "connected")
    # The refused subscription is asked again, from the same seq, by itself.
    def asked_again():
        return [
            frame
            for frame in subscribes_seen[1:]
            if frame["stream"] == subscribes_seen[0]["stream"]
        ]

    for _ in range(150):
        if asked_again():
            break
        anna.wait_for_timeout(100)
    assert asked_again(), subscribes_seen
    assert asked_again()[0].get("after") == subscribes_seen[0].get("after")
    posts = anna.locator(".posts > .post")
    before = posts.count()

    text = "Una risposta che il database non ha salvato al primo colpo."
    composer = anna.get_by_label(re.compile("your reply", re.I))
    composer.fill(text)
    anna.get_by_role("button", name="Post reply").click()

    alert = anna.get_by_role("alert").filter(has_text="stays pending")
    expect(alert).to_have_text(
        "The server cannot save or show messages just now: what you sent stays "
        "pending and goes out by itself."
    )
    expect(anna.locator(".post--pending")).to_have_count(1)
    expect(composer).to_have_value("")
    # Sent again by itself: stored, acknowledged and shown once.
    expect(anna.locator(".post--pending")).to_have_count(0, timeout=20_000)
    expect(posts).to_have_count(before + 1)
    expect(posts.last).to_contain_text(text)
    expect(alert).to_have_count(0)
    assert len(posts_seen) == 2
    assert posts_seen[0]["client_id"] == posts_seen[1]["client_id"]
    expect(anna.locator("#composer .form-errors")).to_have_count(0)
    expect(status).to_have_attribute("data-state", "connected")
    assert not problems, problems
