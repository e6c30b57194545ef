"""The production shape: nginx in front of two daphne processes, PostgreSQL and Redis.

nginx runs on the config rendered from deploy/'s template (the one `make prod-up`
uses): it serves the collected static files itself, balances pages and /ws/ over both
processes, and when one daphne is killed in the middle of a burst, the clients that
were connected to it reconnect through nginx to the other and nothing is lost: every
acknowledged post is stored once and every reader ends with the same gap-free events.
Needs nginx, redis-server and PostgreSQL (`make test` installs and starts them), and
Chromium for the browser test; skips without them, fails without them under CI.
"""

import asyncio
import gzip
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from contextlib import ExitStack
from pathlib import Path
from typing import NamedTuple

import pytest

from deploy import nginx
from tests.browser.conftest import PASSWORD, Site
from tests.browser.scenarios import reply_appears_live_for_both
from tests.scaleout.client import LiveClient, as_shown, send_burst
from tests.scaleout.sites import prepare_site, site_env, stored_posts
from tests.support.processes import (
    BASE_DIR,
    Daphne,
    Nginx,
    clean_env,
    postgres_database,
    redis_server,
    required,
    unavailable,
)

pytestmark = [pytest.mark.scaleout, pytest.mark.xdist_group("scaleout")]

BURST = 80  # posts per sender; two senders
KILL_AFTER = 50  # posts acknowledged (both senders together) when a daphne dies
TIMEOUT = 90  # seconds, for each conversation


class Shape(NamedTuple):
    url: str  # nginx's
    daphnes: list
    nginx: Nginx
    env: dict
    site: dict  # what prepare_site returned
    root: Path


@pytest.fixture(scope="module")
def shape(tmp_path_factory):
    """nginx on a free port in front of daphne processes 1 and 2, both on one
    PostgreSQL database and one Redis, as `make prod-up` runs them."""
    root = tmp_path_factory.mktemp("production-shape")
    (root / "outbox").mkdir()
    with ExitStack() as stack:
        with required():
            database_url = stack.enter_context(postgres_database())
            redis_url = stack.enter_context(redis_server(root))
        env = site_env(
            root,
            DATABASE_URL=database_url,
            REDIS_URL=redis_url,
            EMAIL_URL=f"file://{root / 'outbox'}",
        )
        site = prepare_site(env, password=PASSWORD)
        daphnes = [
            stack.enter_context(
                Daphne(env, root / f"daphne-{number}.log", proxy_headers=True)
            )
            for number in (1, 2)
        ]
        with required():
            proxy = stack.enter_context(
                Nginx(
                    root / "nginx",
                    [daphne.address for daphne in daphnes],
                    static_root=env["STATIC_ROOT"],
                )
            )
        yield Shape(proxy.url, daphnes, proxy, env, site, root)
        for daphne in daphnes:
            text = daphne.log_path.read_text()
            assert "Traceback" not in text, text


@pytest.fixture(scope="module")
def site(shape):
    """The browser fixtures' site (tests/browser/conftest.py), reached through nginx."""
    return Site(
        shape.url,
        {"THREAD": shape.site["thread_path"]},
        shape.root / "outbox",
        shape.daphnes[0].log_path,
    )


def fetch(url, **headers):
    """(status, headers, body bytes); error statuses are answers too."""
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=15) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def served_by(access_log, path_prefix, count, *, since=0, timeout=10):
    """The daphne (host:port) that finally served each request for `path_prefix` that
    nginx logged after the first `since` bytes of its log; "-" for what nginx served
    itself. nginx logs a request once it has ended (a WebSocket when it closed), maybe
    just after the client saw its end: waits up to `timeout` seconds for `count`."""
    deadline = time.monotonic() + timeout
    while True:
        with open(access_log, "rb") as log:
            log.seek(since)
            lines = log.read().decode().splitlines()
        # "a, b" when nginx tried a first and b answered.
        upstreams = [
            re.search(r"upstream=(.*?) request_time", line).group(1).split(", ")[-1]
            for line in lines
            if f'"GET {path_prefix}' in line
        ]
        if len(upstreams) >= count or time.monotonic() > deadline:
            return upstreams
        time.sleep(0.05)


