"""Benchmark live fan-out: N sockets follow one stream while events are produced.

Run with `.venv/bin/python bench/fanout.py` (loopback only; an hour or more with the
defaults). It starts, on free loopback ports:

- Crocevia under daphne (DEBUG=0, throwaway SQLite database, in-memory channel layer),
  served through bench/_crocevia_burst.py: Crocevia's own ASGI app unchanged, plus a
  bench-only `/bench/` socket that makes the server post replies back to back; with
  BENCH_REDIS=1 and `redis-server` on the PATH, again with a private Redis layer;
- the baseline: a plain asyncio `websockets` server (`websockets.broadcast`, one process);
- a diagnosis row, not a target: a bare ASGI broadcast app under daphne (no Django, no
  Channels, bench/_daphne_broadcast.py): daphne's own per-socket send path.

Every server applies the same garbage-collector settings (config/gc_tuning.py).

For each N (1,000 and 5,000) and each repeat, the systems take turns: one system's N
sockets are opened (Crocevia: distinct signed-in people, session cookie, allowed Origin)
and subscribed, its rounds run, its sockets close, then the next system's (so the client
never holds more than one system's sockets: 5,000 at a time). Rounds, each of
BENCH_EVENTS events (default 1,000):

- paced: a sender socket sends one frame per event every BENCH_INTERVAL_MS (100 ms at
  N = 1,000, 500 ms at N = 5,000: 10,000 frames a second), BENCH_PACED_EVENTS events
  (1,000 at N = 1,000, 200 at N = 5,000, where 1,000 would take 8 minutes). Crocevia: the
  socket op `post` (the real service: permissions, Markdown, Event row, broadcast after
  commit, ack); the baselines: a `post` frame that the server turns into one event.
- burst: a trigger socket sends one frame, "burst B" (B = BENCH_BURST, 50), and the server
  produces B events back to back: the baselines build and broadcast B frames in a loop;
  in Crocevia the thread owner's B replies arrive at once at the socket path's group
  commit (`community.live`'s `post` operation, as B posts from sockets arriving together
  do): permissions, Markdown, Event rows, after-commit broadcast, hub, wire. The next
  trigger waits until every socket has the whole burst.
- one by one (Crocevia only, a stress row without a target): the B replies written one
  after another, each in its own transaction (`post_replies` of one reply, B times): what
  B posts cost when each arrives just after the previous one committed, so none share a
  transaction. Its events come out spaced by the writes: it is not a burst of events.

Latency is end to end: from the trigger (or post) frame leaving the client to the event's
arrival at each receiving socket. Its sample: every (event, socket) arrival of the round,
pooled over the round's events (1,000 events x N sockets); the table shows the median over
the repeats of each round's figure, and the range of p99 over the repeats. A secondary
column times from the server's write (Crocevia: Event.created_at, set at INSERT; the
baselines: the server building the frame). CPU: the server process's CPU time (all
threads, posting included) during the round over the frames delivered.

Afterwards every socket that misses events re-subscribes from its last contiguous seq (the
client's gap repair); missing and duplicated events are counted before and after, and
the script exits 1 if anything is still missing or duplicated.

Settings (environment), comma lists per N in the order of BENCH_FANOUT_N:
BENCH_FANOUT_N=1000,5000  BENCH_EVENTS=1000 (burst rounds)  BENCH_PACED_EVENTS=1000,200
BENCH_INTERVAL_MS=100,500 (paced interval)  BENCH_BURST=50  BENCH_REPEAT=3  BENCH_REDIS=0
(1: also Crocevia with a private Redis layer)  BENCH_MODES=paced,burst,burst 1 group (the
rounds to run).
"""

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
import uuid
from array import array
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _live  # noqa: E402

from tests.support import processes  # noqa: E402


def _list(name, default, kind=int):
    return [kind(v) for v in os.environ.get(name, default).split(",") if v.strip()]


