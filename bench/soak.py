"""Soak: 200 sockets post and read at a steady rate against one daphne for ten minutes.

Run with `.venv/bin/python bench/soak.py` (loopback only; `--minutes`, `--sockets`,
`--rate` and the rest: `--help`). It builds a throwaway site (production settings,
DEBUG=0, the embedded SQLite by default; `--postgres`: PostgreSQL and a private Redis
layer, as bench/posting.py gets them) with one public community, several discussion
threads and chat rooms, and one verified member per socket, then starts one daphne
process through tests/support/processes.py, serving Crocevia's application through
bench/_crocevia_burst.py (unchanged, plus a bench-only `/bench/` socket): before each
reading the server runs a full collection through it, as bench/idle.py does, so that
RSS says what the process holds rather than how long ago the tuned collector
(config/gc_tuning.py) last ran; `--no-collect` serves config.asgi as it is and reads
it without. `--census` (and `--tracemalloc`) are for finding what grows: the live
objects by type after each reading (and the source lines allocating), compared with
the end of warm-up.

Each socket is a signed-in member following a few of the streams (threads and rooms,
spread so that every stream has about as many readers) and replying to them in turn:
an open loop of `--rate` posts a second in total (20 by default: each of 200 sockets
posts every 10 s, whether or not its earlier posts are acknowledged yet). Every
`--interval` seconds (a minute) it prints the daphne process's resident memory (VmRSS)
and allocated blocks (`sys.getallocatedblocks()`), its open file descriptors
(/proc/<pid>/fd), its CPU share and this script's, the machine's load, the posts
sent, acknowledged and delivered (event frames received by the sockets) in the
interval, and p50/p99 of two latencies, both timed from the sender writing the post
frame: to its ack, and to the event's arrival at each socket that follows the stream.

At the end, once every post is answered and every event delivered, the database is
read by another process and the verdict printed (the script exits 1 unless it holds):

- memory and descriptors flat after warm-up: the first two intervals are warm-up (the
  fragment caches, the database's page cache, the allocator's arenas fill), and every
  later reading of RSS must stay within `MEMORY_SLACK_MB` or `MEMORY_SLACK_SHARE` of
  the second one (whichever is larger), every descriptor count within `FD_SLACK`; and
  after the sockets close (and a full collection), the descriptors go back to within
  `FD_SLACK_CLOSED` of where they were before they opened (the allocated blocks are
  printed beside, not judged);
- no loss: every post answered with an ack (no error, none unanswered), every
  acknowledged post stored exactly once (by id and client_id), nothing stored that was
  not acknowledged, one `post.created` event per post, and every socket received every
  event of each stream it follows since it subscribed, in a gap-free, duplicate-free
  run of seqs equal to the database's.
"""

import argparse
import asyncio
import json
import os
import sys
import time
import uuid
from array import array
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _live  # noqa: E402
import posting  # noqa: E402

from tests.support import processes  # noqa: E402

# Readings after the second interval must stay within this much of its own.
MEMORY_SLACK_MB = 8.0
MEMORY_SLACK_SHARE = 0.05
FD_SLACK = 4
# After the sockets close, beyond the count before they opened: the connections the
# first operations open and keep (SQLite's database, WAL and shared memory; a
# PostgreSQL connection and a few pooled Redis connections).
FD_SLACK_CLOSED = 8
WARMUP_INTERVALS = 2
SETTLE_TIMEOUT = 120  # seconds for the last posts' acks, then for their events
FD_CLOSE_TIMEOUT = 20  # seconds for daphne to let go of the closed sockets
BODY = posting.BODY
EVENT_HEAD = b'{"op":"event","stream":"'
CLIENT_ID = b'"client_id":"'

