"""Benchmark posting over the socket: 50 members post to one thread at once.

Run with `.venv/bin/python bench/posting.py` (about four minutes; loopback only). Every
row starts its own daphne processes (DEBUG=0, production settings, rate limits lifted
with RATE_LIMIT_POSTS=1000000) on a site built once per database: a throwaway SQLite
database, then PostgreSQL (BENCH_DATABASE_URL when given, else a private throwaway
cluster when `initdb`/`postgres` are installed, else the PostgreSQL rows are skipped
with the reason), with a private Redis for the two-process rows (skipped without
`redis-server`).

50 verified members, each with its own session and socket, follow one thread
(subscribed, as a browser tab would be) and post replies to it through the socket op
"post". Rows:

- closed: each socket sends, waits for the ack (sent only after commit), sends the next,
  for BENCH_SECONDS; on SQLite with one process, on PostgreSQL with one process (the
  in-memory layer) and with two processes sharing a Redis layer (sockets split across
  them, posts to the one thread still; each process's events reach the other's sockets
  through Redis);
- paced: an open loop of BENCH_RATE posts a second in aggregate, spread over the 50
  sockets (each sends on its schedule whether or not its earlier posts are
  acknowledged), BENCH_PACED_POSTS posts; latency runs from the client writing the post
  frame to the ack arriving, over every post;
- restart: the closed loop, with a daphne killed (SIGKILL) after BENCH_SECONDS / 2 and
  started again, then as long again (posts/s counts the outage): its clients reconnect, subscribe again from the last seq they saw, and resend every
  unacknowledged post with the same client_id, as live.js does.

After each row the database is checked: every acknowledged post stored exactly once
(by id and client_id), nothing stored without an ack (every post is acknowledged in
the end, resent ones included), and every socket received every `post.created` of the
row. The script exits 1 if not. The clients are Sans-I/O sockets (`_live.LightSocket`)
whose frames are handled in the read callback, no task per message; the client's own
CPU per post is printed beside daphne's, since both share the machine's cores.

Settings (environment): BENCH_CLIENTS=50  BENCH_SECONDS=20  BENCH_RATE=200
BENCH_PACED_POSTS=1600  BENCH_ROWS (comma-separated keys of the rows to run, default
all: sqlite-closed, sqlite-paced, sqlite-restart, pg-closed, redis-closed, redis-paced,
redis-restart).
"""

import asyncio
import json
import os
import sys
import time
import uuid
from contextlib import ExitStack
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _live  # noqa: E402

from tests.support import processes  # noqa: E402

CLIENTS = int(os.environ.get("BENCH_CLIENTS", 50))
SECONDS = float(os.environ.get("BENCH_SECONDS", 20))
RATE = float(os.environ.get("BENCH_RATE", 200))
PACED_POSTS = int(os.environ.get("BENCH_PACED_POSTS", 1600))
ROWS = [row for row in os.environ.get("BENCH_ROWS", "").split(",") if row]
SETTLE_TIMEOUT = 90
TARGET_RATE = 500
TARGET_P99_MS = 100
BODY = "Risposta di carico con **Markdown** e un [link](https://example.org)."

CHECK = r"""
import json
from django.db.models import Count
from community.models import Post

acked = json.load(open(%(path)r))  # [(client_id, post id)] as acknowledged
ours = Post.objects.filter(author__username__startswith="poster", thread_id=%(thread)d)
per_client = {
    str(client_id): n
    for client_id, n in ours.exclude(client_id=None)
    .order_by()
    .values_list("client_id")
    .annotate(n=Count("id"))
}
stored = {post: str(client_id) for post, client_id in ours.values_list("id", "client_id")}
acked_ids = [post for _client_id, post in acked]
report = {
    "stored": len(stored),
    "acked": len(acked),
    "acked_missing": sum(1 for post in acked_ids if post not in stored),
    "acked_ids_repeated": len(acked_ids) - len(set(acked_ids)),
    "client_id_not_once": sum(1 for client_id, _post in acked if per_client.get(client_id) != 1),
    "id_client_mismatch": sum(
        1 for client_id, post in acked if post in stored and stored[post] != client_id
    ),
    "stored_without_ack": len(set(stored) - set(acked_ids)),
}
print("CHECK " + json.dumps(report))
"""


