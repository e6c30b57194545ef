"""Benchmark live fan-out: N sockets follow one thread while a member posts M replies.

Run with `.venv/bin/python bench/fanout.py` (three to five minutes; loopback only). It starts,
side by side, on free loopback ports:

- Crocevia under daphne (DEBUG=0, throwaway SQLite database) with the in-memory channel
  layer, and again with a private `redis-server` (pub/sub layer, Redis cache) when one is on
  the PATH; each has its own thread;
- the baseline: a plain asyncio `websockets` server (`websockets.broadcast`, one process);
- a diagnosis row, not a target: a bare ASGI broadcast app under daphne (no Django, no
  Channels), i.e. the floor of daphne's own per-socket send path.

For N = 100 and 1,000 it opens N sockets to each system (Crocevia: signed-in people,
session cookie, allowed Origin) subscribed to the stream, and a sender posts M replies
(Crocevia: the socket op "post", i.e. the real service: permissions, Markdown, Event row,
broadcast after commit, ack), paced and then in a burst. Rounds of the systems alternate
(BENCH_REPEAT times) so that the machine's background load hits every system alike; the
table shows, per figure, the median over the repeats.

Every socket stamps each event on arrival. Fan-out latency runs from the event's write
(Crocevia: Event.created_at, set at INSERT just before commit; plain: the server building
the frame) to its arrival; e2e latency from the sender writing the post op. Afterwards
every socket that misses events re-subscribes from its last contiguous seq (the client's
gap repair); missing and duplicated events are counted before and after, and the script
exits 1 if anything is still missing or duplicated.

Settings (environment): BENCH_FANOUT_N=100,1000  BENCH_MESSAGES=50  BENCH_REPEAT=3
BENCH_INTERVAL_MS=20,100 (paced interval per N, in the order of BENCH_FANOUT_N).
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
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _live  # noqa: E402

from tests.support import processes  # noqa: E402

NS = [
    int(n) for n in os.environ.get("BENCH_FANOUT_N", "100,1000").split(",") if n.strip()
]
MESSAGES = int(os.environ.get("BENCH_MESSAGES", 50))
REPEAT = max(1, int(os.environ.get("BENCH_REPEAT", 3)))
# Paced interval per N. At N=1,000 one event is 1,000 frames of ~3.5 kB: every 20 ms that is
# 50,000 frames/s, more than even the plain server and the client sustain on a small machine,
# so p99 would measure a growing queue rather than fan-out; the burst covers overload.
INTERVALS = [
    float(ms) / 1000
    for ms in os.environ.get("BENCH_INTERVAL_MS", "20,100").split(",")
    if ms
]
MODES = ("paced", "burst")
SETTLE_TIMEOUT = 30  # seconds after the last post for every delivery
REPAIR_TIMEOUT = 15
TARGET_RATIO = 3.0
MEMORY = "crocevia (in-memory)"
REDIS = "crocevia (redis)"
PLAIN = "plain websockets"
FLOOR = "bare ASGI on daphne"
BODY = (
    "Una risposta di prova con **Markdown**, un [link](https://example.org) e `codice`."
)


def interval_for(n):
    return INTERVALS[min(NS.index(n), len(INTERVALS) - 1)] if n in NS else INTERVALS[-1]


# --- the plain baseline server -----------------------------------------------------------


async def baseline_server():
    """A plain broadcast server: subscribe, and each post is broadcast to every subscriber."""
    from websockets import broadcast
    from websockets.asyncio.server import serve

    subscribers = set()
    state = {"seq": 0}

    async def handler(ws):
        try:
            async for raw in ws:
                frame = json.loads(raw)
                if frame.get("op") == "subscribe":
                    subscribers.add(ws)
                    await ws.send(
                        json.dumps(
                            {
                                "op": "subscribed",
                                "stream": "bench",
                                "seq": state["seq"],
                            },
                            separators=(",", ":"),
                        )
                    )
                elif frame.get("op") == "post":
                    state["seq"] += 1
                    event = {
                        "op": "event",
                        "stream": "bench",
                        "seq": state["seq"],
                        "type": "post.created",
                        "data": {
                            "client_id": frame["client_id"],
                            "body": frame["body"],
                            "created_at": datetime.now().astimezone().isoformat(),
                        },
                    }
                    broadcast(subscribers, json.dumps(event, separators=(",", ":")))
                    await ws.send(
                        json.dumps(
                            {"op": "ack", "client_id": frame["client_id"], "post": 0}
                        )
                    )
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

    def __init__(self, light, stream):
        self.ws = light
        self.stream = stream
        self.live = []  # (seq, arrival) during the round
        self.repaired = []  # seqs received while repairing
        self.repairing = False
        light.follow(stream, self._event)

    def _event(self, seq, arrival):
        if self.repairing:
            self.repaired.append(seq)
        else:
            self.live.append((seq, arrival))


class Sender:
    """The posting socket; also subscribed, to map each seq to its post and write time."""

    def __init__(self, ws, stream, post_frame, head):
        self.ws = ws
        self.head = head  # the last seq of the stream this socket has seen
        self.stream = stream
        self.post_frame = post_frame
        self.body = BODY
        self.sent = {}  # client_id -> time the post op was written
        self.acks = set()
        self.errors = []
        self.events = {}  # seq -> (client_id, created_at timestamp)
        self.task = asyncio.ensure_future(self._read())

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


class Target:
    """How to reach one system under test."""

    def __init__(
        self, name, base, stream, reader_keys, sender_key, post_frame, db=None, log=None
    ):
        self.name = name
        self.log = log  # the server's log, shown when deliveries go missing
        self.pid = None  # the server process, for its CPU time
        self.db = db  # Crocevia's SQLite file: Event.created_at is the write time
        self.base = base
        self.stream = stream
        self.reader_keys = reader_keys
        self.sender_key = sender_key
        self.post_frame = post_frame
        self.body = BODY


def crocevia_target(name, base, setup, db, thread):

    def post_frame(client_id, body):
        return json.dumps(
            {"op": "post", "thread": thread, "body": body, "client_id": client_id}
        )

    return Target(
        name, base, f"thread:{thread}", setup["readers"], setup["owner"], post_frame, db
    )


def baseline_target(name, base):
    def post_frame(client_id, body):
        return json.dumps({"op": "post", "body": body, "client_id": client_id})

    return Target(name, base, "bench", None, None, post_frame)


async def open_target_sockets(target, n):
    if target.reader_keys is None:  # the plain server: no sessions
        keys, sender_key = [None] * n, None
    else:
        keys, sender_key = target.reader_keys[:n], target.sender_key
        if len(keys) < n:
            raise RuntimeError(f"only {len(keys)} reader sessions for N={n}")
    path = "/ws/" if target.reader_keys is not None else "/"
    lights = await _live.open_lights(target.base, keys, path=path)
    sender_ws = await _live.open_socket(target.base, sender_key, path=path)
    gate = asyncio.Semaphore(100)

    async def sub(light):
        async with gate:
            return await light.subscribe(target.stream)

    await asyncio.gather(*(sub(light) for light in lights))
    head = await _live.subscribe(sender_ws, target.stream)
    readers = [Reader(light, target.stream) for light in lights]
    sender = Sender(sender_ws, target.stream, target.post_frame, head)
    return readers, sender


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


def event_times(db, stream, seqs):
    """seq -> Event.created_at (set at INSERT, after rendering, just before commit)."""
    import sqlite3

    connection = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
    try:
        rows = connection.execute(
            "SELECT seq, created_at FROM live_event WHERE stream = ?", (stream,)
        ).fetchall()
    finally:
        connection.close()
    wanted = set(seqs)
    return {
        seq: datetime.fromisoformat(created).replace(tzinfo=UTC).timestamp()
        for seq, created in rows
        if seq in wanted
    }


async def run_round(target, readers, sender, mode, body, messages=None):
    """Post M replies (paced or burst); wait for delivery; repair; measure."""
    messages = messages or MESSAGES
    for reader in readers:
        reader.live, reader.repaired, reader.repairing = [], [], False
    head = stream_head(target.db, target.stream) if target.db else sender.head
    cpu_before = _live.cpu_seconds(target.pid) if target.pid else None
    sender.sent, sender.acks, sender.errors, sender.events = {}, set(), [], {}
    start = time.time()
    for index in range(messages):
        if mode == "paced":
            delay = start + index * interval_for(len(readers)) - time.time()
            if delay > 0:
                await asyncio.sleep(delay)
        await sender.post(index, body)
    last_send = time.time()

    # Wait for every ack, the sender's own copy of every event and every delivery.
    deadline = last_send + SETTLE_TIMEOUT
    while time.time() < deadline:
        if (
            len(sender.acks) + len(sender.errors) >= messages
            and len(sender.events) >= messages
            and all(len(r.live) >= messages for r in readers)
        ):
            break
        await asyncio.sleep(0.05)
    cpu = _live.cpu_seconds(target.pid) - cpu_before if target.pid else float("nan")
    await asyncio.sleep(0.2)  # late duplicates, if any, would show up now

    expected = set(range(head + 1, head + 1 + messages))

    # Live figures. The write time of an event: Event.created_at for Crocevia, the moment
    # the plain server built the frame for the baseline.
    if target.db:
        written = event_times(target.db, target.stream, expected)
    else:
        written = {seq: created for seq, (_cid, created, _n) in sender.events.items()}
    latencies, from_write, fanout_only, arrivals = [], [], [], []
    duplicates = missing_live = 0
    first_arrival = {}
    for reader in readers:
        seen = set()
        for seq, t in reader.live:
            if seq in seen:
                duplicates += 1
                continue
            seen.add(seq)
            if seq in expected:
                first_arrival[seq] = min(first_arrival.get(seq, t), t)
        missing_live += len(expected - seen)
    for reader in readers:
        seen = set()
        for seq, t in reader.live:
            if seq in seen or seq not in expected:
                continue
            seen.add(seq)
            cid, _created, _size = sender.events.get(seq, (None, None, None))
            origin = sender.sent.get(cid)
            if origin is not None:
                latencies.append(t - origin)
            if seq in written:
                from_write.append(t - written[seq])
            fanout_only.append(t - first_arrival[seq])
            arrivals.append(t)

    # Client-side gap repair: re-subscribe from the last contiguous seq.
    gaps = [r for r in readers if not expected <= {s for s, _t in r.live}]
    if gaps:
        low = min(expected)
        for reader in gaps:
            have = {s for s, _t in reader.live}
            last = low - 1
            while last + 1 in have:
                last += 1
            reader.repairing = True
            reader.ws.send_json(
                {"op": "subscribe", "stream": reader.stream, "after": last}
            )
        deadline = time.time() + REPAIR_TIMEOUT
        while time.time() < deadline:
            if all(expected <= {s for s, _t in r.live} | set(r.repaired) for r in gaps):
                break
            await asyncio.sleep(0.05)
    missing_after = sum(
        len(expected - ({s for s, _t in r.live} | set(r.repaired))) for r in readers
    )
    sizes = [size for (_cid, _c, size) in sender.events.values()]
    elapsed = (max(arrivals) - start) if arrivals else float("nan")

    def ms(values, fraction):
        return _live.percentile(values, fraction) * 1000 if values else float("nan")

    return {
        "mode": mode,
        "n": len(readers),
        "deliveries": len(latencies),
        "e2e_p50": ms(latencies, 0.50),
        "e2e_p99": ms(latencies, 0.99),
        "p50": ms(from_write, 0.50),
        "p99": ms(from_write, 0.99),
        "max": ms(from_write, 1.0),
        "spread_p99": ms(fanout_only, 0.99),
        "rate": len(arrivals) / elapsed if arrivals else 0.0,
        "missing_live": missing_live,
        "sender_missing": len(expected - set(sender.events)),
        "missing_after": missing_after,
        "duplicates": duplicates,
        "acks": len(sender.acks),
        "errors": len(sender.errors),
        "frame_bytes": int(sum(sizes) / len(sizes)) if sizes else 0,
        # Server CPU (all threads) per delivered frame, posting included.
        "cpu_us": cpu / len(arrivals) * 1e6 if arrivals else float("nan"),
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


def start_systems(stack, root, env, setup):
    """Start every system under test; returns their Targets (Crocevia first)."""
    db = root / "data" / "crocevia.sqlite3"
    targets = []
    log = root / "daphne-memory.log"
    server = stack.enter_context(_live.serve(env, log))
    target = crocevia_target(MEMORY, server.url, setup, db, setup["threads"][0])
    target.log, target.pid = log, server.pid
    targets.append(target)
    redis_url = stack.enter_context(_live.private_redis(root))
    if redis_url is None:
        print("(redis-server not found: the Redis variant is skipped)")
    else:
        log = root / "daphne-redis.log"
        server = stack.enter_context(_live.serve(dict(env, REDIS_URL=redis_url), log))
        target = crocevia_target(REDIS, server.url, setup, db, setup["threads"][1])
        target.log, target.pid = log, server.pid
        targets.append(target)
    base, pid = stack.enter_context(plain_server())
    target = baseline_target(PLAIN, base)
    target.pid = pid
    targets.append(target)
    floor_env = processes.clean_env(PYTHONPATH=str(Path(__file__).resolve().parent))
    log = root / "daphne-bare.log"
    server = stack.enter_context(
        _live.serve(floor_env, log, application="_daphne_broadcast:application")
    )
    target = baseline_target(FLOOR, server.url)
    target.log, target.pid = log, server.pid
    targets.append(target)
    return targets


async def warm_up(targets):
    """A few posts to 10 sockets per system: templates, connections, first queries.
    Returns the size of Crocevia's event frames, which the baselines then imitate."""
    sizes = []
    for target in targets:
        if target.db is None:
            continue
        readers, sender = await open_target_sockets(target, 10)
        result = await run_round(target, readers, sender, "paced", BODY, messages=5)
        sizes.append(result["frame_bytes"])
        await close_sockets(readers, sender)
    frame_bytes = max(sizes)
    padding = "x" * max(10, frame_bytes - 190)
    for target in targets:
        target.body = BODY if target.db else padding
        if target.db is None:
            readers, sender = await open_target_sockets(target, 10)
            await run_round(target, readers, sender, "paced", target.body, messages=5)
            await close_sockets(readers, sender)
    return frame_bytes