CHECK = r"""
import json
from community.models import Post
from live.models import Event

asked = json.load(open(%(path)r))
events = {}
for stream, after in asked["after"].items():
    events[stream] = [
        [seq, kind, (payload or {}).get("id"), (payload or {}).get("client_id")]
        for seq, kind, payload in Event.objects.filter(stream=stream, seq__gt=after)
        .order_by("seq")
        .values_list("seq", "type", "payload")
    ]
posts = [
    [pk, str(client_id), thread]
    for pk, client_id, thread in Post.objects.filter(
        author__username__startswith="poster", client_id__isnull=False
    ).values_list("pk", "client_id", "thread_id")
]
with open(asked["out"], "w") as out:
    json.dump({"events": events, "posts": posts}, out)
"""


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description="Soak one daphne process: sockets posting and reading at a steady rate."
    )
    parser.add_argument(
        "--minutes", type=float, default=10.0, help="length (default 10)"
    )
    parser.add_argument(
        "--sockets", type=int, default=200, help="sockets (default 200)"
    )
    parser.add_argument(
        "--rate", type=float, default=20.0, help="posts a second in total (default 20)"
    )
    parser.add_argument("--threads", type=int, default=6, help="discussion threads (6)")
    parser.add_argument("--rooms", type=int, default=2, help="chat rooms (2)")
    parser.add_argument(
        "--follow", type=int, default=3, help="streams each socket follows (3)"
    )
    parser.add_argument(
        "--interval", type=float, default=60.0, help="seconds between readings (60)"
    )
    parser.add_argument(
        "--postgres",
        action="store_true",
        help="PostgreSQL (BENCH_DATABASE_URL, else a private cluster) and a private "
        "Redis layer instead of SQLite and the in-memory layer",
    )
    parser.add_argument(
        "--no-collect",
        dest="collect",
        action="store_false",
        help="read the server as it is, without the full collection before each "
        "reading (RSS then also holds garbage the tuned collector has not freed yet)",
    )
    parser.add_argument(
        "--census",
        action="store_true",
        help="diagnosis: after each reading's full collection, count the server's "
        "live objects by type and print the types that grew most since warm-up, and "
        "its descriptors by kind (clients, PostgreSQL, Redis, files)",
    )
    parser.add_argument(
        "--tracemalloc",
        action="store_true",
        help="diagnosis: --census with the server under tracemalloc, also printing "
        "the source lines whose allocations grew most (each snapshot stalls the "
        "server for seconds: its latencies mean nothing then)",
    )
    options = parser.parse_args(argv)
    options.census = options.census or options.tracemalloc
    options.collect = options.collect or options.census
    streams = options.threads + options.rooms
    if not 1 <= options.follow <= streams:
        parser.error(f"--follow must be between 1 and the {streams} streams")
    if options.sockets < 1 or options.rate <= 0 or options.interval <= 0:
        parser.error("--sockets, --rate and --interval must be positive")
    return options


# --- the clients -----------------------------------------------------------------------


@dataclass
class Window:
    """What happened in one interval (every socket adds to the current one)."""

    sent: int = 0
    acked: int = 0
    errors: int = 0
    received: int = 0
    ack_latencies: list = field(default_factory=list)
    arrival_latencies: list = field(default_factory=list)


class Traffic:
    """Shared by the sockets: when each post was sent, and the current window."""

    def __init__(self):
        self.sent_at = {}  # client_id (bytes, as in the event frames) -> send time
        self.window = Window()
        self.windows = []  # the finished ones

    def turn(self):
        finished, self.window = self.window, Window()
        self.windows.append(finished)
        return finished