NS = _list("BENCH_FANOUT_N", "1000,5000")
EVENTS = _list("BENCH_EVENTS", "1000")
# Paced rounds take events x interval: 1,000 events at N=5,000 (one every 500 ms) would be
# eight minutes per system, so fewer by default there (the table prints how many).
PACED_EVENTS = _list("BENCH_PACED_EVENTS", "1000,200")
BURST = max(1, int(os.environ.get("BENCH_BURST", 50)))
REPEAT = max(1, int(os.environ.get("BENCH_REPEAT", 3)))
# Paced interval per N: one event to 1,000 sockets every 100 ms is 10,000 frames of ~3.7 kB
# a second, as is one to 5,000 every 500 ms. At 40 ms (25,000 frames/s) Crocevia's queue
# grew on this loaded 2-core machine (e2e p99 15 s): p99 would measure the queue, not the
# path. The bursts cover overload.
INTERVALS = [ms / 1000 for ms in _list("BENCH_INTERVAL_MS", "100,500", float)]
WITH_REDIS = os.environ.get("BENCH_REDIS", "0") == "1"
PACED, BURST_MODE, ONE_BY_ONE = "paced", "burst", "one by one"
MODES = (PACED, BURST_MODE, ONE_BY_ONE)
TARGET_MODES = (PACED, BURST_MODE)  # one by one is a stress row: no target
# BENCH_MODES=paced (or burst, "one by one"): only those rounds.
WANTED_MODES = set(_list("BENCH_MODES", ",".join(MODES), str)) or set(MODES)
SETTLE_TIMEOUT = 60  # seconds for every delivery of a burst, or after the last post
REPAIR_TIMEOUT = 15
TARGET_RATIO = 2.0
MEMORY = "crocevia (in-memory)"
REDIS = "crocevia (redis)"
PLAIN = "plain websockets"
FLOOR = "bare ASGI on daphne"
BODY = (
    "Una risposta di prova con **Markdown**, un [link](https://example.org) e `codice`."
)
BENCH_DIR = str(Path(__file__).resolve().parent)


def per_n(values, n):
    return values[min(NS.index(n), len(values) - 1)] if n in NS else values[-1]


# --- the plain baseline server -----------------------------------------------------------


async def baseline_server():
    """A plain broadcast server: subscribe; each post, or each of a burst's events, is
    broadcast to every subscriber; `gc` collects (bench/idle.py)."""
    from _baseline import dumps, event_text
    from _collect import collect
    from websockets import broadcast
    from websockets.asyncio.server import serve

    subscribers = set()
    state = {"seq": 0}

    def event(client_id, body):
        state["seq"] += 1
        broadcast(subscribers, event_text(state["seq"], client_id, body))

    async def handler(ws):
        try:
            async for raw in ws:
                frame = json.loads(raw)
                op = frame.get("op")
                if op == "subscribe":
                    subscribers.add(ws)
                    await ws.send(
                        dumps(
                            {"op": "subscribed", "stream": "bench", "seq": state["seq"]}
                        )
                    )
                elif op == "post":
                    event(frame["client_id"], frame["body"])
                    await ws.send(
                        dumps({"op": "ack", "client_id": frame["client_id"], "post": 0})
                    )
                elif op == "burst":
                    for index in range(int(frame["count"])):
                        event(f"{index:036d}", f"{frame['body']} #{index}")
                    await ws.send(dumps({"op": "burst.done"}))
                elif op == "gc":
                    await ws.send(dumps({"op": "gc.done", **collect()}))
        finally:
            subscribers.discard(ws)

    async with serve(
        handler,
        "127.0.0.1",
        0,
        compression=None,
        max_size=2**22,
        ping_interval=None,
        backlog=1024,
    ) as server:
        port = server.sockets[0].getsockname()[1]
        print(f"PORT {port}", flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)


# --- the clients -------------------------------------------------------------------------