async def close_sockets(readers, sender):
    for reader in readers:
        reader.ws.close()
    await _live.close_all([sender.ws])
    sender.task.cancel()
    await asyncio.sleep(0.3)


def show_log(target):
    if target.log and Path(target.log).exists():
        tail = Path(target.log).read_text().splitlines()[-40:]
        print(f"  {target.name} server log (last lines):\n    " + "\n    ".join(tail))


async def measure(targets):
    """All rounds, interleaved: for each N, REPEAT times, each mode, each system."""
    rounds = {}  # (system, n, mode) -> [result]
    for n in NS:
        opened = {}
        for target in targets:
            opened[target.name] = await open_target_sockets(target, n)
        try:
            for repeat in range(REPEAT):
                for mode in MODES:
                    for target in targets:
                        readers, sender = opened[target.name]
                        result = await run_round(
                            target, readers, sender, mode, target.body
                        )
                        rounds.setdefault((target.name, n, mode), []).append(result)
                        print(
                            f"  N={n} {mode} {repeat + 1}/{REPEAT} {target.name}: "
                            f"p99 {result['p99']:.1f} ms",
                            file=sys.stderr,
                            flush=True,
                        )
                        trouble = (
                            result["missing_after"]
                            or result["duplicates"]
                            or result["errors"]
                        )
                        if trouble or not result["deliveries"]:
                            show_log(target)
        finally:
            for readers, sender in opened.values():
                await close_sockets(readers, sender)
    return rounds


