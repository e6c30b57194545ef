"""The same post sent five times at once while the database is slow is stored once.

Anna's reply, with the client id the thread page's reply form carries, goes twice over
a socket on one daphne process, twice over a socket on the other, and once through the
HTTP form, while another transaction holds the thread's event sequence on PostgreSQL:
the first write has stored its row but not committed when the others arrive and wait.
Once the lock is released: one row, four acks naming that post, the form redirected to
it, and one `post.created` event in the thread's stream.
"""

import asyncio
import re
import time
import urllib.parse
import urllib.request
import uuid
from contextlib import ExitStack
from http.cookiejar import Cookie, CookieJar

import psycopg
import pytest

from tests.scaleout.client import LiveClient, as_shown
from tests.scaleout.sites import prepare_site, site_env, stored_posts
from tests.support.processes import Daphne, postgres_database, redis_server, required

pytestmark = [
    pytest.mark.faults,
    pytest.mark.slow,
    pytest.mark.scaleout,
    pytest.mark.xdist_group(__name__),
]

TIMEOUT = 90  # seconds, for the whole scenario
BODY = "Lo mando una volta sola, anche se la rete insiste."


@pytest.fixture
def shape(tmp_path):
    """Two daphne processes on PostgreSQL and Redis."""
    with ExitStack() as stack:
        with required():
            database_url = stack.enter_context(postgres_database())
            redis_url = stack.enter_context(redis_server(tmp_path))
        env = site_env(tmp_path, DATABASE_URL=database_url, REDIS_URL=redis_url)
        site = prepare_site(env)
        first = stack.enter_context(Daphne(env, tmp_path / "daphne-1.log"))
        second = stack.enter_context(Daphne(env, tmp_path / "daphne-2.log"))
        yield database_url, env, site, first, second


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """Pages as a signed-in person's browser loads them: cookies kept, no redirects
    followed (the test reads where they lead)."""

    def __init__(self, base_url, session_key):
        self.base_url = base_url
        self.cookies = CookieJar()
        host = urllib.parse.urlsplit(base_url).hostname
        self.cookies.set_cookie(
            Cookie(0, "sessionid", session_key, None, False, host, False, False, "/",
                   True, False, None, False, None, None, {})
        )
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), NoRedirect
        )

    def open(self, path, data=None):
        """(status, headers, text) of a GET, or a POST of the form `data`."""
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base_url + path, data=body)
        if body is not None:
            request.add_header("Referer", self.base_url + path)
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, response.headers, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read().decode()


def reply_form(html):
    """(action, {field: value}) of the page's reply composer (`#composer`)."""
    form = re.search(r'<form class="composer[^"]*" id="composer"[^>]*>.*?</form>', html, re.S)
    assert form, "the page has no reply form"
    action = re.search(r'action="([^"]+)"', form.group(0)).group(1)
    fields = dict(
        re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form.group(0))
    )
    return action, fields


def waiting_on_locks(database_url):
    """How many sessions of the database wait for a lock now."""
    with psycopg.connect(database_url, autocommit=True) as connection:
        return connection.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock'"
        ).fetchone()[0]


def test_a_post_sent_five_times_at_once_while_the_database_is_slow_is_stored_once(
    shape,
):
    database_url, env, site, first, second = shape
    thread, sessions = site["thread"], site["sessions"]
    stream = f"thread:{thread}"
    before = stored_posts(env, thread)

    # The client id comes from the reply form of the page, as a browser's would.
    browser = Browser(second.url, sessions["anna"])
    status, _headers, html = browser.open(site["thread_path"])
    assert status == 200
    action, fields = reply_form(html)
    client_id = fields["client_id"]
    assert uuid.UUID(client_id) and fields["csrfmiddlewaretoken"]

    # Another transaction holds the thread's event sequence: a write of a post to the
    # thread stores its row, then waits there, uncommitted.
    slow = psycopg.connect(database_url)
    slow.execute(
        "SELECT last_seq FROM live_streamcursor WHERE stream = %s FOR UPDATE", [stream]
    )

    async def scenario():
        sockets = [
            await LiveClient.open(first.url, sessions["anna"]),
            await LiveClient.open(second.url, sessions["anna"]),
        ]
        newcomer = None
        try:
            for client in sockets:
                await client.subscribe(stream)
            head = sockets[0].subscribed[stream]
            # Five sends at once: twice on each socket, once through the form.
            form = asyncio.ensure_future(
                asyncio.to_thread(
                    browser.open, action, {**fields, "body": BODY}
                )
            )
            for client in sockets:
                for _ in range(2):
                    await client.post(thread, BODY, client_id)
            # A socket's operations run one at a time: the first send of each socket
            # and the form wait on the database together (the first of them holding
            # its uncommitted row), the second sends behind them.
            deadline = time.monotonic() + 30
            while await asyncio.to_thread(waiting_on_locks, database_url) < 3:
                assert time.monotonic() < deadline, "the sends never reached the database"
                await asyncio.sleep(0.1)
            assert not any(client.acks for client in sockets) and not form.done()
            await asyncio.sleep(1)
            await asyncio.to_thread(slow.commit)
            for client in sockets:
                await client.until(
                    lambda c=client: c.ack_count[client_id] == 2, "both acks"
                )
            form_answer = await asyncio.wait_for(form, 60)
            for client in sockets:
                await client.until(
                    lambda c=client: c.last_seq(stream) >= head + 1, "the event"
                )
            newcomer = await LiveClient.open(first.url, sessions["bruno"])
            await newcomer.subscribe(stream, after=0)
            await asyncio.sleep(1)  # a second event would have arrived by now
            return sockets, newcomer, form_answer, head
        finally:
            for client in [*sockets, newcomer]:
                if client is not None:
                    await client.close()

    try:
        sockets, newcomer, (status, headers, _text), head = asyncio.run(
            asyncio.wait_for(scenario(), TIMEOUT)
        )
    finally:
        slow.close()

    # One row.
    after = stored_posts(env, thread)
    new = [row for row in after if row not in before]
    assert [client for _pk, client in new] == [client_id]
    ((post_id, _client),) = new

    # Five answers naming it: four acks, and the form redirected to the post.
    assert [(c.acks[client_id], c.ack_count[client_id]) for c in sockets] == [
        (post_id, 2),
        (post_id, 2),
    ]
    assert status == 302
    assert headers["Location"].endswith(f"#p{post_id}")
    assert not any(client.errors for client in sockets)
    status, _headers, page = browser.open(headers["Location"].partition("#")[0])
    assert status == 200 and page.count(f'id="p{post_id}"') == 1

    # One event: the stream went one seq further, with one post.created for it.
    events = newcomer.events[stream]
    assert newcomer.seqs(stream) == list(range(1, head + 2))
    assert [
        e["data"]["id"]
        for e in events
        if e["type"] == "post.created" and e["data"].get("client_id") == client_id
    ] == [post_id]
    for client in sockets:
        assert as_shown(client.events[stream]) == as_shown(events[head:])