class SoakSocket:
    """One member's socket: follows `streams`, replies to them in turn, records every
    ack and every event's seq (per stream, in arrival order) and arrival latency. Frames
    are handled in the read callback of a Sans-I/O socket (`_live.LightSocket`)."""

    def __init__(self, index, session, threads, traffic):
        self.index = index
        self.session = session
        self.threads = threads  # the thread ids of the followed streams
        self.streams = [f"thread:{pk}" for pk in threads]
        self.traffic = traffic
        self.light = None
        self.heads = {}  # stream -> its seq when subscribed
        self.seqs = {stream: array("q") for stream in self.streams}
        self.pending = {}  # client_id -> time the post frame was written
        self.acks = []  # (client_id, post id)
        self.errors = []
        self.resyncs = 0
        self.lost = False
        self.turn = 0
        self._subscribed = None

    async def connect(self, base):
        light = await _live.open_light(base, self.session)
        light.frame_sink = self._frame
        light.on_lost = self._lost
        self.light = light
        self._subscribed = asyncio.get_running_loop().create_future()
        for stream in self.streams:
            light.send_json({"op": "subscribe", "stream": stream})
        await asyncio.wait_for(self._subscribed, 120)

    def _lost(self, _light):
        self.lost = True

    def _frame(self, payload, arrival):
        if payload.startswith(EVENT_HEAD):
            cut = len(EVENT_HEAD)
            end = payload.index(b'"', cut)
            stream = payload[cut:end].decode()
            start = end + len(b'","seq":')
            seq = int(payload[start : payload.index(b",", start)])
            self.seqs[stream].append(seq)
            window = self.traffic.window
            window.received += 1
            at = payload.find(CLIENT_ID)
            if at >= 0:
                at += len(CLIENT_ID)
                sent = self.traffic.sent_at.get(payload[at : at + 36])
                if sent is not None:
                    window.arrival_latencies.append(arrival - sent)
            return
        frame = json.loads(payload)
        op = frame.get("op")
        if op == "ack":
            sent = self.pending.pop(frame.get("client_id"), None)
            if sent is None:
                return  # never happens without resends; the check counts acks
            self.acks.append((frame["client_id"], frame["post"]))
            window = self.traffic.window
            window.acked += 1
            window.ack_latencies.append(arrival - sent)
        elif op == "error":
            self.errors.append(frame)
            self.traffic.window.errors += 1
            self.pending.pop(frame.get("ref"), None)
        elif op in ("subscribed", "resync") and frame.get("stream") in self.seqs:
            if op == "resync":
                self.resyncs += 1
            self.heads.setdefault(frame["stream"], frame["seq"])
            if len(self.heads) == len(self.streams) and not self._subscribed.done():
                self._subscribed.set_result(None)

    def post(self):
        """Reply to the next followed stream (the frame is written now)."""
        thread = self.threads[self.turn % len(self.threads)]
        self.turn += 1
        client_id = str(uuid.uuid4())
        now = time.time()
        self.pending[client_id] = now
        self.traffic.sent_at[client_id.encode()] = now
        self.traffic.window.sent += 1
        self.light.send_json(
            {
                "op": "post",
                "thread": thread,
                "body": f"{BODY} ({self.index}.{self.turn})",
                "client_id": client_id,
            }
        )

    def close(self):
        """Close the socket; what it recorded stays (and may be copied)."""
        if self.light is not None:
            self.light.on_lost = None
            self.light.close()
        self.light = self._subscribed = None


def spread(index, streams, follow):
    """The `follow` streams socket `index` follows: consecutive sockets take
    consecutive blocks of the list, wrapping round, so every stream has about as many
    readers and neighbouring sockets share some streams but not all."""
    count = len(streams)
    return [streams[(index * follow + j) % count] for j in range(follow)]


# --- the server -------------------------------------------------------------------------


def descriptors(pid):
    """Open file descriptors of a process (the entries of /proc/<pid>/fd)."""
    return len(os.listdir(f"/proc/{pid}/fd"))


def descriptor_kinds(pid, services=None):
    """What a process's descriptors are: {"tcp to <service>" (`services`: {port:
    name}, else ":port"), "tcp from clients", "file <name>", "pipe", ...: count}, for
    --census."""
    services = services or {}
    ports = {}  # socket inode -> (local port, remote port)
    for table in ("tcp", "tcp6"):
        try:
            lines = Path(f"/proc/{pid}/net/{table}").read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            local, remote, inode = fields[1], fields[2], fields[9]
            ports[inode] = (
                int(local.rsplit(":", 1)[1], 16),
                int(remote.rsplit(":", 1)[1], 16),
            )
    listening = {local for local, remote in ports.values() if remote == 0}
    kinds = {}
    for name in os.listdir(f"/proc/{pid}/fd"):
        try:
            target = os.readlink(f"/proc/{pid}/fd/{name}")
        except OSError:
            continue
        if target.startswith("socket:["):
            local, remote = ports.get(target[8:-1], (None, None))
            if local is None:
                kind = "socket (not tcp)"
            elif remote == 0:
                kind = "tcp listening"
            elif local in listening:
                kind = "tcp from clients"
            else:
                kind = f"tcp to {services.get(remote, f':{remote}')}"
        elif target.startswith("/"):
            kind = f"file {Path(target).name}"
        else:
            kind = target.split(":", 1)[0]
        kinds[kind] = kinds.get(kind, 0) + 1
    return kinds


@dataclass
class Reading:
    """One interval's line: the server at its end, the traffic during it."""

    minute: float
    rss_mb: float
    fds: int
    cpu_share: float
    window: Window
    client_share: float = 0.0  # this process's CPU over the interval
    load: float = 0.0  # the machine's load average (1 min)
    blocks: int | None = None  # CPython's allocated blocks after the collection


