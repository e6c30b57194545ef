"""Shared by the live benchmarks: a throwaway site with sessions, private servers, sockets.

Processes (daphne, redis-server, manage.py) come from the tests' harness,
tests/support/processes.py. Everything runs on loopback in temporary directories and
stops with the script.
"""

import asyncio
import json
import os
import platform
import resource
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack, contextmanager
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

from tests.support import processes  # noqa: E402

# Built through the real services: a public community, `threads` threads, `rooms` chat
# rooms, `posters` verified members (they may reply) and `readers` signed-in people who
# only follow threads.
# Sessions are real database sessions, as a login would write them.
SETUP = r"""
import json
from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.hashers import make_password
from django.contrib.sessions.backends.db import SessionStore
from django.db import transaction
from community.services import communities, memberships, threads as thread_services
from community.services import rooms as room_services
from community.models import ReadPosition, User

POSTERS, READERS, THREADS, ROOMS = %(posters)d, %(readers)d, %(threads)d, %(rooms)d


def session_for(user):
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return store.session_key


owner = User.objects.create_user("owner", "owner@example.org", None)
EmailAddress.objects.create(user=owner, email=owner.email, verified=True, primary=True)
community = communities.community_create(
    actor=owner, name="Banco di prova", description="", visibility="public", themes=[]
)
threads = [
    thread_services.thread_create(
        actor=owner, community=community, title=f"Banco {i + 1}", body="Primo messaggio."
    )
    for i in range(THREADS)
]
rooms = [
    room_services.room_create(actor=owner, community=community, name=f"Sala {i + 1}")
    for i in range(ROOMS)
]
posters = []
for i in range(POSTERS):
    person = User.objects.create_user(f"poster{i}", f"poster{i}@example.org", None)
    EmailAddress.objects.create(user=person, email=person.email, verified=True, primary=True)
    memberships.community_join(actor=person, community=community)
    posters.append(person)
# Every poster watches the thread they post to, as creating or replying makes them
# (and as a notification level, it costs main's code nothing).
ReadPosition.objects.bulk_create(
    [ReadPosition(user=person, thread=threads[0], level="watching") for person in posters]
)
unusable = make_password(None)
with transaction.atomic():
    readers = User.objects.bulk_create(
        [
            User(username=f"reader{i}", email=f"reader{i}@example.org", password=unusable)
            for i in range(READERS)
        ]
    )
    readers = list(User.objects.filter(username__startswith="reader").order_by("pk"))
    result = {
        "thread": threads[0].pk,
        "threads": [thread.pk for thread in threads],
        "rooms": [room.pk for room in rooms],
        "owner": session_for(owner),
        "posters": [session_for(p) for p in posters],
        "readers": [session_for(r) for r in readers],
    }
with open(%(out)r, "w") as out:
    json.dump(result, out)
"""


def raise_nofile():
    """Lift the open-file limit to the hard limit (1,000 sockets need 1,000+ fds)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = hard if hard != resource.RLIM_INFINITY else 1 << 16
    if soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def machine():
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = os.getloadavg()[0]
    return (
        f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()}, "
        f"{platform.system()} {platform.machine()}, load average {load:.1f} at start"
    )


def site_env(root, **extra):
    """The harness's production settings (DEBUG=0) under `root`, posting unlimited."""
    return processes.site_env(root, RATE_LIMIT_POSTS="1000000", **extra)


def build_site(env, root, *, posters=1, readers=0, threads=1, rooms=0):
    """Migrate, collect static files and create the people; returns the setup dict
    (thread, threads, rooms: ids; owner, posters, readers: session keys)."""
    out = root / f"setup-{secrets.token_hex(4)}.json"
    script = SETUP % {
        "posters": posters,
        "readers": readers,
        "threads": threads,
        "rooms": rooms,
        "out": str(out),
    }
    processes.build_site(env, script, timeout=600)
    return json.loads(out.read_text())


@contextmanager
def workdir(prefix):
    root = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield root
    finally:
        shutil.rmtree(root, ignore_errors=True)


@contextmanager
def private_redis(root):
    """The harness's private redis-server, or None when it is not installed."""
    with ExitStack() as stack:
        try:
            url = stack.enter_context(processes.redis_server(root))
        except processes.Unavailable:
            url = None
        yield url