def summarise(name, n, mode, results):
    """The median of every figure over the repeats; losses are summed."""
    row = {"system": name, "n": n, "mode": mode, "repeats": len(results)}
    for key in (
        "p50",
        "p99",
        "max",
        "e2e_p50",
        "e2e_p99",
        "spread_p99",
        "rate",
        "cpu_us",
        "frame_bytes",
    ):
        row[key] = statistics.median(r[key] for r in results)
    for key in (
        "missing_live",
        "missing_after",
        "duplicates",
        "errors",
        "sender_missing",
        "deliveries",
    ):
        row[key] = sum(r[key] for r in results)
    row["acks"] = sum(r["acks"] for r in results)
    row["p99_range"] = (min(r["p99"] for r in results), max(r["p99"] for r in results))
    return row


HEADER = (
    f"{'system':<21}{'N':>5} {'mode':<6}{'p50':>7}{'p99':>7}{'p99 range':>14}{'e2e p50':>9}"
    f"{'e2e p99':>9}{'spread':>8}{'deliv/s':>9}{'cpu µs':>8}{'missing':>8}{'after':>6}"
    f"{'dups':>5}"
)


def print_row(r):
    low, high = r["p99_range"]
    print(
        f"{r['system']:<21}{r['n']:>5} {r['mode']:<6}{r['p50']:>7.1f}{r['p99']:>7.1f}"
        f"{f'{low:.0f}–{high:.0f}':>14}{r['e2e_p50']:>9.1f}{r['e2e_p99']:>9.1f}"
        f"{r['spread_p99']:>8.1f}{r['rate']:>9.0f}{r['cpu_us']:>8.1f}{r['missing_live']:>8}"
        f"{r['missing_after']:>6}{r['duplicates']:>5}",
        flush=True,
    )