def show_reading(reading):
    def ms(values, fraction):
        if not values:
            return "-"
        return f"{_live.percentile(values, fraction) * 1000:.1f}"

    w = reading.window
    return (
        f"{clock(reading.minute):>6}{reading.rss_mb:>9.1f}{thousands(reading.blocks):>9}"
        f"{reading.fds:>6}"
        f"{reading.cpu_share * 100:>6.0f}%{w.sent:>7}{w.acked:>7}{w.received:>10}"
        f"{w.errors:>7}{ms(w.ack_latencies, 0.5):>9}{ms(w.ack_latencies, 0.99):>9}"
        f"{ms(w.arrival_latencies, 0.5):>9}{ms(w.arrival_latencies, 0.99):>9}"
        f"{reading.client_share * 100:>6.0f}%{reading.load:>6.1f}"
    )


def thousands(blocks):
    return "-" if blocks is None else f"{blocks / 1000:.1f}k"


def clock(minutes):
    """m:ss since the posting began."""
    seconds = round(minutes * 60)
    return f"{seconds // 60}:{seconds % 60:02d}"


HEADER = (
    f"{'time':>6}{'RSS MB':>9}{'blocks':>9}{'fds':>6}{'cpu':>7}{'sent':>7}{'acked':>7}"
    f"{'received':>10}{'errors':>7}{'ack p50':>9}{'ack p99':>9}{'arr p50':>9}"
    f"{'arr p99':>9}{'client':>7}{'load':>6}"
)


@dataclass
class Result:
    """Everything the verdict judges."""

    options: argparse.Namespace
    readings: list
    sockets: list
    # {"events": {stream: [[seq, type, post id, client_id]]},
    #  "posts": [[post id, client_id, thread id]]}
    database: dict
    fds_before: int = 0  # before the sockets opened
    fds_after: int = 0  # after they closed
    fds_collected: int | None = None  # then after a full collection (when collecting)
    unsettled: int = 0  # posts never answered


async def sample(pid, traffic, started, marks, hook):
    """Close the current window and read the server (after a full collection through
    `hook` when there is one); returns (Reading, new marks). `marks`: (monotonic time,
    daphne CPU seconds, this process's CPU seconds)."""
    now = time.monotonic()
    cpu, client = _live.cpu_seconds(pid), time.process_time()
    window = traffic.turn()
    elapsed = max(1e-9, now - marks[0])
    blocks = await hook.collect() if hook is not None else None
    reading = Reading(
        minute=(now - started) / 60,
        rss_mb=_live.rss_mb(pid),
        fds=descriptors(pid),
        cpu_share=(cpu - marks[1]) / elapsed,
        window=window,
        client_share=(client - marks[2]) / elapsed,
        load=os.getloadavg()[0],
        blocks=blocks,
    )
    return reading, (now, cpu, client)


async def drive(sockets, options, pid, readings, hook, say):
    """The open loop: `options.rate` posts a second, round-robin over the sockets, for
    `options.minutes`, a reading every `options.interval` seconds (printed by `say`)."""
    traffic = sockets[0].traffic
    loop = asyncio.get_running_loop()
    started = time.monotonic()
    marks = (started, _live.cpu_seconds(pid), time.process_time())
    traffic.turn()  # the subscriptions' window is not counted
    begin = loop.time()
    length = options.minutes * 60
    total = int(length * options.rate)
    next_reading = options.interval

    async def read_at(moment):
        """Take, keep and print the reading due `moment` seconds after the start."""
        nonlocal marks
        await asyncio.sleep(max(0.0, begin + moment - loop.time()))
        reading, marks = await sample(pid, traffic, started, marks, hook)
        readings.append(reading)
        say(show_reading(reading), flush=True)
        if hook is not None:
            hook.report()

    for k in range(total):
        due = k / options.rate
        while due >= next_reading:
            await read_at(next_reading)
            next_reading += options.interval
        delay = begin + due - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        sockets[k % len(sockets)].post()
    while next_reading <= length + 1e-6:
        await read_at(next_reading)
        next_reading += options.interval


