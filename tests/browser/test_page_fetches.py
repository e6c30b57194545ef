"""What the pages fetch, and what people see when it fails.

Older room messages come from the room's messages endpoint and quotes from the quote
endpoint (JSON, never a whole page to scrape); confirmations work on content inserted
after the page loaded; and every failure (a 500, no network, an unreadable live
frame, a read position that could not be saved) is said on the page, which keeps
working.
"""

import re

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group(__name__)]
# The set-up writes a long history at once.
SITE_SETTINGS = {"RATE_LIMIT_POSTS": "500"}

SETUP = """
from allauth.account.models import EmailAddress
from community.services import communities, memberships, rooms, threads
from community.models import User

people = []
for name in ("anna", "bruno"):
    person = User.objects.create_user(name, f"{name}@example.org", "%(password)s")
    EmailAddress.objects.create(user=person, email=person.email, verified=True, primary=True)
    people.append(person)
anna, bruno = people
community = communities.community_create(
    actor=anna, name="Materiali", description="", visibility="public", themes=[]
)
memberships.community_join(actor=bruno, community=community)
thread = threads.thread_create(
    actor=anna, community=community, title="Grafene", body="Chi lo usa?\\n\\nE dove?"
)
archive = rooms.room_create(actor=anna, community=community, name="Archivio")
for n in range(1, 61):
    threads.post_reply(actor=people[n %% 2], thread=archive, body=f"Archivio n.{n:02d}")
# Writing read the room up to her last message: Anna has one message left to read.
from community.models import ReadPosition
ReadPosition.objects.filter(user=anna, thread=archive).update(last_read_number=59)
print(f"THREAD {thread.get_absolute_url()}")
print(f"FIRST {thread.posts.get(number=1).pk}")
print(f"ARCHIVE {archive.get_absolute_url()}")
"""

# What Chromium logs for a request the test made fail on purpose.
FAILED_LOAD = "Failed to load resource"


def unexpected(problems):
    return [problem for problem in problems if FAILED_LOAD not in problem]


def requests_of(page):
    urls = []
    page.on("request", lambda request: urls.append(request.url))
    return urls


# --- older room messages ------------------------------------------------------------------


def test_older_messages_come_from_the_messages_endpoint(site, signed_in_page, problems):
    from playwright.sync_api import expect

    base_url, paths, log = site.url, site.paths, site.log
    bruno = signed_in_page("bruno@example.org")
    urls = requests_of(bruno)
    bruno.goto(base_url + paths["ARCHIVE"])
    messages = bruno.locator(".room-messages > .room-message")
    expect(messages).to_have_count(50)

    bruno.locator("[data-room-older]").scroll_into_view_if_needed()
    expect(messages).to_have_count(60)
    expect(bruno.locator(".room-start")).to_be_visible()
    assert f"{base_url}{paths['ARCHIVE']}messages/?before=11" in urls
    assert not [url for url in urls if "?before=" in url and "/messages/" not in url]

    # The loaded messages' delete forms ask first, as the page's own do.
    dialogs = []

    def dismiss(dialog):
        dialogs.append(dialog.message)
        dialog.dismiss()

    bruno.on("dialog", dismiss)
    oldest_of_bruno = messages.filter(has_text="Archivio n.01")
    oldest_of_bruno.hover()
    oldest_of_bruno.locator("[data-action='delete'] button").click()
    expect(oldest_of_bruno).to_contain_text("Archivio n.01")
    assert dialogs == ["Delete this message? It will be replaced by a placeholder."]
    assert bruno.url == base_url + paths["ARCHIVE"]

    assert not problems, problems
    assert "Traceback" not in log.read_text(), log.read_text()


def test_older_messages_that_fail_to_load_say_so_and_load_on_retry(
    site, signed_in_page, problems
):
    from playwright.sync_api import expect

    base_url, paths, log = site.url, site.paths, site.log
    bruno = signed_in_page("bruno@example.org")
    bruno.route(re.compile(r"/messages/\?"), lambda route: route.fulfill(status=500))
    bruno.goto(base_url + paths["ARCHIVE"])
    messages = bruno.locator(".room-messages > .room-message")
    expect(messages).to_have_count(50)

    older = bruno.locator("[data-room-older]")
    older.scroll_into_view_if_needed()
    error = bruno.locator(".room-older [role='alert']")
    expect(error).to_have_text(
        "Older messages could not be loaded: try again in a moment."
    )
    expect(older).to_have_text("Load older messages")
    expect(messages).to_have_count(50)

    bruno.unroute(re.compile(r"/messages/\?"))
    older.click()
    expect(messages).to_have_count(60)
    expect(error).to_have_count(0)

    assert not unexpected(problems), problems
    assert "Traceback" not in log.read_text(), log.read_text()