class Reader:
    """One subscribed socket (a light Sans-I/O client): stamps the seq of every event."""

    __slots__ = ("ws", "stream", "seqs", "times", "repaired", "repairing", "counter")

    def __init__(self, light, stream, counter):
        self.ws = light
        self.stream = stream
        self.counter = counter  # shared by the system's readers: deliveries this round
        self.reset()
        light.follow(stream, self._event)

    def reset(self):
        self.seqs, self.times = array("q"), array("d")
        self.repaired, self.repairing = [], False

    def _event(self, seq, arrival):
        if self.repairing:
            self.repaired.append(seq)
        else:
            self.seqs.append(seq)
            self.times.append(arrival)
            self.counter[0] += 1


class Sender:
    """The posting socket (paced rounds); also subscribed, to map each seq to its post
    and to the server's write time."""

    def __init__(self, ws, stream, post_frame, head):
        self.ws = ws
        self.head = head  # the last seq of the stream this socket has seen
        self.stream = stream
        self.post_frame = post_frame
        self.sent = {}  # client_id -> time the post op was written
        self.acks = set()
        self.errors = []
        self.events = {}  # seq -> (client_id, created_at timestamp, frame bytes)
        self.task = asyncio.ensure_future(self._read())

    def reset(self):
        self.sent, self.acks, self.errors, self.events = {}, set(), [], {}

    async def _read(self):
        from websockets.exceptions import ConnectionClosed

        try:
            async for raw in self.ws:
                frame = json.loads(raw)
                op = frame.get("op")
                if op == "ack":
                    self.acks.add(frame["client_id"])
                elif op == "error":
                    self.errors.append(frame)
                elif op == "event" and frame.get("stream") == self.stream:
                    data = frame["data"]
                    self.head = max(self.head, frame["seq"])
                    created = datetime.fromisoformat(data["created_at"]).timestamp()
                    self.events[frame["seq"]] = (
                        data.get("client_id"),
                        created,
                        len(raw),
                    )
        except ConnectionClosed:
            pass

    async def post(self, index, body):
        client_id = str(uuid.uuid4())
        self.sent[client_id] = time.time()
        await self.ws.send(self.post_frame(client_id, f"{body} #{index}"))
        return client_id


class Trigger:
    """The socket that asks the server for a burst (Crocevia: its bench-only `/bench/`
    socket; the baselines: a socket of their own, not subscribed)."""

    def __init__(self, ws, burst_frame):
        self.ws = ws
        self.burst_frame = burst_frame
        self.done = 0
        self.errors = []
        self.task = asyncio.ensure_future(self._read())

    async def _read(self):
        from websockets.exceptions import ConnectionClosed

        try:
            async for raw in self.ws:
                frame = json.loads(raw)
                if frame.get("op") == "burst.done":
                    self.done += 1
                    self.errors.extend(frame.get("errors") or [])
        except ConnectionClosed:
            pass

    async def burst(self, count, one_by_one, body):
        """Send one trigger frame; returns the time it was written."""
        frame = self.burst_frame(count, one_by_one, body)
        sent = time.time()
        await self.ws.send(frame)
        return sent


class Target:
    """How to reach one system under test."""

    def __init__(
        self,
        name,
        base,
        stream,
        reader_keys,
        sender_key,
        post_frame,
        burst_frame,
        *,
        db=None,
        modes=(PACED, BURST_MODE),
    ):
        self.name = name
        self.log = None  # the server's log, shown when deliveries go missing
        self.pid = None  # the server process, for its CPU time
        self.db = db  # Crocevia's SQLite file: Event.created_at is the write time
        self.base = base
        self.stream = stream
        self.reader_keys = reader_keys
        self.sender_key = sender_key
        self.post_frame = post_frame
        self.burst_frame = burst_frame
        self.modes = [mode for mode in modes if mode in WANTED_MODES]
        self.body = BODY
        self.path = "/ws/" if reader_keys is not None else "/"
        self.trigger_path = "/bench/" if reader_keys is not None else "/"