class Poster:
    """One member's socket, handled in its read callback (no task per frame).

    Posts stay pending until acknowledged; after a reconnect they are resent with the
    same client_id. In the closed loop an ack sends the next post at once.
    """

    def __init__(self, index, session, thread):
        self.index = index
        self.session = session
        self.stream = f"thread:{thread}"
        self.thread = thread
        self.light = None
        self.server = None
        self.pending = {}  # client_id -> (body, time the frame was written)
        self.acks = []  # (client_id, post id)
        self.latencies = []
        self.errors = []
        self.repeated_acks = 0  # acks of posts already acknowledged (after a resend)
        self.resent = 0
        self.resyncs = 0
        self.seqs = set()
        self.contiguous = 0
        self.closed_loop = False
        self.running = False
        self.sent = 0
        self._subscribed = None

    async def connect(self, server):
        """Open the socket to `server` and follow the thread from the last contiguous
        seq seen (everything since is replayed); returns the stream's seq then."""
        self.server = server
        light = await _live.open_light(server.url, self.session)
        light.follow(self.stream, self._event)
        light.frame_sink = self._frame
        light.on_lost = self._lost
        self.light = light
        self._subscribed = asyncio.get_running_loop().create_future()
        frame = {"op": "subscribe", "stream": self.stream}
        if self.seqs:
            frame["after"] = self.contiguous
        light.send_json(frame)
        head = await asyncio.wait_for(self._subscribed, 60)
        if not self.seqs:
            self.contiguous = head
        return head

    def _lost(self, light):
        if light is self.light:
            self.light = None

    def _event(self, seq, _arrival):
        self.seqs.add(seq)
        while self.contiguous + 1 in self.seqs:
            self.contiguous += 1

    def _frame(self, payload, arrival):
        frame = json.loads(payload)
        op = frame.get("op")
        if op == "ack":
            entry = self.pending.pop(frame.get("client_id"), None)
            if entry is None:
                self.repeated_acks += 1
                return
            self.acks.append((frame["client_id"], frame["post"]))
            self.latencies.append(arrival - entry[1])
            if self.closed_loop and self.running:
                self.post()
        elif op == "error":
            self.errors.append(frame)
            if self.pending.pop(frame.get("ref"), None) is not None:
                if self.closed_loop and self.running:
                    self.post()
        elif op in ("subscribed", "resync") and frame.get("stream") == self.stream:
            if op == "resync" and self.seqs:
                # More missed than a replay holds: a page reloads here. Counted, and
                # the skipped events are not counted as missing.
                self.resyncs += 1
                for seq in range(self.contiguous + 1, frame["seq"] + 1):
                    self._event(seq, arrival)
            if self._subscribed is not None and not self._subscribed.done():
                self._subscribed.set_result(frame["seq"])

    def post(self):
        client_id = str(uuid.uuid4())
        body = f"{BODY} ({self.index}.{self.sent})"
        self.sent += 1
        self._send(client_id, body)
        self.pending[client_id] = (body, time.time())

    def _send(self, client_id, body):
        light = self.light
        if light is None or light.transport is None or light.transport.is_closing():
            return  # resent after the reconnect
        light.send_json(
            {"op": "post", "thread": self.thread, "body": body, "client_id": client_id}
        )

    def resend(self):
        for client_id, (body, _sent) in list(self.pending.items()):
            self.resent += 1
            self._send(client_id, body)

    def reset(self):
        self.acks, self.latencies, self.errors = [], [], []

    def close(self):
        if self.light is not None:
            self.light.on_lost = None
            self.light.close()
            self.light = None