def test_nginx_serves_static_files_itself_and_pages_from_both_processes(shape):
    log_start = shape.nginx.access_log.stat().st_size
    pages = [fetch(f"{shape.url}/") for _ in range(4)]
    assert [status for status, _, _ in pages] == [200] * 4
    page = pages[0][2].decode()
    stylesheet = re.search(r'href="(/static/css/crocevia\.[0-9a-f]{12}\.css)"', page)
    assert stylesheet, "the page does not link the hashed, collected stylesheet"
    collected = Path(shape.env["STATIC_ROOT"]) / stylesheet.group(1).removeprefix(
        "/static/"
    )

    status, headers, body = fetch(shape.url + stylesheet.group(1))
    status_gz, headers_gz, body_gz = fetch(
        shape.url + stylesheet.group(1), **{"Accept-Encoding": "gzip"}
    )
    unhashed = fetch(f"{shape.url}/static/css/crocevia.css")
    missing = fetch(f"{shape.url}/static/css/nessuno.css")

    # A hashed name never changes: browsers keep it a year.
    assert status == 200 and body == collected.read_bytes()
    assert headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert headers["X-Content-Type-Options"] == "nosniff"
    # The compressed copy collectstatic made, as is.
    assert status_gz == 200 and headers_gz["Content-Encoding"] == "gzip"
    assert gzip.decompress(body_gz) == body
    # An unhashed name may change with the next release.
    assert unhashed[0] == 200
    assert unhashed[1]["Cache-Control"] == "public, max-age=60"
    assert missing[0] == 404
    # nginx answered the static files itself; the pages came from both daphnes.
    log = shape.nginx.access_log
    assert served_by(log, "/static/", 4, since=log_start) == ["-"] * 4
    assert set(served_by(log, "/ HTTP", 4, since=log_start)) == {
        daphne.address for daphne in shape.daphnes
    }


@pytest.mark.browser
def test_a_post_appears_live_in_another_browser_through_nginx(
    site, signed_in_page, problems
):
    anna = signed_in_page("anna@example.org")
    bruno = signed_in_page("bruno@example.org")
    reply_appears_live_for_both(anna, bruno, site.url, site.paths["THREAD"])
    assert not problems, problems


async def wait_for(condition, what, *, timeout=30):
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"waiting for {what}: timed out after {timeout}s")
        await asyncio.sleep(0.02)


