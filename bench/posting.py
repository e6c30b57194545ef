"""Benchmark posting over the socket: 50 members post at once for 30 s.

Run with `.venv/bin/python bench/posting.py` (about two minutes; loopback only). It starts
daphne (DEBUG=0, production settings, rate limits lifted with RATE_LIMIT_POSTS=1000000) on a
throwaway SQLite database, then on PostgreSQL: BENCH_DATABASE_URL when given, else a private
throwaway cluster when `initdb`/`postgres` are installed, else it prints why it skips it.

50 verified members, each with its own session and socket, follow one thread (subscribed,
as a browser tab would be) and post replies to it through the socket op "post" in a closed
loop: send, wait for the ack (sent only after commit), send the next, until BENCH_SECONDS
have passed; in-flight posts are then awaited. The script prints posts per second
acknowledged, the post-to-ack latency, and then checks in the database that every
acknowledged post is stored exactly once (by its id and by its client_id) and that no
post was stored without an ack; it exits 1 if not.

One thread is the worst case: every reply takes the thread's row (post number) and the
stream cursor (event seq), so the writes queue up.

Settings (environment): BENCH_CLIENTS=50  BENCH_SECONDS=30.
"""

import asyncio
import json
import os
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _live  # noqa: E402

from tests.support import processes  # noqa: E402

CLIENTS = int(os.environ.get("BENCH_CLIENTS", 50))
SECONDS = float(os.environ.get("BENCH_SECONDS", 30))
ACK_TIMEOUT = 60

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
    def __init__(self, light, thread):
        self.light = light
        self.thread = thread
        self.events = 0
        self.acks = []  # (client_id, post id)
        self.latencies = []
        self.errors = []
        light.follow(f"thread:{thread}", self._event)

    def _event(self, _seq, _arrival):
        self.events += 1

    async def run(self, deadline, body):
        index = 0
        while time.time() < deadline:
            client_id = str(uuid.uuid4())
            sent = time.time()
            self.light.send_json(
                {
                    "op": "post",
                    "thread": self.thread,
                    "body": f"{body} ({index})",
                    "client_id": client_id,
                }
            )
            index += 1
            while True:
                reply = await self.light.next_frame(timeout=ACK_TIMEOUT)
                if reply.get("op") == "ack" and reply.get("client_id") == client_id:
                    self.acks.append((client_id, reply["post"]))
                    self.latencies.append(time.time() - sent)
                    break
                if reply.get("op") == "error" and reply.get("ref") == client_id:
                    self.errors.append(reply)
                    break


async def run_database(label, env, root):
    """Build a site on `env`'s database, serve it, post, check; returns a result dict."""
    setup = _live.build_site(env, root, posters=CLIENTS, readers=0)
    thread = setup["thread"]
    log = root / f"daphne-{label}.log"
    body = "Risposta di carico con **Markdown** e un [link](https://example.org)."
    with _live.serve(env, log) as server:
        lights = await _live.open_lights(server.url, setup["posters"])
        await asyncio.gather(*(light.subscribe(f"thread:{thread}") for light in lights))
        posters = [Poster(light, thread) for light in lights]
        # Warm-up: one post each, not counted (templates, connections).
        await asyncio.gather(*(p.run(time.time() + 0.001, body) for p in posters))
        warm = [ack for p in posters for ack in p.acks]
        for p in posters:
            p.acks, p.latencies, p.errors = [], [], []
        cpu_before = _live.cpu_seconds(server.pid)
        start = time.time()
        await asyncio.gather(*(p.run(start + SECONDS, body) for p in posters))
        elapsed = time.time() - start
        cpu = _live.cpu_seconds(server.pid) - cpu_before
        await asyncio.sleep(1.0)  # the last events reach the followers
        for light in lights:
            light.close()
    acked = warm + [ack for p in posters for ack in p.acks]
    path = root / f"acked-{label}.json"
    path.write_text(json.dumps(acked))
    done = processes.manage(
        "shell",
        "-c",
        CHECK % {"path": str(path), "thread": thread},
        env=env,
        timeout=300,
    )
    if done.returncode != 0:
        raise RuntimeError(done.stderr)
    check = json.loads(done.stdout.split("CHECK ", 1)[1])
    latencies = [t for p in posters for t in p.latencies]
    counted = sum(len(p.acks) for p in posters)
    return {
        "label": label,
        "acked": counted,
        "elapsed": elapsed,
        "rate": counted / elapsed,
        "p50": _live.percentile(latencies, 0.5) * 1000 if latencies else float("nan"),
        "p99": _live.percentile(latencies, 0.99) * 1000 if latencies else float("nan"),
        "errors": sum(len(p.errors) for p in posters),
        "cpu_ms": cpu / counted * 1000 if counted else float("nan"),
        "events_min": min(p.events for p in posters),
        "events_expected": len(acked),
        "check": check,
    }


def report(result):
    check = result["check"]
    print(
        f"{result['label']:<12}{result['acked']:>8}{result['rate']:>10.1f}{result['p50']:>10.1f}"
        f"{result['p99']:>10.1f}{result['cpu_ms']:>9.1f}{result['errors']:>8}"
    )
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
        f"  database: {check['stored']} posts stored for {check['acked']} acks (warm-up "
        f"included); every acked post stored exactly once: {'yes' if not problems else 'NO'}"
        + (f" {problems}" if problems else "")
    )
    print(
        f"  live: each posting socket received at least {result['events_min']} of the "
        f"{result['events_expected']} post.created events"
    )
    return not problems and not result["errors"]


async def main():
    limit = _live.raise_nofile()
    print(f"Machine: {_live.machine()}; open-file limit {limit}")
    print(
        f"{CLIENTS} clients, each posting in a closed loop for {SECONDS:.0f} s, one thread"
    )
    header = (
        f"{'database':<12}{'acked':>8}{'posts/s':>10}{'p50 ms':>10}{'p99 ms':>10}"
        f"{'cpu ms':>9}{'errors':>8}"
    )
    ok = True
    results = []
    with _live.workdir("crocevia-posting-") as root:
        sqlite_root = root / "sqlite"
        sqlite_root.mkdir()
        results.append(
            await run_database("SQLite", _live.site_env(sqlite_root), sqlite_root)
        )
        with _live.postgres_server() as (url, note):
            if url is None:
                print(f"(PostgreSQL skipped: {note})")
                pg = None
            else:
                pg_root = root / "postgres"
                pg_root.mkdir()
                pg_env = _live.site_env(pg_root, DATABASE_URL=url)
                pg = await run_database("PostgreSQL", pg_env, pg_root)
                results.append(pg)
    print()
    print(header)
    print("-" * len(header))
    for result in results:
        ok = report(result) and ok
    if pg is not None:
        print(f"\nPostgreSQL: {note}")
    print(
        "\nposts/s: acknowledged posts per second (each acknowledged after commit);"
        " p50/p99: post op to ack;\ncpu ms: daphne CPU time (all threads) per post."
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