async def delivered(sockets, timeout):
    """Wait until every post is answered and every socket has, on each of its streams,
    the highest seq any socket has seen there (the database check comes after)."""
    deadline = time.monotonic() + timeout
    while any(s.pending for s in sockets):
        if time.monotonic() > deadline:
            return
        await asyncio.sleep(0.1)
    while time.monotonic() < deadline:
        highest = {}
        for s in sockets:
            for stream, seqs in s.seqs.items():
                if seqs:
                    highest[stream] = max(highest.get(stream, 0), max(seqs))
        behind = any(
            highest.get(stream, 0) > (max(seqs) if seqs else s.heads.get(stream, 0))
            for s in sockets
            for stream, seqs in s.seqs.items()
        )
        if not behind:
            await asyncio.sleep(1.0)  # anything later still on its way
            return
        await asyncio.sleep(0.2)


def read_database(env, root, sockets):
    """The events of every followed stream since the earliest subscription and every
    post of the sockets' people, read by a separate process."""
    after = {}
    for s in sockets:
        for stream, head in s.heads.items():
            after[stream] = min(after.get(stream, head), head)
    asked = root / "asked.json"
    out = root / "database.json"
    asked.write_text(json.dumps({"after": after, "out": str(out)}))
    done = processes.manage(
        "shell", "-c", CHECK % {"path": str(asked)}, env=env, timeout=600
    )
    if done.returncode != 0:
        raise RuntimeError(done.stderr)
    return json.loads(out.read_text())


async def fds_settled(pid, before, timeout):
    """The server's descriptor count once the closed sockets' are gone: back within
    FD_SLACK_CLOSED of `before`, or whatever it is after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    count = descriptors(pid)
    while count > before + FD_SLACK_CLOSED and time.monotonic() < deadline:
        await asyncio.sleep(0.5)
        count = descriptors(pid)
    return count


class Hook:
    """The bench-only socket of bench/_crocevia_burst.py, open for the whole run: a
    full collection in the server before each reading (`gc`), so that RSS is not
    blurred by garbage the tuned collector (config/gc_tuning.py) has not reached yet,
    as bench/idle.py reads it; with `--census` the same collection and the live
    objects by type, and `report()` prints what grew since warm-up."""

    def __init__(self, census, say, pid=None, services=None):
        self.census = census
        self.say = say
        self.pid = pid
        self.services = services or {}
        self.ws = None
        self.answer = None
        self.baseline = None
        self.count = 0

    async def open(self, base):
        self.ws = await _live.open_socket(base, None, path="/bench/")

    async def collect(self):
        """Collect; returns the server's allocated blocks after it."""
        op = "census" if self.census else "gc"
        await self.ws.send(json.dumps({"op": op}))
        while (answer := json.loads(await self.ws.recv())).get("op") != f"{op}.done":
            pass
        self.answer = answer
        self.count += 1
        if self.count == WARMUP_INTERVALS:
            self.baseline = answer
        return answer["blocks"]

    def report(self):
        """With --census: the last census, and the types that grew since warm-up."""
        if not self.census:
            return
        answer = self.answer
        types = answer["types"]
        line = f"  census: {sum(types.values())} objects tracked by the collector"
        if self.baseline is not None and self.baseline is not answer:
            before = self.baseline["types"]
            grown = sorted(
                ((n - before.get(name, 0), name) for name, n in types.items()),
                reverse=True,
            )
            line += "; grew most since warm-up: " + ", ".join(
                f"{name} {n:+}" for n, name in grown[:8] if n > 0
            )
        self.say(line, flush=True)
        self.say_descriptors()
        for where, size, count in answer.get("lines", [])[:8]:
            self.say(
                f"    {size / 1024:+9.1f} kB {count:+7} blocks  {where}", flush=True
            )

    def say_descriptors(self, when=""):
        kinds = descriptor_kinds(self.pid, self.services)
        self.say(
            f"  descriptors{' ' + when if when else ''}: "
            + ", ".join(f"{kind} {n}" for kind, n in sorted(kinds.items())),
            flush=True,
        )

    async def close(self):
        if self.ws is not None:
            await self.ws.close()


def serve(env, root, options):
    """The daphne process: Crocevia's application wrapped by bench/_crocevia_burst.py
    (unchanged, plus the `/bench/` hook), or served as it is with `--no-collect`."""
    log = root / "daphne.log"
    if not options.collect:
        return _live.serve(env, log)
    import fanout

    if options.tracemalloc:
        env = dict(env, PYTHONTRACEMALLOC="1")
    return fanout.serve_crocevia(env, log)


