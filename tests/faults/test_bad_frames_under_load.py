"""The browser's live connection (static/js/live.js) never resends a frame too large.

live.js runs in Chromium against a stand-in WebSocket the test opens and closes, so
each step is the test's to decide (no server, no timing): a post over the page's frame
limit is refused before sending and is not sent after a reconnect either; a post the
server refuses as `too_large` is given back at once and not resent; a socket closed
with 1009 (message too big) each time a post goes out gets it at most three times, then
the text comes back to the page; and a socket closed for not reading (4008)
resubscribes from the last seq it saw. The server's side of hostile frames under load
is in test_slow_consumer.py (the same burst).
"""

import pytest

from tests.browser.conftest import browser, problems  # noqa: F401 (fixtures)
from tests.support.processes import BASE_DIR

pytestmark = [
    pytest.mark.faults,
    pytest.mark.slow,
    pytest.mark.browser,
    pytest.mark.xdist_group(__name__),
]

ORIGIN = "http://live.test"
PAGE = """<!doctype html>
<html lang="en"><body data-live-max-frame-bytes="%d">
<script type="module">
import { LiveConnection } from "/static/js/live.js";
window.LiveConnection = LiveConnection;
</script></body></html>"""

# A WebSocket whose life the test drives: open(), serverClose(code); what the page sent.
FAKE_SOCKET = """
class FakeSocket extends EventTarget {
  static CONNECTING = 0;
  static OPEN = 1;
  static CLOSING = 2;
  static CLOSED = 3;
  constructor(url) {
    super();
    this.url = url;
    this.readyState = FakeSocket.CONNECTING;
    this.sent = [];
    window.sockets.push(this);
  }
  send(data) {
    if (this.readyState !== FakeSocket.OPEN) throw new Error("send on a socket not open");
    this.sent.push(JSON.parse(data));
  }
  close() {
    this.serverClose(1000);
  }
  open() {
    this.readyState = FakeSocket.OPEN;
    this.dispatchEvent(new Event("open"));
  }
  receive(frame) {
    this.dispatchEvent(new MessageEvent("message", { data: JSON.stringify(frame) }));
  }
  serverClose(code) {
    this.readyState = FakeSocket.CLOSED;
    this.dispatchEvent(new CloseEvent("close", { code }));
  }
}
window.sockets = [];
window.WebSocket = FakeSocket;
"""


@pytest.fixture
def live_page(browser, problems):  # noqa: F811 (fixtures)
    """open(limit): a page with live.js and the stand-in socket, stating `limit` as
    its frame limit (0: none)."""
    contexts = []

    def open_page(limit):
        context = browser.new_context()
        contexts.append(context)
        context.add_init_script(FAKE_SOCKET)
        page = context.new_page()
        page.on("pageerror", lambda error: problems.append(f"page error: {error}"))

        def serve(route):
            path = route.request.url.removeprefix(ORIGIN)
            if path == "/":
                route.fulfill(body=PAGE % limit, content_type="text/html")
            elif path.startswith("/static/js/") and path.endswith(".js"):
                script = BASE_DIR / "static" / "js" / path.removeprefix("/static/js/")
                route.fulfill(body=script.read_text(), content_type="text/javascript")
            else:
                route.fulfill(status=404)

        page.route(f"{ORIGIN}/**", serve)
        page.goto(f"{ORIGIN}/")
        page.wait_for_function("() => window.LiveConnection !== undefined")
        return page

    yield open_page
    for context in contexts:
        context.close()


def test_a_post_over_the_frame_limit_is_never_sent_not_even_after_a_reconnect(
    live_page, problems  # noqa: F811 (fixtures)
):
    page = live_page(4096)
    outcome = page.evaluate(
        """() => {
        const live = new LiveConnection("ws://live.test/ws/");
        sockets[0].open();
        live.subscribe("thread:7", 12);
        const big = live.post(7, "x".repeat(8000));
        const small = live.post(7, "Ciao a tutti");
        sockets[0].serverClose(1006);
        live.reconnectNow();
        sockets[1].open();
        return { big, small, pending: [...live.pending.keys()],
                 sent: sockets.map((socket) => socket.sent) };
    }"""
    )

    assert outcome["big"] is None
    assert outcome["pending"] == [outcome["small"]]
    first, second = outcome["sent"]
    assert [frame["op"] for frame in first] == ["subscribe", "post"]
    # After the reconnect: the subscription from its last seq and the small post only.
    assert second == [
        {"op": "subscribe", "stream": "thread:7", "after": 12},
        {"op": "post", "thread": 7, "body": "Ciao a tutti", "client_id": outcome["small"]},
    ]
    assert not problems, problems