def crocevia_target(name, base, setup, db, thread):
    def post_frame(client_id, body):
        return json.dumps(
            {"op": "post", "thread": thread, "body": body, "client_id": client_id}
        )

    def burst_frame(count, one_by_one, body):
        return json.dumps(
            {
                "op": "burst",
                "thread": thread,
                "count": count,
                "one_by_one": one_by_one,
                "body": body,
            }
        )

    return Target(
        name,
        base,
        f"thread:{thread}",
        setup["readers"],
        setup["owner"],
        post_frame,
        burst_frame,
        db=db,
        modes=MODES,
    )


def baseline_target(name, base):
    def post_frame(client_id, body):
        return json.dumps({"op": "post", "body": body, "client_id": client_id})

    def burst_frame(count, _one_by_one, body):
        return json.dumps({"op": "burst", "count": count, "body": body})

    return Target(name, base, "bench", None, None, post_frame, burst_frame)


async def open_target_sockets(target, n):
    if target.reader_keys is None:  # the baselines: no sessions
        keys, sender_key = [None] * n, None
    else:
        keys, sender_key = target.reader_keys[:n], target.sender_key
        if len(keys) < n:
            raise RuntimeError(f"only {len(keys)} reader sessions for N={n}")
    lights = await _live.open_lights(target.base, keys, path=target.path)
    sender_ws = await _live.open_socket(target.base, sender_key, path=target.path)
    trigger_ws = await _live.open_socket(target.base, None, path=target.trigger_path)
    gate = asyncio.Semaphore(100)

    async def sub(light):
        async with gate:
            return await light.subscribe(target.stream)

    await asyncio.gather(*(sub(light) for light in lights))
    head = await _live.subscribe(sender_ws, target.stream)
    counter = [0]
    readers = [Reader(light, target.stream, counter) for light in lights]
    sender = Sender(sender_ws, target.stream, target.post_frame, head)
    trigger = Trigger(trigger_ws, target.burst_frame)
    return readers, sender, trigger


async def close_sockets(readers, sender, trigger):
    for reader in readers:
        reader.ws.close()
    await _live.close_all([sender.ws, trigger.ws])
    sender.task.cancel()
    trigger.task.cancel()
    try:
        await asyncio.wait_for(
            asyncio.gather(*(r.ws.closed for r in readers), return_exceptions=True), 30
        )
    except TimeoutError:
        pass
    await asyncio.sleep(0.5)


def stream_head(db, stream):
    """The last seq allocated in Crocevia's `stream` (StreamCursor)."""
    import sqlite3

    connection = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
    try:
        row = connection.execute(
            "SELECT last_seq FROM live_streamcursor WHERE stream = ?", (stream,)
        ).fetchone()
    finally:
        connection.close()
    return row[0] if row else 0


def event_times(db, stream, first, last):
    """seq -> Event.created_at (set at INSERT, after rendering, just before commit)."""
    import sqlite3

    connection = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
    try:
        rows = connection.execute(
            "SELECT seq, created_at FROM live_event WHERE stream = ? AND seq BETWEEN ? AND ?",
            (stream, first, last),
        ).fetchall()
    finally:
        connection.close()
    return {
        seq: datetime.fromisoformat(created).replace(tzinfo=UTC).timestamp()
        for seq, created in rows
    }


async def until(condition, timeout):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if condition():
            return True
        await asyncio.sleep(0.01)
    return condition()


def pick(ordered, fraction):
    """Nearest-rank percentile of a sorted non-empty list, in ms."""
    if not ordered:
        return float("nan")
    index = max(0, min(len(ordered) - 1, int(round(fraction * len(ordered) + 0.5)) - 1))
    return ordered[index] * 1000