def services(env):
    """{port: name} of the database and Redis servers `env` names (for --census)."""
    found = {}
    for name, label in (("DATABASE_URL", "PostgreSQL"), ("REDIS_URL", "Redis")):
        if env.get(name):
            port = urlsplit(env[name]).port
            if port:
                found[port] = label
    return found


def environment(root, options, stack):
    """(env, note) for the site: SQLite, or PostgreSQL with a Redis layer."""
    extra = {"RATE_LIMIT_THREADS": "1000"}  # the owner opens every thread and room
    if not options.postgres:
        return _live.site_env(root, **extra), "SQLite (WAL), in-memory channel layer"
    url, note = stack.enter_context(_live.postgres_server())
    if url is None:
        raise SystemExit(f"--postgres: {note}")
    redis_url = stack.enter_context(_live.private_redis(root))
    if redis_url is None:
        raise SystemExit("--postgres: redis-server is not installed")
    return (
        _live.site_env(root, DATABASE_URL=url, REDIS_URL=redis_url, **extra),
        f"PostgreSQL ({note}), private Redis layer",
    )


async def soak(options, *, say=print):
    """Build the site, run the soak, read the database; returns the Result. Progress
    and readings go to `say` (print's signature)."""
    with _live.workdir("crocevia-soak-") as root, ExitStack() as stack:
        env, note = environment(root, options, stack)
        say(f"database: {note}", flush=True)
        site = await asyncio.to_thread(
            _live.build_site,
            env,
            root,
            posters=options.sockets,
            threads=options.threads,
            rooms=options.rooms,
        )
        streams = site["threads"] + site["rooms"]
        traffic = Traffic()
        sockets = [
            SoakSocket(index, session, spread(index, streams, options.follow), traffic)
            for index, session in enumerate(site["posters"])
        ]
        server = stack.enter_context(serve(env, root, options))
        hook = (
            Hook(options.census, say, server.pid, services(env))
            if options.collect
            else None
        )
        if hook is not None:
            await hook.open(server.url)
        fds_before = descriptors(server.pid)
        gate = asyncio.Semaphore(25)

        async def connect(s):
            async with gate:
                await s.connect(server.url)

        readings = []
        try:
            await asyncio.gather(*(connect(s) for s in sockets))
            say(
                f"{len(sockets)} sockets open and subscribed; server: "
                f"{_live.rss_mb(server.pid):.1f} MB, {descriptors(server.pid)} fds "
                f"({fds_before} before the sockets)",
                flush=True,
            )
            say(HEADER, flush=True)
            await drive(sockets, options, server.pid, readings, hook, say)
            await delivered(sockets, SETTLE_TIMEOUT)
        finally:
            for s in sockets:
                s.close()
        fds_after = await fds_settled(server.pid, fds_before, FD_CLOSE_TIMEOUT)
        fds_collected = None
        if hook is not None:
            if options.census:
                hook.say_descriptors("after closing the sockets")
            await hook.collect()
            await asyncio.sleep(0.5)
            fds_collected = descriptors(server.pid)
            if options.census:
                hook.say_descriptors("then after a full collection")
            await hook.close()
        server.stop()
        database = await asyncio.to_thread(read_database, env, root, sockets)
    return Result(
        options=options,
        readings=readings,
        sockets=sockets,
        database=database,
        fds_before=fds_before,
        fds_after=fds_after,
        fds_collected=fds_collected,
        unsettled=sum(len(s.pending) for s in sockets),
    )


# --- the verdict -----------------------------------------------------------------------