def test_a_post_the_server_refuses_as_too_large_comes_back_and_is_not_resent(
    live_page, problems  # noqa: F811 (fixtures)
):
    page = live_page(0)  # the page states no limit: the server is the one to refuse
    outcome = page.evaluate(
        """() => {
        const live = new LiveConnection("ws://live.test/ws/");
        const refused = [];
        live.addEventListener("post-error", (event) => refused.push(event.detail));
        sockets[0].open();
        const small = live.post(7, "Breve");
        const big = live.post(7, "y".repeat(3000));
        // The consumer's answer to a frame over LIVE_MAX_FRAME_BYTES: no ref.
        sockets[0].receive({ op: "error", code: "too_large", message: "Frame over the size limit." });
        sockets[0].serverClose(1006);
        live.reconnectNow();
        sockets[1].open();
        return { small, big, refused, pending: [...live.pending.keys()],
                 resent: sockets[1].sent };
    }"""
    )

    [refusal] = outcome["refused"]
    assert refusal["code"] == "too_large"
    assert refusal["ref"] == outcome["big"]
    assert refusal["body"] == "y" * 3000
    assert outcome["pending"] == [outcome["small"]]
    assert [frame["client_id"] for frame in outcome["resent"]] == [outcome["small"]]
    assert not problems, problems


def test_a_socket_closed_with_1009_on_each_send_gives_the_post_back_after_three(
    live_page, problems  # noqa: F811 (fixtures)
):
    page = live_page(0)
    outcome = page.evaluate(
        """() => {
        const live = new LiveConnection("ws://live.test/ws/");
        const refused = [];
        live.addEventListener("post-error", (event) => refused.push(event.detail));
        sockets[0].open();
        const id = live.post(7, "z".repeat(3000));
        // A server (or proxy) with a smaller limit closes the socket: 1009, ten times.
        for (let round = 0; round < 10; round += 1) {
            sockets.at(-1).serverClose(1009);
            live.reconnectNow();
            sockets.at(-1).open();
        }
        const posts = sockets.flatMap((socket) => socket.sent).filter((f) => f.op === "post");
        return { id, refused, posts: posts.map((f) => f.client_id),
                 pending: live.pending.size };
    }"""
    )

    assert outcome["posts"] == [outcome["id"]] * 3
    [refusal] = outcome["refused"]
    assert refusal["code"] == "undelivered"
    assert refusal["ref"] == outcome["id"]
    assert outcome["pending"] == 0
    assert not problems, problems


def test_a_socket_closed_for_not_reading_catches_up_from_the_last_seq(
    live_page, problems  # noqa: F811 (fixtures)
):
    page = live_page(4096)
    outcome = page.evaluate(
        """() => {
        const live = new LiveConnection("ws://live.test/ws/");
        const shown = [];
        sockets[0].open();
        live.subscribe("thread:7", 40, { onEvent: (frame) => shown.push(frame.seq) });
        sockets[0].receive({ op: "subscribed", stream: "thread:7", seq: 40 });
        for (const seq of [41, 42, 43]) {
            sockets[0].receive({ op: "event", stream: "thread:7", seq, type: "post.created", data: {} });
        }
        sockets[0].serverClose(4008);  // live.wire.CLOSE_TOO_SLOW
        const state = live.state;
        live.reconnectNow();
        sockets[1].open();
        for (const seq of [43, 44, 45]) {  // the replay (43 again: already shown)
            sockets[1].receive({ op: "event", stream: "thread:7", seq, type: "post.created", data: {} });
        }
        return { state, shown, resubscribed: sockets[1].sent };
    }"""
    )

    assert outcome["state"] == "reconnecting"
    assert outcome["resubscribed"] == [{"op": "subscribe", "stream": "thread:7", "after": 43}]
    assert outcome["shown"] == [41, 42, 43, 44, 45]
    assert not problems, problems