async def settle(posters, timeout=SETTLE_TIMEOUT):
    """Wait until no post is pending (every one acknowledged or refused)."""
    deadline = time.monotonic() + timeout
    while any(p.pending for p in posters):
        if time.monotonic() > deadline:
            raise RuntimeError(
                f"{sum(len(p.pending) for p in posters)} posts never acknowledged"
            )
        await asyncio.sleep(0.05)


class Row:
    """One row: its servers, its sockets, its figures."""

    def __init__(self, label, site, env, root, *, servers=1, mode="closed", restart=False):
        self.label = label
        self.site = site
        self.env = env
        self.root = root
        self.count = servers
        self.mode = mode
        self.restart = restart
        self.servers = []
        self.cpu = 0.0
        self.cpu_marks = {}

    def _start_server(self, index):
        log = self.root / f"daphne-{self.label.replace(' ', '_')}-{index}-{time.time():.0f}.log"
        return _live.serve(self.env, log).start()

    def _mark(self):
        self.cpu_marks = {s.pid: _live.cpu_seconds(s.pid) for s in self.servers}

    def _spend(self, server):
        self.cpu += _live.cpu_seconds(server.pid) - self.cpu_marks.pop(server.pid, 0.0)

    async def run(self):
        thread = self.site["thread"]
        self.servers = [
            await asyncio.to_thread(self._start_server, i) for i in range(self.count)
        ]
        posters = [
            Poster(index, session, thread)
            for index, session in enumerate(self.site["posters"][:CLIENTS])
        ]
        try:
            return await self._run(posters)
        finally:
            for p in posters:
                p.close()
            for server in self.servers:
                server.stop()

    async def _run(self, posters):
        gate = asyncio.Semaphore(25)

        async def connect(p):
            async with gate:
                return await p.connect(self.servers[p.index % self.count])

        heads = await asyncio.gather(*(connect(p) for p in posters))
        # Warm-up: one post each, not counted (templates, connections, caches).
        for p in posters:
            p.post()
        await settle(posters)
        warm = [ack for p in posters for ack in p.acks]
        for p in posters:
            p.reset()
        self._mark()
        client_before = time.process_time()
        start = time.time()
        if self.mode == "paced":
            await self._paced(posters)
        else:
            await self._closed(posters, start)
        await settle(posters)
        elapsed = time.time() - start
        client_cpu = time.process_time() - client_before
        for server in self.servers:
            self._spend(server)
        await asyncio.sleep(1.0)  # the last events reach the followers
        last = max(max(p.seqs, default=0) for p in posters)
        first = min(heads)
        missing = sum(
            len(set(range(first + 1, last + 1)) - p.seqs) for p in posters
        )
        counted = sum(len(p.acks) for p in posters)
        latencies = [t for p in posters for t in p.latencies]
        return {
            "label": self.label,
            "acks": warm + [ack for p in posters for ack in p.acks],
            "acked": counted,
            "elapsed": elapsed,
            "rate": counted / elapsed,
            "p50": _live.percentile(latencies, 0.5) * 1000 if latencies else float("nan"),
            "p99": _live.percentile(latencies, 0.99) * 1000 if latencies else float("nan"),
            "errors": sum(len(p.errors) for p in posters),
            "first_error": next((p.errors[0] for p in posters if p.errors), None),
            "cpu_ms": self.cpu / counted * 1000 if counted else float("nan"),
            "client_ms": client_cpu / counted * 1000 if counted else float("nan"),
            "missing": missing,
            "events": last - first,
            "resent": sum(p.resent for p in posters),
            "resyncs": sum(p.resyncs for p in posters),
            "repeated_acks": sum(p.repeated_acks for p in posters),
        }

    async def _closed(self, posters, start):
        for p in posters:
            p.closed_loop = p.running = True
            p.post()
        if self.restart:
            await asyncio.sleep(SECONDS / 2)
            await self._kill_and_restart(posters, len(self.servers) - 1)
            await asyncio.sleep(SECONDS / 2)  # as long again after the restart
        else:
            await asyncio.sleep(SECONDS)
        for p in posters:
            p.running = False

    async def _paced(self, posters):
        loop = asyncio.get_running_loop()
        begin = loop.time()
        for k in range(PACED_POSTS):
            delay = begin + k / RATE - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            posters[k % len(posters)].post()

    async def _kill_and_restart(self, posters, index):
        victim = self.servers[index]
        self._spend(victim)
        await asyncio.to_thread(victim.kill)
        cut = [p for p in posters if p.server is victim]
        deadline = time.monotonic() + 10
        while any(p.light is not None for p in cut) and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        fresh = await asyncio.to_thread(self._start_server, f"{index}b")
        self.servers[index] = fresh
        self.cpu_marks[fresh.pid] = _live.cpu_seconds(fresh.pid)
        victim.stop()
        # Every cut client reconnects at once, as tabs do, then resends.
        await asyncio.gather(*(p.connect(fresh) for p in cut))
        for p in cut:
            p.resend()