LEGEND = """
p50/p99 (ms): fan-out latency, from the event's write (Crocevia: Event.created_at, set at
  INSERT just before commit; plain: the server building the frame) to its arrival at a
  socket; median over the repeats, with the range of p99 over the repeats.
e2e (ms): from the sender writing the post op; Crocevia adds the whole post service
  (permissions, Markdown, HTML in two languages, SQLite commit), one post at a time.
spread (ms): p99 from the first socket receiving an event to each socket receiving it.
deliv/s: frames delivered per second of the round; cpu µs: server CPU time (all threads,
  posting included) per delivered frame.
missing: deliveries lost on the live path (all repeats); after: still missing after the
  clients' gap repair (re-subscribe from the last contiguous seq); dups: duplicates."""


async def main():
    limit = _live.raise_nofile()
    print(f"Machine: {_live.machine()}; open-file limit {limit}")
    paced = ", ".join(f"{interval_for(n) * 1000:.0f} ms at N={n}" for n in NS)
    print(
        f"N = {NS}, M = {MESSAGES} messages paced (one every {paced}) or in a burst; "
        f"{REPEAT} repeat(s), systems interleaved"
    )
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

    for n in NS:
        for mode in MODES:
            plain = find(PLAIN, n, mode)
            for system in (MEMORY, REDIS, FLOOR):
                ours = find(system, n, mode)
                if ours and plain:
                    print(
                        f"ratio p99 {system:<20} N={n:<5} {mode}: "
                        f"{ours['p99'] / plain['p99']:5.2f}x fan-out "
                        f"({ours['p99']:.1f} / {plain['p99']:.1f} ms), "
                        f"{ours['e2e_p99'] / plain['e2e_p99']:5.2f}x end to end"
                    )
    headline, plain = find(MEMORY, max(NS), "paced"), find(PLAIN, max(NS), "paced")
    if headline and plain:
        ratio = headline["p99"] / plain["p99"]
        verdict = "meets" if ratio <= TARGET_RATIO else "MISSES"
        print(
            f"\ntarget: p99 fan-out latency at N={max(NS)}, in-memory layer, paced, within "
            f"{TARGET_RATIO:.0f}x the plain baseline: {ratio:.2f}x, {verdict} the target"
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