def test_a_daphne_killed_mid_burst_loses_nothing_behind_nginx(shape):
    thread = shape.site["thread"]
    stream = f"thread:{thread}"
    sessions = shape.site["sessions"]
    bursts = [
        [(str(uuid.uuid4()), f"Messaggio {sender}.{n}") for n in range(BURST)]
        for sender in (1, 2)
    ]
    victim, survivor = shape.daphnes
    log_start = shape.nginx.access_log.stat().st_size
    stored_before = stored_posts(shape.env, thread)

    async def scenario():
        # Two of Anna's tabs post, four of Bruno's read, all through nginx, which
        # spreads the connections over both daphnes.
        senders = [await LiveClient.open(shape.url, sessions["anna"]) for _ in bursts]
        readers = [
            await LiveClient.open(shape.url, sessions["bruno"]) for _ in range(4)
        ]
        clients = senders + readers
        reconnected = {}  # a client whose daphne died -> its new connection
        newcomer = None
        try:
            head = await senders[0].subscribe(stream)
            assert await senders[1].subscribe(stream) == head
            for reader in readers:
                await reader.subscribe(stream, after=0)

            sending = [
                asyncio.ensure_future(send_burst(sender, thread, burst))
                for sender, burst in zip(senders, bursts, strict=True)
            ]
            await wait_for(
                lambda: sum(len(s.acks) for s in senders) >= KILL_AFTER,
                f"{KILL_AFTER} acks",
            )
            victim.kill()
            # The sockets of the dead process close; nginx keeps the others open.
            await wait_for(
                lambda: any(c.closed.is_set() for c in clients), "a closed socket"
            )
            await asyncio.sleep(2)
            dropped = [c for c in clients if c.closed.is_set()]
            assert dropped and len(dropped) < len(clients), "both processes had clients"
            # A sender left on the living process finishes its burst.
            await asyncio.gather(*sending, return_exceptions=True)

            # Every dropped client reconnects through nginx (which now reaches only the
            # living process) from the last seq it saw; a dropped sender resends what
            # was not acknowledged, and its last five acked posts as if those acks had
            # been lost with the connection.
            for old in dropped:
                person = "anna" if old in senders else "bruno"
                again = await LiveClient.open(shape.url, sessions[person])
                reconnected[old] = again
                await again.subscribe(stream, after=old.last_seq(stream))
            for sender, burst in zip(senders, bursts, strict=True):
                if sender in reconnected:
                    acked = [(c, body) for c, body in burst if c in sender.acks]
                    unacked = [(c, body) for c, body in burst if c not in sender.acks]
                    await send_burst(reconnected[sender], thread, acked[-5:] + unacked)
                else:
                    assert len(sender.acks) == BURST

            newcomer = await LiveClient.open(shape.url, sessions["bruno"])
            await newcomer.subscribe(stream, after=0)
            last = head + 2 * BURST
            living = [c for c in clients if c not in reconnected]
            for client in [*living, *reconnected.values(), newcomer]:
                await wait_for(
                    lambda c=client: c.last_seq(stream) >= last, "every event"
                )
            await asyncio.sleep(0.5)  # a duplicate or extra event would arrive by now
            return senders, readers, reconnected, newcomer, head
        finally:
            for client in [*clients, *reconnected.values(), newcomer]:
                if client is not None:
                    await client.close()

    try:
        senders, readers, reconnected, newcomer, head = asyncio.run(
            asyncio.wait_for(scenario(), TIMEOUT)
        )
    finally:
        victim.start()  # on its port again, for whatever runs next

    # Every post of both bursts is stored exactly once, under the id its ack named.
    everything = bursts[0] + bursts[1]
    stored = stored_posts(shape.env, thread)
    assert stored[: len(stored_before)] == stored_before
    stored = stored[len(stored_before) :]
    by_client_id = Counter(client_id for _pk, client_id in stored)
    assert by_client_id == Counter(client_id for client_id, _ in everything)
    pk_of = {client_id: pk for pk, client_id in stored if client_id}
    acks = {}
    for client in [*senders, *reconnected.values()]:
        for client_id, pk in client.acks.items():
            assert acks.setdefault(client_id, pk) == pk, "one post acked with two ids"
    assert acks == pk_of

    # The newcomer reads a gap-free stream with each post created once; every reader
    # and sender, reconnected or not, ends with exactly the same events.
    events = newcomer.events[stream]
    assert newcomer.seqs(stream) == list(range(1, head + 2 * BURST + 1))
    created = Counter(
        e["data"]["client_id"] for e in events[head:] if e["type"] == "post.created"
    )
    assert created == Counter(client_id for client_id, _ in everything)

    def seen(client):
        """What the client's page shows: a live frame carries the fragment in the
        languages its process's sockets read, a replay in every language."""
        again = reconnected.get(client)
        return as_shown(client.events[stream] + (again.events[stream] if again else []))

    for reader in readers:
        assert seen(reader) == as_shown(events)
    for sender in senders:
        assert seen(sender) == as_shown(events[head:])

    # nginx logs each WebSocket when it ends: the dropped ones had been served by the
    # killed process, every reconnect (and the newcomer) by the living one.
    opened = len(senders) + len(readers) + len(reconnected) + 1
    sockets = served_by(shape.nginx.access_log, "/ws/", opened, since=log_start)
    assert Counter(sockets) == {
        victim.address: len(reconnected),
        survivor.address: opened - len(reconnected),
    }


def test_the_nginx_config_of_make_prod_up_passes_nginx_t(tmp_path):
    if nginx.binary() is None:
        unavailable("nginx is not installed")
    env = clean_env(PROD_DIR=tmp_path, PROD_PROCESSES="3", PROD_PORT="8090")

    result = subprocess.run(
        [sys.executable, "-m", "deploy.prod", "nginx-check"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "test is successful" in result.stdout, result.stdout
    site = (tmp_path / "nginx" / "nginx-site.conf").read_text()
    assert re.findall(r"server (127\.0\.0\.1:\d+) ", site) == [
        "127.0.0.1:8101",
        "127.0.0.1:8102",
        "127.0.0.1:8103",
    ]
    assert "listen 127.0.0.1:8090;" in site
    # Sticky by connection only: no affinity by client address or cookie.
    directives = "\n".join(line.partition("#")[0] for line in site.splitlines())
    assert "least_conn;" in directives
    assert not re.search(r"\b(ip_hash|hash|sticky)\b", directives), directives