def check(result, env, root, thread, acks_so_far):
    path = root / f"acked-{len(acks_so_far)}.json"
    path.write_text(json.dumps(acks_so_far))
    done = processes.manage(
        "shell", "-c", CHECK % {"path": str(path), "thread": thread}, env=env, timeout=300
    )
    if done.returncode != 0:
        raise RuntimeError(done.stderr)
    result["check"] = json.loads(done.stdout.split("CHECK ", 1)[1])


def wanted(key):
    return not ROWS or key in ROWS


async def run_rows(labels, site, env_of, root, results):
    """Run the rows of one database on its site, checking the database after each."""
    acks = []
    for key, label, env_name, options in labels:
        if not wanted(key):
            continue
        env = env_of[env_name]
        if env is None:
            print(f"({label} skipped: no redis-server)")
            continue
        print(f"  running {label} ...", flush=True)
        result = await Row(label, site, env, root, **options).run()
        acks.extend(result["acks"])
        check(result, env, root, site["thread"], acks)
        results.append(result)


def report(result):
    check = result["check"]
    problems = {
        key: check[key]
        for key in (
            "acked_missing",
            "acked_ids_repeated",
            "client_id_not_once",
            "stored_without_ack",
            "id_client_mismatch",
        )
        if check[key]
    }
    print(
        f"{result['label']:<30}{result['acked']:>7}{result['rate']:>9.1f}{result['p50']:>9.1f}"
        f"{result['p99']:>9.1f}{result['cpu_ms']:>8.2f}{result['client_ms']:>8.2f}"
        f"{result['errors']:>7}{result['missing']:>8}{result['resent']:>7}"
        f"{result['resyncs']:>7}"
        f"  {'yes' if not problems else 'NO ' + json.dumps(problems)}"
    )
    if result["first_error"]:
        print(f"  first error: {json.dumps(result['first_error'])[:300]}")
    return not problems and not result["errors"] and not result["missing"]


# (key for BENCH_ROWS, label, environment, options)
SQLITE_ROWS = [
    ("sqlite-closed", "SQLite, 1 process, closed", "plain", {}),
    ("sqlite-paced", "SQLite, 1 process, paced", "plain", {"mode": "paced"}),
    ("sqlite-restart", "SQLite, 1 process, restart", "plain", {"restart": True}),
]
POSTGRES_ROWS = [
    ("pg-closed", "PostgreSQL, 1 process, closed", "plain", {}),
    ("redis-closed", "PG + Redis, 2 processes, closed", "redis", {"servers": 2}),
    ("redis-paced", "PG + Redis, 2 processes, paced", "redis", {"servers": 2, "mode": "paced"}),
    ("redis-restart", "PG + Redis, 2 proc., restart", "redis", {"servers": 2, "restart": True}),
]


