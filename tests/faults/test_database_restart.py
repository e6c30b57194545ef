"""PostgreSQL restarts in the middle of a burst of posts, and nothing is lost.

Two daphne processes (PostgreSQL, Redis) use a private PostgreSQL server that the
test stops (as a service restart: every session ended, open transactions rolled back;
and as a crash), keeps down for a few seconds (connections refused) and starts again
on the same port, while Anna sends a steady burst on one process and Bruno reads on
the other. A page loaded meanwhile is the site's error page. The posts in flight are answered
with `unavailable` error frames, never acks, and the sockets stay open; the client
keeps them pending and resends them (as live.js does); daphne reconnects by itself,
over the sockets and on the pages' long-lived HTTP threads. In the end every post is
stored exactly once under the id its ack named, and the readers hold the same
gap-free events as a newcomer replaying the stream from seq 0.
"""

import asyncio
import urllib.error
import urllib.request
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack

import pytest

from tests.scaleout.client import LiveClient, as_shown, send_burst
from tests.scaleout.sites import prepare_site, site_env, stored_posts
from tests.support.processes import (
    Daphne,
    PostgresServer,
    postgres_database,
    redis_server,
    required,
)

pytestmark = [
    pytest.mark.faults,
    pytest.mark.slow,
    pytest.mark.scaleout,
    pytest.mark.xdist_group(__name__),
]

BURST = 240
PACE = 0.03  # seconds between posts: the burst is still going when PostgreSQL stops
RESTART_AFTER = 40  # acks received when PostgreSQL is restarted
DOWN = 3  # seconds PostgreSQL refuses connections
TIMEOUT = 120  # seconds, for the whole scenario


@pytest.fixture
def shape(tmp_path):
    """Two daphne processes on a private PostgreSQL server and Redis."""
    with ExitStack() as stack:
        with required():
            server = stack.enter_context(PostgresServer())
            database_url = stack.enter_context(postgres_database(server.admin_url))
            redis_url = stack.enter_context(redis_server(tmp_path))
        env = site_env(tmp_path, DATABASE_URL=database_url, REDIS_URL=redis_url)
        site = prepare_site(env)
        writer = stack.enter_context(Daphne(env, tmp_path / "daphne-writer.log"))
        reader = stack.enter_context(Daphne(env, tmp_path / "daphne-reader.log"))
        yield server, env, site, writer, reader


def page_answer(daphne, path, session_key):
    """(status, text) of `path` loaded from `daphne` with the session `session_key`."""
    request = urllib.request.Request(
        daphne.url + path, headers={"Cookie": f"sessionid={session_key}"}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def page_statuses(daphne, path, session_key, count=4):
    """Load `path` `count` times at once (so each HTTP thread of `daphne` serves
    some); the response statuses."""
    with ThreadPoolExecutor(count) as pool:
        answers = pool.map(lambda _n: page_answer(daphne, path, session_key), range(count))
        return [status for status, _text in answers]


# "fast": a service restart (sessions ended, transactions rolled back, a checkpoint);
# "immediate": a crash (the postmaster gone at once, recovery from the log on start).
@pytest.mark.parametrize("mode", ["fast", "immediate"])
def test_posts_in_flight_during_a_database_restart_are_resent_and_stored_once(
    shape, mode
):
    server, env, site, writer, reader = shape
    thread, sessions = site["thread"], site["sessions"]
    stream = f"thread:{thread}"
    burst = [(str(uuid.uuid4()), f"Messaggio {n}") for n in range(BURST)]
    # Every HTTP thread of both processes holds a database connection, which the
    # restart will break.
    for daphne in (writer, reader):
        assert page_statuses(daphne, site["thread_path"], sessions["bruno"]) == [200] * 4

    async def scenario():
        anna = await LiveClient.open(writer.url, sessions["anna"])
        bruno = await LiveClient.open(reader.url, sessions["bruno"])
        clients = [anna, bruno]
        try:
            head = await anna.subscribe(stream)  # from now on: the burst's events
            await bruno.subscribe(stream, after=0)  # the whole stream
            sending = asyncio.ensure_future(
                send_burst(anna, thread, burst, pace=PACE)
            )
            await anna.until(lambda: len(anna.acks) >= RESTART_AFTER, "the first acks")
            acked_before = len(anna.acks)
            # A restart: every session ended, connections refused for DOWN seconds.
            await asyncio.to_thread(server.stop, mode)
            down_page = await asyncio.to_thread(
                page_answer, reader, site["thread_path"], sessions["bruno"]
            )
            await asyncio.sleep(DOWN)
            await asyncio.to_thread(server.start)
            await asyncio.wait_for(sending, TIMEOUT)
            await bruno.until(
                lambda: bruno.last_seq(stream) >= head + BURST, "every event", timeout=60
            )
            newcomer = await LiveClient.open(reader.url, sessions["bruno"])
            clients.append(newcomer)
            await newcomer.subscribe(stream, after=0)
            await asyncio.sleep(0.5)  # a duplicate or extra event would arrive by now
            # The sockets lived through the restart.
            assert not anna.closed.is_set() and not bruno.closed.is_set()
            return anna, bruno, newcomer, head, acked_before, down_page
        finally:
            for client in clients:
                await client.close()

    anna, bruno, newcomer, head, acked_before, down_page = asyncio.run(
        asyncio.wait_for(scenario(), TIMEOUT)
    )
    # A page loaded meanwhile is the site's own error page, which asks to try again
    # (in the site's language: the person's own is in the database, and this
    # request names none).
    assert down_page[0] == 500
    assert "Qualcosa è andato storto" in down_page[1]

    # The posts in flight while PostgreSQL was down were refused, not acknowledged,
    # each with the error the client resends on; the burst was half done then.
    assert anna.unavailable, "no post was in flight during the restart"
    assert acked_before < BURST
    assert {frame["code"] for frame in anna.unavailable} == {"unavailable"}
    refused = {frame["ref"] for frame in anna.unavailable}
    assert refused <= {client_id for client_id, _ in burst}
    assert not anna.errors and not bruno.errors and not newcomer.errors

    # Every post is stored exactly once, under the id its ack named.
    stored = stored_posts(env, thread)
    by_client_id = Counter(client_id for _pk, client_id in stored if client_id)
    assert by_client_id == Counter(client_id for client_id, _ in burst)
    assert anna.acks == {client_id: pk for pk, client_id in stored if client_id}

    # A newcomer replays a gap-free stream with each post created once; Bruno, on the
    # other process, and Anna hold exactly those events, in order.
    events = newcomer.events[stream]
    assert newcomer.seqs(stream) == list(range(1, head + BURST + 1))
    created = Counter(
        e["data"]["client_id"] for e in events if e["type"] == "post.created"
    )
    assert {c: created[c] for c, _ in burst} == {c: 1 for c, _ in burst}
    assert as_shown(bruno.events[stream]) == as_shown(events)
    assert as_shown(anna.events[stream]) == as_shown(events[head:])

    # Pages load again on every HTTP thread of both processes: each dropped its
    # broken connection and opened a new one.
    for daphne in (writer, reader):
        assert page_statuses(daphne, site["thread_path"], sessions["bruno"]) == [200] * 4
    for daphne in (writer, reader):
        log = daphne.log_path.read_text()
        # No consumer crashed on the broken connection.
        assert "Exception inside application" not in log, log
        assert "Task exception was never retrieved" not in log, log
