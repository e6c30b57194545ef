"""Redis goes away mid-session and comes back: the site goes on without it, loses nothing.

Two daphne processes share one PostgreSQL database and one Redis (channel layer, cache,
session cache). Anna follows a room through process A, Bruno through process B. With
Redis stopped, pages still load with Bruno's session, Anna's posts over the socket and
the HTTP form are stored and acknowledged, and Bruno still receives them from the Event
table (the hubs' sweep). Redis restarts on the same port: without restarting daphne,
notices cross processes through Redis again and Bruno's events end gap-free, the
outage's included. Each process logs one warning for the outage and one line when it
is over, never a traceback per message.
"""

import asyncio
import re
import urllib.error
import urllib.parse
import urllib.request
import uuid
from contextlib import ExitStack

import pytest

from tests.scaleout.client import LiveClient
from tests.scaleout.sites import prepare_site, site_env, stored_posts
from tests.support.processes import Daphne, RedisServer, postgres_database, required

pytestmark = [
    pytest.mark.faults,
    pytest.mark.slow,
    pytest.mark.scaleout,
    pytest.mark.xdist_group(__name__),
]

TIMEOUT = 180  # seconds, for the whole conversation (a loaded machine)
OUTAGE_WARNING = "Redis is unreachable"
BACK = "Redis is back"


@pytest.fixture
def cluster(tmp_path):
    """Processes A and B on one PostgreSQL database and one Redis that may stop."""
    with ExitStack() as stack:
        with required():
            database_url = stack.enter_context(postgres_database())
            redis = stack.enter_context(RedisServer(tmp_path))
        env = site_env(
            tmp_path,
            DATABASE_URL=database_url,
            REDIS_URL=redis.url,
            # The hubs sweep the Event table every second: what Bruno receives while
            # Redis is down comes from there.
            LIVE_SWEEP_SECONDS="1",
            LIVE_TYPING_THROTTLE_SECONDS="1",
        )
        site = prepare_site(env)
        a = stack.enter_context(Daphne(env, tmp_path / "daphne-a.log"))
        b = stack.enter_context(Daphne(env, tmp_path / "daphne-b.log"))
        yield {"a": a, "b": b, "redis": redis, "env": env, **site}


def fetch(url, *, session, data=None, cookies=None):
    """(status, body text, cookies set) of a GET, or of a form POST with `data`."""
    jar = {"sessionid": session, **(cookies or {})}
    headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in jar.items())}
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    request = urllib.request.Request(url, data=body, headers=headers)
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(request, timeout=30) as response:
            status, text, set_cookies = (
                response.status,
                response.read().decode(),
                response.headers.get_all("Set-Cookie") or [],
            )
    except urllib.error.HTTPError as error:
        status, text, set_cookies = (
            error.code,
            error.read().decode(),
            error.headers.get_all("Set-Cookie") or [],
        )
    got = dict(
        cookie.split(";", 1)[0].split("=", 1) for cookie in set_cookies if "=" in cookie
    )
    return status, text, got


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a redirect is the answer itself (HTTPError 302)


def reply_over_http(base_url, room_path, session, body, client_id):
    """Send a reply through the HTTP form (its page first, for the CSRF token)."""
    reply_url = f"{base_url}{room_path}reply/"
    status, page, cookies = fetch(reply_url, session=session)
    assert status == 200, page[:2000]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    status, answer, _ = fetch(
        reply_url,
        session=session,
        cookies=cookies,
        data={"csrfmiddlewaretoken": token, "body": body, "client_id": client_id},
    )
    assert status == 302, answer[:2000]