async def main():
    limit = _live.raise_nofile()
    print(f"Machine: {_live.machine()}; open-file limit {limit}")
    print(
        f"{CLIENTS} clients, one thread; closed loop {SECONDS:.0f} s, paced {RATE:.0f} "
        f"posts/s for {PACED_POSTS} posts, restart: a daphne killed after {SECONDS / 2:.0f} s"
    )
    results = []
    note = None
    with _live.workdir("crocevia-posting-") as root, ExitStack() as stack:
        if any(wanted(row[0]) for row in SQLITE_ROWS):
            sqlite_root = root / "sqlite"
            sqlite_root.mkdir()
            env = _live.site_env(sqlite_root)
            site = _live.build_site(env, sqlite_root, posters=CLIENTS, readers=0)
            await run_rows(SQLITE_ROWS, site, {"plain": env}, sqlite_root, results)
        if any(wanted(row[0]) for row in POSTGRES_ROWS):
            url, note = stack.enter_context(_live.postgres_server())
            if url is None:
                print(f"(PostgreSQL skipped: {note})")
            else:
                pg_root = root / "postgres"
                pg_root.mkdir()
                redis_url = stack.enter_context(_live.private_redis(pg_root))
                env = _live.site_env(pg_root, DATABASE_URL=url)
                # The same settings (SECRET_KEY included: sessions) with the Redis layer.
                redis_env = {**env, "REDIS_URL": redis_url} if redis_url else None
                site = _live.build_site(env, pg_root, posters=CLIENTS, readers=0)
                await run_rows(
                    POSTGRES_ROWS, site, {"plain": env, "redis": redis_env}, pg_root, results
                )
    header = (
        f"{'row':<30}{'acked':>7}{'posts/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'cpu ms':>8}"
        f"{'cli ms':>8}{'errors':>7}{'missing':>8}{'resent':>7}{'resync':>7}  stored once"
    )
    print()
    print(header)
    print("-" * len(header))
    ok = True
    for result in results:
        ok = report(result) and ok
    if note:
        print(f"\nPostgreSQL: {note}")
    by_label = {result["label"]: result for result in results}
    print()
    for result in results:
        if result["label"].endswith("closed"):
            print(
                f"target {TARGET_RATE} acknowledged posts/s, {result['label']}: "
                f"{result['rate']:.1f} ({result['rate'] / TARGET_RATE:.2f}x the target)"
            )
    one, two = (
        by_label.get("PostgreSQL, 1 process, closed"),
        by_label.get("PG + Redis, 2 processes, closed"),
    )
    if one and two:
        print(
            f"ratio 2 processes (Redis) / 1 process (in-memory), PostgreSQL: "
            f"{two['rate'] / one['rate']:.2f}x posts/s, "
            f"{two['cpu_ms'] / one['cpu_ms']:.2f}x daphne CPU per post"
        )
    for result in results:
        if result["label"].endswith("paced"):
            print(
                f"target p99 send-to-ack <= {TARGET_P99_MS} ms at {RATE:.0f} posts/s, "
                f"{result['label']}: p50 {result['p50']:.1f} ms, p99 {result['p99']:.1f} "
                f"ms over {result['acked']} posts "
                f"({'meets' if result['p99'] <= TARGET_P99_MS else 'MISSES'} the target)"
            )
    print(
        "\nposts/s: acknowledged posts per second (each acknowledged after commit); "
        "p50/p99: from writing\nthe post frame to the ack arriving; cpu ms: daphne CPU "
        "(all threads, all processes) per post;\ncli ms: this client process's CPU per "
        "post; missing: post.created events some socket never got;\nresent: posts sent "
        "again after a restart (same client_id); resync: sockets told to reload\n(more "
        "events missed than a replay holds); stored once: the database check."
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
