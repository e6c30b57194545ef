"""A newcomer signs up, verifies the email, opens a community, starts a thread and replies.

Drives the system Chromium through Playwright's sync API against a real daphne process
(DEBUG=0, collected static files, its own SQLite database), like a person with a browser.
"""

import email
import json
import re
import secrets
import time

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group(__name__)]

# Runs in the page: open /ws/ with the page's session, subscribe from the start of a
# stream, and collect frames until two posts arrived (or five seconds passed).
CATCH_UP_JS = """
async (stream) => {
  const socket = new WebSocket(location.origin.replace(/^http/, "ws") + "/ws/");
  await new Promise((resolve, reject) => {
    socket.onopen = resolve;
    socket.onerror = () => reject(new Error("the WebSocket did not open"));
  });
  const frames = [];
  await new Promise((resolve) => {
    socket.onmessage = (message) => {
      frames.push(JSON.parse(message.data));
      const posts = frames.filter((f) => f.op === "event" && f.type === "post.created");
      if (posts.length >= 2) resolve();
    };
    setTimeout(resolve, 5000);
    socket.send(JSON.stringify({op: "subscribe", stream: stream, after: 0}));
  });
  socket.close();
  return frames;
}
"""


@pytest.fixture
def page(site, new_page, artifacts):
    """A desktop-sized page; keeps a screenshot if the test stops early."""
    page = new_page(width=1280, height=900)
    yield page
    if not (artifacts / "smoke.png").exists():
        # The test stopped early: keep what the browser showed at that point.
        page.screenshot(path=artifacts / "smoke-failed.png", full_page=True)
    # Shown by pytest only when the test failed: what the server said.
    print(site.log.read_text()[-20_000:])


def read_confirmation_link(outbox, base_url, *, timeout=10):
    """The email-confirmation URL from the newest message in the file outbox."""
    pattern = re.compile(re.escape(base_url) + r"/accounts/confirm-email/[^\s\"'<>]+")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for path in sorted(outbox.iterdir(), key=lambda p: p.stat().st_mtime):
            # The file backend appends a line of 79 dashes after each message.
            for raw in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
                if not raw.strip():
                    continue
                message = email.message_from_bytes(raw)
                for part in message.walk():
                    if part.get_content_type() == "text/plain":
                        text = part.get_payload(decode=True).decode()
                        if match := pattern.search(text):
                            return match.group(0)
        time.sleep(0.2)
    raise AssertionError(f"no confirmation link in {sorted(outbox.iterdir())}")


def test_newcomer_signs_up_starts_a_thread_and_sees_the_reply(
    site, page, problems, artifacts
):
    from playwright.sync_api import expect

    base_url, outbox, log = site.url, site.outbox, site.log
    for stale in artifacts.glob("smoke*.png"):
        stale.unlink()
    suffix = secrets.token_hex(3)
    username = f"giulia{suffix}"
    display_name = f"Giulia Rossi {suffix}"
    password = "una-password-robusta-42"
    community_name = f"Idrogeno verde {suffix}"
    thread_title = f"Elettrolizzatori per le PMI {suffix}"
    reply_text = f"Abbiamo un banco prova a Dalmine, scriveteci. {suffix}"

    # Sign up.
    page.goto(f"{base_url}/accounts/signup/")
    page.get_by_label("Display name").fill(display_name)
    page.get_by_label("Email").fill(f"{username}@example.org")
    page.get_by_label("Username").fill(username)
    page.get_by_label(re.compile(r"^Password\W*$")).fill(password)
    page.get_by_label(re.compile(r"Password \(again\)|Confirm password", re.I)).fill(
        password
    )
    page.get_by_role("button", name=re.compile("sign up", re.I)).click()
    expect(page.get_by_role("heading", name=re.compile("verify", re.I))).to_be_visible()

    # Verify the email address with the link from the message.
    page.goto(read_confirmation_link(outbox, base_url))
    page.get_by_role("button", name=re.compile("confirm", re.I)).click()
    expect(page.locator(".site-header__account")).to_contain_text(display_name)

    # Create a community.
    page.goto(f"{base_url}/c/new/")
    page.get_by_label(re.compile("^name", re.I)).fill(community_name)
    page.get_by_label(re.compile("^description", re.I)).fill(
        "Produzione, stoccaggio e uso dell'idrogeno nelle imprese lombarde."
    )
    page.get_by_role("button", name=re.compile("create", re.I)).click()
    expect(page.get_by_role("heading", name=community_name)).to_be_visible()
    slug = re.search(r"/c/([^/]+)/$", page.url).group(1)

    # Start a thread.
    page.goto(f"{base_url}/c/{slug}/new/")
    page.get_by_label(re.compile("^title", re.I)).fill(thread_title)
    page.get_by_label(re.compile("^message", re.I)).fill(
        "Chi ha esperienza con **elettrolizzatori PEM** sotto i 100 kW?"
    )
    page.get_by_role(
        "button", name=re.compile("start|create|publish|post", re.I)
    ).click()
    expect(page.get_by_role("heading", name=thread_title)).to_be_visible()
    assert re.search(rf"/c/{slug}/t/\d+/", page.url), page.url
    expect(page.locator("strong", has_text="elettrolizzatori PEM")).to_be_visible()

    # Reply from the composer on the thread page.
    page.get_by_label(re.compile("your reply", re.I)).fill(reply_text)
    page.get_by_role("button", name=re.compile("reply|send|post", re.I)).last.click()

    expect(page.get_by_text(reply_text)).to_be_visible()
    page.evaluate("window.scrollTo(0, 0)")  # sticky header: shoot from the top
    page.screenshot(path=artifacts / "smoke.png", full_page=True)

    # The same daphne process serves the live socket: catching up on the thread's
    # stream replays the opening post and the reply, in order.
    thread_id = re.search(r"/t/(\d+)/", page.url).group(1)
    frames = page.evaluate(CATCH_UP_JS, f"thread:{thread_id}")
    created = [
        frame
        for frame in frames
        if frame.get("op") == "event" and frame.get("type") == "post.created"
    ]
    assert [frame["stream"] for frame in created] == [f"thread:{thread_id}"] * 2, frames
    assert created[0]["seq"] < created[1]["seq"], frames
    assert reply_text in json.dumps(created[1], ensure_ascii=False), created[1]

    assert not problems, problems
    assert "Traceback" not in log.read_text(), log.read_text()