def test_the_site_goes_on_without_redis_and_catches_up_when_it_returns(cluster):
    room, stream = cluster["room"], f"thread:{cluster['room']}"
    discussion = f"thread:{cluster['thread']}"
    a, b = cluster["a"].url, cluster["b"].url
    sessions = cluster["sessions"]
    # The room's address: the thread's, with the room's id.
    room_path = re.sub(r"/t/\d+/.*$", f"/t/{room}/", cluster["thread_path"])

    sent = []  # client ids of Anna's posts, in order

    async def post(client, body, thread=room):
        client_id = str(uuid.uuid4())
        await client.send(op="post", thread=thread, body=body, client_id=client_id)
        await client.until(
            lambda: client_id in client.acks, f"the ack of {body!r}", timeout=60
        )
        return client_id

    async def scenario():
        anna = await LiveClient.open(a, sessions["anna"])
        bruno = await LiveClient.open(b, sessions["bruno"])
        bruno_tab = None
        try:
            head = await anna.subscribe(stream)
            assert await bruno.subscribe(stream) == head
            sent.append(await post(anna, "Prima del guasto"))
            await bruno.until(lambda: bruno.seqs(stream) == [head + 1], "the first post")

            cluster["redis"].stop()

            # Pages load: Bruno's session is read from the database.
            status, page, _ = await asyncio.to_thread(
                fetch, f"{b}{cluster['thread_path']}", session=sessions["bruno"]
            )
            assert status == 200
            assert 'action="/accounts/logout/"' in page, "Bruno is signed in"
            # Anna posts over the socket and through the form; both are acknowledged.
            sent.append(await post(anna, "Durante il guasto, dal socket"))
            sent.append(str(uuid.uuid4()))
            await asyncio.to_thread(
                reply_over_http, a, room_path, sessions["anna"],
                "Durante il guasto, dal modulo", sent[-1],
            )
            # Bruno, on the other process, gets them from the Event table.
            await bruno.until(
                lambda: bruno.seqs(stream) == [head + 1, head + 2, head + 3],
                "the outage's posts on B",
                timeout=60,
            )
            # A new tab opens a stream B follows nowhere yet (a group it cannot join
            # now): subscribed all the same.
            bruno_tab = await LiveClient.open(b, sessions["bruno"])
            thread_head = await bruno_tab.subscribe(discussion, timeout=60)

            cluster["redis"].start()  # the same port: the same REDIS_URL

            # Typing notices are never in the Event table: Bruno sees Anna's only
            # once B receives through Redis again (each may be lost until then).
            typing = []

            async def anna_types():
                while not typing:
                    await anna.send(op="typing", thread=room)
                    await asyncio.sleep(0.5)

            async def bruno_sees_typing():
                await bruno.until(
                    lambda: any(f["op"] == "typing" for f in bruno.ephemeral[stream]),
                    "Anna's typing notice through Redis",
                    timeout=60,
                )
                typing.append(True)

            await asyncio.gather(anna_types(), bruno_sees_typing())

            sent.append(await post(anna, "Dopo il guasto"))
            expected = [head + 1, head + 2, head + 3, head + 4]
            await bruno.until(
                lambda: bruno.seqs(stream) == expected, "the last post", timeout=60
            )
            reply = await post(anna, "Nella discussione", thread=cluster["thread"])
            await bruno_tab.until(
                lambda: bruno_tab.seqs(discussion) == [thread_head + 1],
                "the reply in the stream subscribed during the outage",
                timeout=60,
            )
            assert bruno_tab.events[discussion][0]["data"]["client_id"] == reply
            await asyncio.sleep(1)  # a duplicate would arrive by now
            assert bruno.seqs(stream) == anna.seqs(stream) == expected
            assert [e["data"]["client_id"] for e in bruno.events[stream]] == sent
            assert not anna.errors and not bruno.errors and not bruno_tab.errors
        finally:
            await anna.close()
            await bruno.close()
            if bruno_tab is not None:
                await bruno_tab.close()

    asyncio.run(asyncio.wait_for(scenario(), TIMEOUT))

    stored = stored_posts(cluster["env"], room)
    assert [client_id for _pk, client_id in stored] == sent
    for daphne in (cluster["a"], cluster["b"]):
        lines = daphne.log_path.read_text().splitlines()
        log = "\n".join(lines)
        assert "Traceback" not in log, log
        assert sum(OUTAGE_WARNING in line for line in lines) == 1, log
        assert sum(BACK in line for line in lines) == 1, log