@contextmanager
def postgres_server():
    """A PostgreSQL database URL for the benchmark: BENCH_DATABASE_URL when set, else a
    private throwaway cluster (initdb + postgres on a free loopback port, as the
    `postgres` user when running as root). Yields (url, note); url is None when there is
    no server to use."""
    given = os.environ.get("BENCH_DATABASE_URL")
    if given:
        yield given, "BENCH_DATABASE_URL"
        return
    initdb, postgres = shutil.which("initdb"), shutil.which("postgres")
    if not initdb or not postgres:
        yield None, "no BENCH_DATABASE_URL and no initdb/postgres on the PATH"
        return
    as_user = {}
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root
        import pwd

        try:
            account = pwd.getpwnam("postgres")
        except KeyError:
            yield (
                None,
                "running as root and there is no `postgres` user to run PostgreSQL",
            )
            return
        as_user = {"user": account.pw_uid, "group": account.pw_gid, "extra_groups": []}
    root = Path(tempfile.mkdtemp(prefix="crocevia-bench-pg-"))
    if as_user:
        os.chown(root, account.pw_uid, account.pw_gid)
    data = root / "data"
    process = None
    try:
        done = subprocess.run(
            [
                initdb,
                "-D",
                str(data),
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-sync",
            ],
            capture_output=True,
            text=True,
            timeout=120,
            cwd=root,
            **as_user,
        )
        if done.returncode != 0:
            yield None, f"initdb failed: {done.stderr.strip()[-300:]}"
            return
        port = processes.free_port()
        process = subprocess.Popen(
            [
                postgres,
                "-D",
                str(data),
                "-p",
                str(port),
                "-k",
                str(root),
                "-c",
                "listen_addresses=127.0.0.1",
                "-c",
                "max_connections=200",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            cwd=root,
            **as_user,
        )
        import psycopg

        deadline = time.monotonic() + 30
        while True:
            try:
                with psycopg.connect(
                    f"postgresql://postgres@127.0.0.1:{port}/postgres",
                    autocommit=True,
                    connect_timeout=2,
                ) as connection:
                    connection.execute("CREATE DATABASE crocevia")
                break
            except psycopg.OperationalError:
                if process.poll() is not None or time.monotonic() > deadline:
                    yield None, "the private PostgreSQL server did not start"
                    return
                time.sleep(0.3)
        version = subprocess.run(
            [postgres, "--version"], capture_output=True, text=True
        ).stdout.strip()
        yield (
            f"postgresql://postgres@127.0.0.1:{port}/crocevia",
            f"private cluster, {version}, default settings",
        )
    finally:
        if process is not None:
            process.send_signal(signal.SIGINT)  # fast shutdown
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        shutil.rmtree(root, ignore_errors=True)


def serve(env, log_path, **options):
    """One daphne process on a free loopback port (a context manager: `.url`, `.pid`),
    with a listen queue long enough for a thousand handshakes at once."""
    return processes.Daphne(env, log_path, backlog=1024, timeout=60, **options)


async def open_socket(base, session_key, *, path="/ws/", retries=5):
    """A websockets client socket signed in with `session_key` (cookie), allowed Origin."""
    from websockets.asyncio.client import connect

    headers = {"Cookie": f"sessionid={session_key}"} if session_key else {}
    for attempt in range(retries):
        try:
            return await connect(
                base.replace("http://", "ws://") + path,
                origin=base,
                additional_headers=headers,
                compression=None,
                max_size=2**22,
                max_queue=None,
                open_timeout=60,
                ping_interval=None,
                close_timeout=2,
            )
        except (TimeoutError, OSError):
            if attempt == retries - 1:
                raise
            await asyncio.sleep(0.2 * (attempt + 1))


async def open_sockets(base, session_keys, *, parallel=50):
    """Open one socket per session key, `parallel` handshakes at a time."""
    gate = asyncio.Semaphore(parallel)

    async def one(key):
        async with gate:
            return await open_socket(base, key)

    return await asyncio.gather(*(one(key) for key in session_keys))


async def subscribe(ws, stream, after=None):
    """Subscribe and wait for `subscribed`; returns the stream's seq at that point."""
    frame = {"op": "subscribe", "stream": stream}
    if after is not None:
        frame["after"] = after
    await ws.send(json.dumps(frame))
    while True:
        reply = json.loads(await ws.recv())
        if (
            reply.get("op") in ("subscribed", "resync")
            and reply.get("stream") == stream
        ):
            return reply["seq"]
        if reply.get("op") == "error":
            raise RuntimeError(f"subscribe failed: {reply}")


async def close_all(sockets):
    await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)