def test_a_read_position_that_cannot_be_saved_is_announced(
    site, signed_in_page, problems
):
    from playwright.sync_api import expect

    base_url, paths, log = site.url, site.paths, site.log
    anna = signed_in_page("anna@example.org")
    anna.route(re.compile(r"/read/$"), lambda route: route.abort())
    anna.goto(base_url + paths["ARCHIVE"])

    alert = anna.get_by_role("alert")
    expect(alert).to_have_text(
        "How far you have read this room could not be saved: it will be tried again."
    )
    # The room itself is still there to read.
    expect(anna.locator(".room-messages > .room-message")).to_have_count(50)

    assert not unexpected(problems), problems
    assert "Traceback" not in log.read_text(), log.read_text()


# --- quotes --------------------------------------------------------------------------------


def test_quoting_fills_the_composer_from_the_quote_endpoint(
    site, signed_in_page, problems
):
    from playwright.sync_api import expect

    base_url, paths, log = site.url, site.paths, site.log
    bruno = signed_in_page("bruno@example.org")
    bruno.goto(base_url + paths["THREAD"])
    composer = bruno.get_by_label(re.compile("your reply", re.I))
    composer.fill("Anch'io.")

    first = bruno.locator(f".posts > li[data-post='{paths['FIRST']}']")
    with bruno.expect_response(f"**/p/{paths['FIRST']}/quote/") as answer:
        first.locator("[data-action='quote']").click()
    assert answer.value.status == 200
    expect(composer).to_have_value(
        "Anch'io.\n\n@anna wrote:\n\n> Chi lo usa?\n>\n> E dove?\n\n"
    )
    expect(composer).to_be_focused()
    assert bruno.url == base_url + paths["THREAD"]

    assert not problems, problems
    assert "Traceback" not in log.read_text(), log.read_text()


@pytest.mark.parametrize(
    "failure, message",
    [
        ("500", "The quote could not be loaded: try again in a moment."),
        (
            "offline",
            "The quote could not be loaded: check your connection and try again.",
        ),
    ],
)
def test_a_quote_that_cannot_be_loaded_says_why(
    site, signed_in_page, problems, failure, message
):
    from playwright.sync_api import expect

    base_url, paths, log = site.url, site.paths, site.log
    bruno = signed_in_page("bruno@example.org")

    def fail(route):
        if failure == "500":
            route.fulfill(status=500, body="Server Error")
        else:
            route.abort("internetdisconnected")

    bruno.route("**/quote/", fail)
    bruno.goto(base_url + paths["THREAD"])
    composer = bruno.get_by_label(re.compile("your reply", re.I))
    quote = bruno.locator(
        f".posts > li[data-post='{paths['FIRST']}'] [data-action='quote']"
    )

    quote.click()
    errors = bruno.locator("#composer .form-errors[role='alert']")
    expect(errors).to_have_text(message)
    expect(composer).to_have_value("")
    assert bruno.url == base_url + paths["THREAD"]

    # Once the endpoint answers again, the same link quotes and the reason goes.
    bruno.unroute("**/quote/")
    quote.click()
    expect(composer).to_have_value(re.compile(r"^@anna wrote:"))
    expect(errors).to_have_count(0)

    assert not unexpected(problems), problems
    assert "Traceback" not in log.read_text(), log.read_text()


# --- live frames ----------------------------------------------------------------------------


def test_an_unreadable_live_frame_is_announced_and_the_page_catches_up(
    site, signed_in_page, problems
):
    from playwright.sync_api import expect

    base_url, paths, log = site.url, site.paths, site.log
    anna = signed_in_page("anna@example.org")
    bruno = signed_in_page("bruno@example.org")
    garble = {"next": False}

    def proxy(route):
        server = route.connect_to_server()

        def to_page(message):
            if garble["next"] and '"op":"event"' in message.replace(" ", ""):
                garble["next"] = False
                route.send(message[: len(message) // 2])  # cut in the middle
                return
            route.send(message)

        route.on_message(server.send)
        server.on_message(to_page)

    bruno.route_web_socket(re.compile(r"/ws/$"), proxy)
    for page in (anna, bruno):
        page.goto(base_url + paths["THREAD"])
        expect(page.locator("[data-live-status]")).to_have_attribute(
            "data-state", "connected"
        )

    garble["next"] = True
    anna.get_by_label(re.compile("your reply", re.I)).fill("Noi a Lecco.")
    anna.get_by_role("button", name=re.compile("post reply", re.I)).click()

    expect(bruno.get_by_role("alert")).to_have_text(
        "A live update could not be read: catching up with the server."
    )
    # The page asked again from its last event: the reply is there all the same.
    expect(bruno.locator(".posts .post__body", has_text="Noi a Lecco.")).to_be_visible()

    assert not problems, problems
    assert "Traceback" not in log.read_text(), log.read_text()