def flat(readings):
    """(memory ok, descriptors ok, lines) for the readings after warm-up, or (None,
    None, lines) when there are too few readings to judge."""
    if len(readings) <= WARMUP_INTERVALS:
        return (
            None,
            None,
            [
                f"memory and descriptors: not judged ({len(readings)} readings; the first "
                f"{WARMUP_INTERVALS} are warm-up and at least one more is needed)"
            ],
        )
    base = readings[WARMUP_INTERVALS - 1]
    later = readings[WARMUP_INTERVALS:]
    slack = max(MEMORY_SLACK_MB, MEMORY_SLACK_SHARE * base.rss_mb)
    peak = max(r.rss_mb for r in later)
    last = later[-1]
    memory_ok = peak <= base.rss_mb + slack
    xs = [r.minute for r in [base, *later]]
    ys = [r.rss_mb for r in [base, *later]]
    mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
    spread_x = sum((x - mean_x) ** 2 for x in xs)
    slope = (
        sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / spread_x
        if spread_x
        else 0.0
    )
    fd_low = min(r.fds for r in later)
    fd_high = max(r.fds for r in later)
    fds_ok = base.fds - FD_SLACK <= fd_low and fd_high <= base.fds + FD_SLACK
    lines = [
        f"memory: {base.rss_mb:.1f} MB at {clock(base.minute)} (after warm-up), "
        f"{last.rss_mb:.1f} MB at the end ({last.rss_mb - base.rss_mb:+.1f} MB), peak "
        f"{peak:.1f} MB; slope {slope:+.2f} MB/min; allowed +{slack:.1f} MB "
        f"(the larger of {MEMORY_SLACK_MB:.0f} MB and {MEMORY_SLACK_SHARE:.0%}): "
        f"{'flat' if memory_ok else 'GROWS'}",
        f"descriptors: {base.fds} at {clock(base.minute)}, {fd_low}-{fd_high} "
        f"afterwards, allowed ±{FD_SLACK}: {'flat' if fds_ok else 'GROW'}",
    ]
    if base.blocks is not None and last.blocks is not None:
        lines.append(
            f"live blocks after a full collection (not judged, a diagnosis): "
            f"{thousands(base.blocks)} at {clock(base.minute)}, "
            f"{thousands(last.blocks)} at the end "
            f"({(last.blocks - base.blocks) / base.blocks:+.1%})"
        )
    return memory_ok, fds_ok, lines


def losses(result):
    """Every way a post or an event went missing, or came twice: a list of lines."""
    problems = []
    sent = sum(s.turn for s in result.sockets)
    acks = [ack for s in result.sockets for ack in s.acks]
    errors = [error for s in result.sockets for error in s.errors]
    if errors:
        problems.append(
            f"{len(errors)} posts refused, the first: {json.dumps(errors[0])}"
        )
    if result.unsettled:
        problems.append(f"{result.unsettled} posts never answered")
    if len(acks) + len(errors) + result.unsettled != sent:
        problems.append(
            f"{sent} posts sent, {len(acks)} acked, {len(errors)} refused, "
            f"{result.unsettled} unanswered: the sums differ"
        )
    lost = sum(1 for s in result.sockets if s.lost)
    if lost:
        problems.append(f"{lost} sockets closed by the server")
    resyncs = sum(s.resyncs for s in result.sockets)
    if resyncs:
        problems.append(f"{resyncs} subscriptions told to reload (resync)")

    stored = {}  # client_id -> [post ids]
    thread_of = {}
    for pk, client_id, thread in result.database["posts"]:
        stored.setdefault(client_id, []).append(pk)
        thread_of[pk] = thread
    acked = dict(acks)
    missing = [c for c, pk in acks if not stored.get(c)]
    twice = [c for c in acked if len(stored.get(c, ())) > 1]
    other_id = [c for c, pk in acks if stored.get(c) and pk not in stored[c]]
    unacked = [c for c in stored if c not in acked]
    for count, what in (
        (len(missing), "acknowledged posts not stored"),
        (len(twice), "acknowledged posts stored more than once"),
        (len(other_id), "acknowledged posts stored under another id"),
        (len(unacked), "posts stored without an ack"),
        (len(acks) - len(acked), "client_ids acknowledged twice"),
    ):
        if count:
            problems.append(f"{count} {what}")

    created = {}  # post id -> post.created events
    database_seqs = {}
    for stream, rows in result.database["events"].items():
        database_seqs[stream] = [row[0] for row in rows]
        for _seq, kind, pk, _client_id in rows:
            if kind == "post.created":
                created[pk] = created.get(pk, 0) + 1
    no_event = sum(1 for _c, pk in acks if created.get(pk, 0) == 0)
    events_twice = sum(1 for _c, pk in acks if created.get(pk, 0) > 1)
    if no_event:
        problems.append(f"{no_event} acknowledged posts without a post.created event")
    if events_twice:
        problems.append(
            f"{events_twice} acknowledged posts with several post.created events"
        )

    gaps = duplicates = unknown = out_of_order = 0
    short = []
    for s in result.sockets:
        for stream, seqs in s.seqs.items():
            head = s.heads.get(stream, 0)
            expected = [seq for seq in database_seqs.get(stream, []) if seq > head]
            got = list(seqs)
            if got != sorted(got):
                out_of_order += 1
            seen = set(got)
            duplicates += len(got) - len(seen)
            missed = len(set(expected) - seen)
            gaps += missed
            unknown += len(seen - set(expected))
            if missed and len(short) < 3:
                short.append(f"socket {s.index} on {stream}: {missed} missing")
    if gaps:
        problems.append(f"{gaps} events never delivered ({'; '.join(short)})")
    if duplicates:
        problems.append(f"{duplicates} events delivered twice")
    if unknown:
        problems.append(f"{unknown} delivered events the database does not have")
    if out_of_order:
        problems.append(f"{out_of_order} subscriptions got their events out of order")
    return problems