class LightSocket(asyncio.Protocol):
    """A client socket on the websockets library's Sans-I/O protocol.

    A thousand `websockets.asyncio` connections in one process cost a task wake-up and a
    queue hand-off per message, and on a small machine the client then measures itself.
    Here every read of the TCP stream is parsed in one callback with one timestamp; the
    frames of the benchmark's stream go to `sink(seq, arrival)` after reading only the
    seq from the frame's head. Other frames (subscribed, resync, error) are queued.
    """

    def __init__(self, uri, origin=None, cookie=None):
        from websockets.client import ClientProtocol
        from websockets.typing import Origin
        from websockets.uri import parse_uri

        self.protocol = ClientProtocol(
            parse_uri(uri), origin=Origin(origin) if origin else None, max_size=2**22
        )
        self.request = self.protocol.connect()
        if cookie:
            self.request.headers["Cookie"] = cookie
        loop = asyncio.get_running_loop()
        self.opened = loop.create_future()
        self.closed = loop.create_future()
        self.frames = asyncio.Queue()
        self.transport = None
        self.prefix = None
        self.sink = None
        self.frame_sink = None  # frame_sink(payload, arrival) instead of the queue
        self.on_lost = None  # on_lost(self) when the connection is gone
        self._parts = []

    def follow(self, stream, sink):
        """Send the events of `stream` to `sink(seq, arrival)`."""
        self.prefix = f'{{"op":"event","stream":"{stream}","seq":'.encode()
        self.sink = sink

    # asyncio.Protocol

    def connection_made(self, transport):
        self.transport = transport
        self.protocol.send_request(self.request)
        self._flush()

    def data_received(self, data):
        from websockets.frames import Frame, Opcode
        from websockets.http11 import Response

        now = time.time()
        self.protocol.receive_data(data)
        for event in self.protocol.events_received():
            if isinstance(event, Response):
                if self.opened.done():
                    continue
                if self.protocol.handshake_exc is not None:
                    self.opened.set_exception(self.protocol.handshake_exc)
                else:
                    self.opened.set_result(None)
            elif isinstance(event, Frame) and event.opcode in (
                Opcode.TEXT,
                Opcode.CONT,
            ):
                if not event.fin:
                    self._parts.append(event.data)
                    continue
                payload = (
                    b"".join([*self._parts, event.data]) if self._parts else event.data
                )
                self._parts = []
                prefix = self.prefix
                if prefix is not None and payload.startswith(prefix):
                    cut = len(prefix)
                    self.sink(int(payload[cut : payload.index(b",", cut)]), now)
                elif self.frame_sink is not None:
                    self.frame_sink(bytes(payload), now)
                else:
                    self.frames.put_nowait(bytes(payload))
        self._flush()

    def connection_lost(self, exc):
        self.protocol.receive_eof()
        if not self.opened.done():
            self.opened.set_exception(
                exc or ConnectionError("closed during the handshake")
            )
        if not self.closed.done():
            self.closed.set_result(None)
        if self.on_lost is not None:
            self.on_lost(self)

    def _flush(self):
        if self.transport is None or self.transport.is_closing():
            return
        for chunk in self.protocol.data_to_send():
            if chunk:
                self.transport.write(chunk)
            elif self.transport.can_write_eof():
                self.transport.write_eof()

    # client API

    def send_json(self, frame):
        self.protocol.send_text(json.dumps(frame).encode())
        self._flush()

    async def next_frame(self, timeout=60):
        return json.loads(await asyncio.wait_for(self.frames.get(), timeout))

    async def subscribe(self, stream, after=None):
        """Subscribe and wait for `subscribed` (or `resync`); returns the stream's seq."""
        frame = {"op": "subscribe", "stream": stream}
        if after is not None:
            frame["after"] = after
        self.send_json(frame)
        while True:
            reply = await self.next_frame()
            if (
                reply.get("op") in ("subscribed", "resync")
                and reply.get("stream") == stream
            ):
                return reply["seq"]
            if reply.get("op") == "error":
                raise RuntimeError(f"subscribe failed: {reply}")

    def close(self):
        if self.transport is None or self.transport.is_closing():
            return
        try:
            self.protocol.send_close(1000)
            self._flush()
        finally:
            self.transport.close()


async def open_light(base, session_key=None, *, path="/ws/", timeout=60, retries=5):
    """A LightSocket to `base` + `path`, signed in with `session_key` when given."""
    host, port = base.removeprefix("http://").split(":")
    uri = f"ws://{host}:{port}{path}"
    cookie = f"sessionid={session_key}" if session_key else None
    loop = asyncio.get_running_loop()
    for attempt in range(retries):
        try:
            _transport, light = await loop.create_connection(
                lambda: LightSocket(uri, origin=base, cookie=cookie), host, int(port)
            )
            await asyncio.wait_for(light.opened, timeout)
            return light
        except (TimeoutError, OSError):
            if attempt == retries - 1:
                raise
            await asyncio.sleep(0.2 * (attempt + 1))


async def open_lights(base, session_keys, *, path="/ws/", parallel=50):
    gate = asyncio.Semaphore(parallel)

    async def one(key):
        async with gate:
            return await open_light(base, key, path=path)

    return await asyncio.gather(*(one(key) for key in session_keys))


def cpu_seconds(pid):
    """User + system CPU time of a process (all its threads) so far, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mb(pid):
    """Resident memory of a process in MB, from /proc/<pid>/status (VmRSS)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for {pid}")


def percentile(values, fraction):
    """Nearest-rank percentile of a non-empty list."""
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, int(round(fraction * len(ordered) + 0.5)) - 1))
    return ordered[index]