async def run_round(target, opened, mode, events):
    """Produce `events` events (paced posts or bursts); wait for delivery; repair;
    measure."""
    readers, sender, trigger = opened
    n = len(readers)
    counter = readers[0].counter
    counter[0] = 0
    for reader in readers:
        reader.reset()
    sender.reset()
    trigger.done, trigger.errors = 0, []
    head = stream_head(target.db, target.stream) if target.db else sender.head
    origins = {}  # seq -> the time its trigger (or post) frame was written
    cpu_before = _live.cpu_seconds(target.pid)
    start = time.time()
    complete = True
    if mode == PACED:
        interval = per_n(INTERVALS, n)
        for index in range(events):
            delay = start + index * interval - time.time()
            if delay > 0:
                await asyncio.sleep(delay)
            await sender.post(index, target.body)
        complete = await until(
            lambda: (
                counter[0] >= n * events
                and len(sender.events) >= events
                and len(sender.acks) + len(sender.errors) >= events
            ),
            SETTLE_TIMEOUT,
        )
        for seq, (client_id, _created, _size) in sender.events.items():
            if client_id in sender.sent:
                origins[seq] = sender.sent[client_id]
    else:
        bursts = max(1, events // BURST)
        events = bursts * BURST
        for index in range(bursts):
            sent = await trigger.burst(BURST, mode == ONE_BY_ONE, target.body)
            first = head + 1 + index * BURST
            for seq in range(first, first + BURST):
                origins[seq] = sent
            last = first + BURST - 1
            complete = await until(
                lambda last=last, done=index + 1: (
                    counter[0] >= n * (last - head)
                    and sender.head >= last
                    and trigger.done >= done
                ),
                SETTLE_TIMEOUT,
            )
            if not complete:
                break
    cpu = _live.cpu_seconds(target.pid) - cpu_before
    delivered = counter[0]
    await asyncio.sleep(0.2)  # late duplicates, if any, would show up now

    expected = set(range(head + 1, head + 1 + events))
    if target.db:
        written = event_times(target.db, target.stream, head + 1, head + events)
    else:
        written = {seq: created for seq, (_cid, created, _n) in sender.events.items()}
    e2e, from_write = [], []
    duplicates = missing_live = 0
    last_arrival = start
    for reader in readers:
        seen = set()
        for seq, t in zip(reader.seqs, reader.times, strict=True):
            if seq in seen or seq not in expected:
                duplicates += seq in seen
                continue
            seen.add(seq)
            origin = origins.get(seq)
            if origin is not None:
                e2e.append(t - origin)
            at = written.get(seq)
            if at is not None:
                from_write.append(t - at)
        if reader.times:
            last_arrival = max(last_arrival, reader.times[-1])
        missing_live += len(expected - seen)

    # Client-side gap repair: re-subscribe from the last contiguous seq.
    gaps = [r for r in readers if not expected <= set(r.seqs)]
    if gaps:
        low = min(expected)
        for reader in gaps:
            have = set(reader.seqs)
            last = low - 1
            while last + 1 in have:
                last += 1
            reader.repairing = True
            reader.ws.send_json(
                {"op": "subscribe", "stream": reader.stream, "after": last}
            )
        await until(
            lambda: all(expected <= set(r.seqs) | set(r.repaired) for r in gaps),
            REPAIR_TIMEOUT,
        )
    missing_after = sum(len(expected - (set(r.seqs) | set(r.repaired))) for r in gaps)
    sizes = [size for (_cid, _c, size) in sender.events.values()]
    e2e.sort()
    from_write.sort()
    elapsed = last_arrival - start
    return {
        "mode": mode,
        "n": n,
        "events": events,
        "samples": len(e2e),
        "complete": complete,
        "e2e_p50": pick(e2e, 0.50),
        "e2e_p99": pick(e2e, 0.99),
        "e2e_max": pick(e2e, 1.0),
        "write_p99": pick(from_write, 0.99),
        "rate": delivered / elapsed if elapsed > 0 else 0.0,
        "missing_live": missing_live,
        "missing_after": missing_after,
        "duplicates": duplicates,
        "errors": len(sender.errors) + len(trigger.errors),
        "error_text": (sender.errors + trigger.errors)[:2],
        "frame_bytes": int(sum(sizes) / len(sizes)) if sizes else 0,
        # Server CPU (all threads, posting included) per delivered frame.
        "cpu_us": cpu / delivered * 1e6 if delivered else float("nan"),
    }


# --- orchestration -----------------------------------------------------------------------


@contextmanager
def plain_server():
    """The baseline server in its own process; yields (base URL, pid)."""
    process = subprocess.Popen(
        [sys.executable, __file__, "--baseline-server"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        port = int(process.stdout.readline().split()[1])
        yield f"http://127.0.0.1:{port}", process.pid
    finally:
        process.stdin.close()
        process.terminate()
        process.wait(timeout=10)


def crocevia_env(env):
    """Crocevia's environment, with bench/ importable for the bench-only wrapper."""
    return dict(env, PYTHONPATH=BENCH_DIR)


def serve_crocevia(env, log):
    """Crocevia under daphne through bench/_crocevia_burst.py (config.asgi unchanged,
    plus the `/bench/` socket)."""
    return _live.serve(
        crocevia_env(env), log, application="_crocevia_burst:application"
    )


def serve_bare(log):
    env = processes.clean_env(PYTHONPATH=BENCH_DIR)
    return _live.serve(env, log, application="_daphne_broadcast:application")


def start_systems(stack, root, env, setup):
    """Start every system under test; returns their Targets (Crocevia first)."""
    db = root / "data" / "crocevia.sqlite3"
    targets = []
    log = root / "daphne-memory.log"
    server = stack.enter_context(serve_crocevia(env, log))
    target = crocevia_target(MEMORY, server.url, setup, db, setup["threads"][0])
    target.log, target.pid = log, server.pid
    targets.append(target)
    if WITH_REDIS:
        redis_url = stack.enter_context(_live.private_redis(root))
        if redis_url is None:
            print("(redis-server not found: the Redis variant is skipped)")
        else:
            log = root / "daphne-redis.log"
            server = stack.enter_context(
                serve_crocevia(dict(env, REDIS_URL=redis_url), log)
            )
            target = crocevia_target(REDIS, server.url, setup, db, setup["threads"][1])
            target.log, target.pid = log, server.pid
            targets.append(target)
    base, pid = stack.enter_context(plain_server())
    target = baseline_target(PLAIN, base)
    target.pid = pid
    targets.append(target)
    log = root / "daphne-bare.log"
    server = stack.enter_context(serve_bare(log))
    target = baseline_target(FLOOR, server.url)
    target.log, target.pid = log, server.pid
    targets.append(target)
    return targets


async def warm_up(targets):
    """Every mode on 10 sockets per system: templates, connections, first queries.
    Returns the size of Crocevia's event frames, which the baselines then imitate."""
    sizes = []
    for target in targets:
        if target.db is None:
            continue
        opened = await open_target_sockets(target, 10)
        for mode in target.modes:
            result = await run_round(
                target, opened, mode, min(BURST, 20) if mode == PACED else BURST
            )
            sizes.append(result["frame_bytes"])
            if result["errors"] or result["missing_after"]:
                print(f"warm-up trouble: {target.name} {mode}: {result}")
                show_log(target)
        await close_sockets(*opened)
    frame_bytes = max(sizes)
    padding = "x" * max(10, frame_bytes - 190)
    for target in targets:
        if target.db is None:
            target.body = padding
            opened = await open_target_sockets(target, 10)
            for mode in target.modes:
                await run_round(target, opened, mode, 20)
            await close_sockets(*opened)
    return frame_bytes


def show_log(target):
    if target.log and Path(target.log).exists():
        tail = Path(target.log).read_text().splitlines()[-40:]
        print(f"  {target.name} server log (last lines):\n    " + "\n    ".join(tail))


async def measure(targets):
    """All rounds: for each N, REPEAT times, each system in turn (its N sockets opened,
    its rounds, its sockets closed), the order rotating from one repeat to the next."""
    rounds = {}  # (system, n, mode) -> [result]
    for n in NS:
        events = per_n(EVENTS, n)
        for repeat in range(REPEAT):
            shift = repeat % len(targets)
            for target in targets[shift:] + targets[:shift]:
                began = time.time()
                opened = await open_target_sockets(target, n)
                opening = time.time() - began
                try:
                    for mode in target.modes:
                        count = per_n(PACED_EVENTS, n) if mode == PACED else events
                        result = await run_round(target, opened, mode, count)
                        rounds.setdefault((target.name, n, mode), []).append(result)
                        print(
                            f"  N={n} {repeat + 1}/{REPEAT} {target.name} {mode}: "
                            f"e2e p99 {result['e2e_p99']:.1f} ms over {result['samples']} "
                            f"samples, cpu {result['cpu_us']:.1f} µs/frame "
                            f"(sockets opened in {opening:.0f} s)",
                            file=sys.stderr,
                            flush=True,
                        )
                        trouble = (
                            result["missing_after"]
                            or result["duplicates"]
                            or result["errors"]
                            or not result["complete"]
                        )
                        if trouble:
                            print(f"  trouble: {result['error_text']}", file=sys.stderr)
                            show_log(target)
                finally:
                    await close_sockets(*opened)
    return rounds


def summarise(name, n, mode, results):
    """The median of every figure over the repeats; losses are summed."""
    row = {"system": name, "n": n, "mode": mode, "repeats": len(results)}
    for key in ("e2e_p50", "e2e_p99", "write_p99", "rate", "cpu_us", "frame_bytes"):
        row[key] = statistics.median(r[key] for r in results)
    for key in ("missing_live", "missing_after", "duplicates", "errors"):
        row[key] = sum(r[key] for r in results)
    row["events"] = min(r["events"] for r in results)
    row["samples"] = min(r["samples"] for r in results)
    row["p99_range"] = (
        min(r["e2e_p99"] for r in results),
        max(r["e2e_p99"] for r in results),
    )
    return row


HEADER = (
    f"{'system':<21}{'N':>5} {'mode':<14}{'events':>7}{'samples':>9}{'e2e p50':>9}"
    f"{'e2e p99':>9}{'p99 range':>14}{'write p99':>10}{'deliv/s':>9}{'cpu µs':>8}"
    f"{'missing':>8}{'after':>6}{'dups':>5}"
)


def print_row(r):
    low, high = r["p99_range"]
    print(
        f"{r['system']:<21}{r['n']:>5} {r['mode']:<14}{r['events']:>7}{r['samples']:>9}"
        f"{r['e2e_p50']:>9.1f}{r['e2e_p99']:>9.1f}{f'{low:.0f}–{high:.0f}':>14}"
        f"{r['write_p99']:>10.1f}{r['rate']:>9.0f}{r['cpu_us']:>8.1f}{r['missing_live']:>8}"
        f"{r['missing_after']:>6}{r['duplicates']:>5}",
        flush=True,
    )


LEGEND = f"""
events: events per round; samples: (event, socket) arrivals each p99 is taken over (the
  fewest of the repeats). e2e p50/p99 (ms): from the post (paced) or burst trigger frame
  leaving the client to the event's arrival at a socket, every arrival of the round
  pooled; median over the repeats, with the range of p99 over the repeats.
paced: one post every {", ".join(f"{per_n(INTERVALS, n) * 1000:.0f} ms at N={n}" for n in NS)}
  (Crocevia: the socket op `post`, the real service, one post at a time, each acked).
burst: one trigger frame, then {BURST} events made back to back inside the server
  (Crocevia: {BURST} posts arriving at once at the socket path's group commit); the
  next trigger once every socket has the whole burst.
one by one (Crocevia only, no target): the {BURST} posts written one after another, one
  transaction each; its events come out spaced by the writes.
write p99 (ms): from the server's write (Crocevia: Event.created_at, set at INSERT just
  before commit; baselines: building the frame) to arrival; secondary.
deliv/s: frames delivered per second of the round; cpu µs: server CPU time (all threads,
  posting included) per delivered frame.
missing: deliveries lost on the live path (all repeats); after: still missing after the
  clients' gap repair (re-subscribe from the last contiguous seq); dups: duplicates."""


async def main():
    limit = _live.raise_nofile()
    print(f"Machine: {_live.machine()}; open-file limit {limit}")
    print(
        f"N = {NS}, events per burst round {', '.join(f'{per_n(EVENTS, n)} at N={n}' for n in NS)}"
        f", per paced round {', '.join(f'{per_n(PACED_EVENTS, n)} at N={n}' for n in NS)}, "
        f"bursts of {BURST}; {REPEAT} repeat(s), systems in turn, one system's sockets "
        f"open at a time"
    )
    if max(NS) + 100 > limit:
        print(f"open-file limit {limit} is below N = {max(NS)}")
        return 1
    with _live.workdir("crocevia-fanout-") as root, ExitStack() as stack:
        env = _live.site_env(root)
        setup = _live.build_site(env, root, posters=0, readers=max(NS), threads=2)
        targets = start_systems(stack, root, env, setup)
        frame_bytes = await warm_up(targets)
        print(
            f"event frame: {frame_bytes} bytes (the baselines send frames of the same size)"
        )
        rounds = await measure(targets)
    rows = [
        summarise(name, n, mode, results) for (name, n, mode), results in rounds.items()
    ]
    order = {name: i for i, name in enumerate((MEMORY, REDIS, PLAIN, FLOOR))}
    rows.sort(key=lambda r: (r["n"], MODES.index(r["mode"]), order[r["system"]]))
    print()
    print(HEADER)
    print("-" * len(HEADER))
    previous = None
    for row in rows:
        if previous and (row["n"], row["mode"]) != previous:
            print()
        previous = (row["n"], row["mode"])
        print_row(row)
    print(LEGEND)
    print()

    def find(system, n, mode):
        return next(
            (r for r in rows if (r["system"], r["n"], r["mode"]) == (system, n, mode)),
            None,
        )

    verdicts = []
    for n in NS:
        for mode in MODES:
            plain = find(PLAIN, n, PACED if mode == PACED else BURST_MODE)
            for system in (MEMORY, REDIS, FLOOR):
                ours = find(system, n, mode)
                if not (ours and plain):
                    continue
                p99 = ours["e2e_p99"] / plain["e2e_p99"]
                cpu = ours["cpu_us"] / plain["cpu_us"]
                lost = ours["missing_after"] + ours["duplicates"] + ours["errors"]
                print(
                    f"ratio {system:<20} / plain, N={n:<5} {mode:<14}: e2e p99 "
                    f"{p99:5.2f}x ({ours['e2e_p99']:.1f} / {plain['e2e_p99']:.1f} ms), "
                    f"cpu per frame {cpu:5.2f}x ({ours['cpu_us']:.1f} / "
                    f"{plain['cpu_us']:.1f} µs)"
                )
                if system == MEMORY and mode in TARGET_MODES:
                    verdicts.append((n, mode, p99, cpu, lost))
    print()
    for n, mode, p99, cpu, lost in verdicts:
        met = p99 <= TARGET_RATIO and cpu <= TARGET_RATIO and not lost
        print(
            f"target (≤ {TARGET_RATIO:.0f}x plain in e2e p99 and cpu per frame, no loss), "
            f"in-memory, N={n}, {mode}: {'meets' if met else 'MISSES'}"
        )
    lost = [r for r in rows if r["missing_after"] or r["duplicates"] or r["errors"]]
    for r in lost:
        print(
            f"LOST OR DUPLICATED: {r['system']} N={r['n']} {r['mode']}: "
            f"{r['missing_after']} missing after repair, {r['duplicates']} duplicates, "
            f"{r['errors']} errors"
        )
    return 1 if lost else 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--baseline-server", action="store_true", help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.baseline_server:
        from config.gc_tuning import tune_garbage_collector

        tune_garbage_collector()  # the same collector settings as Crocevia's server
        asyncio.run(baseline_server())
    else:
        sys.exit(asyncio.run(main()))