def verdict(result):
    """(ok, lines): memory and descriptors flat, descriptors back after closing, no
    loss. Too short a run to judge memory is not a failure (the lines say so)."""
    memory_ok, fds_ok, lines = flat(result.readings)
    # Judged after a full collection when the readings were (what garbage holds is
    # said apart): the closed sockets' own descriptors must be gone.
    closed = result.fds_after if result.fds_collected is None else result.fds_collected
    closed_ok = closed <= result.fds_before + FD_SLACK_CLOSED
    collected = (
        ""
        if result.fds_collected is None
        else f", {result.fds_collected} after a full collection"
    )
    lines.append(
        f"descriptors after closing the sockets: {result.fds_after}{collected} "
        f"({result.fds_before} before they opened, allowed +{FD_SLACK_CLOSED}): "
        f"{'back' if closed_ok else 'KEPT'}"
    )
    problems = losses(result)
    acks = sum(len(s.acks) for s in result.sockets)
    deliveries = sum(len(seqs) for s in result.sockets for seqs in s.seqs.values())
    if problems:
        lines.append("loss: " + "; ".join(problems))
    else:
        lines.append(
            f"no loss: {acks} posts acknowledged, each stored once with one event; "
            f"{deliveries} deliveries, every socket's streams gap-free against the database"
        )
    ok = memory_ok is not False and fds_ok is not False and closed_ok and not problems
    return ok, lines


def summary(result):
    """Totals over the readings after warm-up (or all of them in a short run)."""
    readings = result.readings[WARMUP_INTERVALS:] or result.readings
    windows = [r.window for r in readings]
    acks = [x for w in windows for x in w.ack_latencies]
    arrivals = [x for w in windows for x in w.arrival_latencies]

    def ms(values, fraction):
        return f"{_live.percentile(values, fraction) * 1000:.1f}" if values else "-"

    span = "after warm-up" if result.readings[WARMUP_INTERVALS:] else "whole run"
    return (
        f"{span}: {sum(w.sent for w in windows)} posts sent, "
        f"{sum(w.acked for w in windows)} acknowledged, "
        f"{sum(w.received for w in windows)} deliveries; send-to-ack p50 "
        f"{ms(acks, 0.5)} ms, p99 {ms(acks, 0.99)} ms; post-to-arrival p50 "
        f"{ms(arrivals, 0.5)} ms, p99 {ms(arrivals, 0.99)} ms"
    )


def main(argv=None):
    options = parse_args(argv)
    limit = _live.raise_nofile()
    print(
        f"Crocevia soak — {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {options.minutes:g} min, "
        f"{options.sockets} sockets, {options.rate:g} posts/s, {options.threads} threads "
        f"+ {options.rooms} rooms, each socket following {options.follow}, a reading "
        f"every {options.interval:g} s"
    )
    print(f"machine: {_live.machine()}; open-file limit {limit}", flush=True)
    result = asyncio.run(soak(options))
    print()
    print(summary(result))
    ok, lines = verdict(result)
    for line in lines:
        print(line)
    print(
        "\nRSS: daphne's VmRSS at the end of the interval, read after a full collection "
        "in the server\n(unless --no-collect); blocks: CPython's allocated blocks after it "
        "(live objects);\nfds: entries of /proc/<pid>/fd; cpu: daphne's CPU time over the "
        "interval (client: this\nscript's); sent/acked/received: post frames written, acks "
        "and event frames received in\nthe interval; ack: from writing the post frame to "
        "its ack; arr: from writing it to the\nevent's arrival at each socket following "
        "the stream (ms); load: the machine's 1-minute\nload average."
    )
    print(f"verdict: {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
