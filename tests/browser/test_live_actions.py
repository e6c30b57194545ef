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

from tests.browser.server import clean_env, daphne, manage, manage_parallel
from tests.browser.test_live_thread import PASSWORD, browser, signed_in_page  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

SETUP = """
from datetime import timedelta
from allauth.account.models import EmailAddress
from django.utils import timezone
from community import services
from community.models import Membership, User

people = []
for name in ("anna", "bruno", "carla"):
    person = User.objects.create_user(name, f"{name}@example.org", "%(password)s")
    EmailAddress.objects.create(user=person, email=person.email, verified=True, primary=True)
    people.append(person)
anna, bruno, carla = people
community = services.community_create(
    actor=anna, name="Energia", description="", visibility="public", themes=[]
)
services.community_join(actor=bruno, community=community)
services.community_join(actor=carla, community=community)
thread = services.thread_create(
    actor=anna, community=community, title="Accumulo termico", body="Chi lo usa?"
)
room = services.room_create(actor=anna, community=community, name="Caffè")
# Carla wrote before she was muted: her reply is hers, but she may not edit it now.
reply = services.post_reply(actor=carla, thread=thread, body="Noi, da due anni.")
services.membership_mute(
    actor=anna,
    membership=Membership.objects.get(user=carla, community=community),
    until=timezone.now() + timedelta(days=1),
)
print(f"THREAD {thread.get_absolute_url()}")
print(f"ROOM {room.get_absolute_url()}")
print(f"REPLY {reply.pk}")
"""

# Run in `manage.py shell` while the page is open: a moderator hides Carla's reply and
# shows it again, two live events about it (the server finds them in the event table
# within LIVE_SWEEP_SECONDS, as it would after a dropped channel-layer message).
HIDE_AND_SHOW = """
from community import services
from community.models import Post, User

anna = User.objects.get(username="anna")
post = Post.objects.select_related("thread__community").filter(pk=%(post)d).first()
services.post_hide(actor=anna, post=post)
services.post_unhide(actor=anna, post=post)
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A production-like site; yields (base URL, paths, run(script), log)."""
    root = tmp_path_factory.mktemp("live-actions-site")
    env = clean_env(
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        DATA_DIR=root / "data",
        STATIC_ROOT=root / "static",
        EMAIL_URL="locmem://",
        SECURE_SSL_REDIRECT="0",
        SECURE_COOKIES="0",
        SECURE_HSTS_SECONDS="0",
        LIVE_SWEEP_SECONDS="0.5",
    )
    for returncode, output in manage_parallel(
        ["migrate", "--noinput"], ["collectstatic", "--noinput"], env=env
    ):
        assert returncode == 0, output
    setup = manage("shell", "-c", SETUP % {"password": PASSWORD}, env=env)
    assert setup.returncode == 0, setup.stderr
    paths = dict(re.findall(r"^([A-Z]+) (\S+)$", setup.stdout, re.M))

    def run(script):
        result = manage("shell", "-c", script, env=env)
        assert result.returncode == 0, result.stderr

    log = root / "daphne.log"
    with daphne(env, log) as url:
        yield url, paths, run, log


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


def test_a_muted_authors_post_arriving_live_offers_no_edit(site, browser):  # noqa: F811
    """End to end: the server names Carla's actions on her own reply (delete and
    history, no edit, no quote: she is muted) and the page shows exactly those."""
    from playwright.sync_api import expect

    base_url, paths, run, log = site
    problems = []
    carla = signed_in_page(browser, base_url, "carla@example.org", problems)
    carla.goto(base_url + paths["THREAD"])
    expect(carla.locator("[data-live-status]")).to_have_attribute(
        "data-state", "connected"
    )
    reply = carla.locator(f".posts > li[data-post='{paths['REPLY']}']")
    # As the page rendered it for her: no edit, no quote.
    expect(reply.locator("[data-action='edit']")).to_have_count(0)
    expect(reply.locator("[data-action='delete']")).to_have_count(1)

    run(HIDE_AND_SHOW % {"post": int(paths["REPLY"])})
    # Replaced by the live fragment (its time is relative, the page's is not).
    expect(reply.locator("time[data-relative]")).to_have_count(1)
    expect(reply.locator(".post__body")).to_have_text("Noi, da due anni.")

    # The fragment carries every action; the server's list for Carla kept these.
    expect(reply.locator("[data-action='edit']")).to_have_count(0)
    expect(reply.locator("[data-action='quote']")).to_have_count(0)
    expect(reply.locator("[data-action='delete']")).to_have_count(1)
    assert not problems, problems
    assert "Traceback" not in log.read_text(), log.read_text()


def test_the_page_keeps_exactly_the_actions_the_viewer_field_names(site, browser):  # noqa: F811
    from playwright.sync_api import expect

    base_url, paths, _run, log = site
    problems = []
    anna = signed_in_page(browser, base_url, "anna@example.org", problems)
    bruno = signed_in_page(browser, base_url, "bruno@example.org", problems)
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


def test_a_room_message_keeps_promote_when_the_server_names_it(site, browser):  # noqa: F811
    from playwright.sync_api import expect

    base_url, paths, _run, log = site
    problems = []
    anna = signed_in_page(browser, base_url, "anna@example.org", problems)
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
    message = anna.locator(".room-messages > .room-message", has_text=text)
    expect(message).to_be_visible()
    expect(message.locator("[data-action='promote']")).to_have_count(1)
    expect(message.locator("[data-action='edit']")).to_have_count(0)
    expect(message.locator("[data-action='delete']")).to_have_count(0)

    said["actions"] = []
    text = f"Altra {secrets.token_hex(3)}"
    composer.fill(text)
    composer.press("Enter")
    message = anna.locator(".room-messages > .room-message", has_text=text)
    expect(message).to_be_visible()
    expect(message.locator(".room-message__actions")).to_have_count(0)

    assert not problems, problems
    assert "Traceback" not in log.read_text(), log.read_text()
