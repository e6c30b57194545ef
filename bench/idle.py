"""Benchmark the memory of idle sockets: one server process, 0, 1,000 and 10,000 followers.

Run with `.venv/bin/python bench/idle.py` (about five minutes; loopback only). For each
server it warms it up with a few sockets, then reads its resident memory (VmRSS in
/proc/<pid>/status) with no socket, with BENCH_SOCKETS sockets subscribed and idle (for
Crocevia: distinct signed-in people, each subscribed to one thread, so each socket also
holds its `user:<id>` stream), after closing them, and after a second cycle of as many
sockets (open, subscribe, close). Before every reading the server runs a full collection
(`gc.collect()`) through a bench-only hook, the same for every server: with the tuned
collector thresholds (config/gc_tuning.py) a closed socket's objects may otherwise wait
long for a collection, and the reading would say more about the collector's schedule than
about a leak. A second cycle that ends where the first did means the memory is reused; one
that ends higher, a leak.

Servers: Crocevia under daphne (DEBUG=0, throwaway SQLite database, in-memory channel
layer; again with a private Redis when `redis-server` is on the PATH), served through
bench/_crocevia_burst.py (Crocevia's ASGI app unchanged, plus the bench-only `/bench/`
socket that runs the collection); a bare ASGI app under daphne (bench/_daphne_broadcast.py:
no Django, no Channels): daphne's own share; the plain asyncio `websockets` broadcast server
of bench/fanout.py, the floor of any Python server. Every server runs with the same
garbage-collector settings.

Then BENCH_IDLE_MANY (10,000) subscribed sockets held in one Crocevia daphne process
(in-memory layer) and, for reference, in the plain server, one server at a time: the
process's total memory.

Settings (environment): BENCH_SOCKETS=1000  BENCH_IDLE_MANY=10000 (0: skip)
BENCH_MALLOC_TRIM=0 (1: the hook also calls glibc's malloc_trim(0), bench/_collect.py).
"""

import asyncio
import json
import os
import sys
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _live  # noqa: E402
import fanout  # noqa: E402

SOCKETS = int(os.environ.get("BENCH_SOCKETS", 1000))
MANY = int(os.environ.get("BENCH_IDLE_MANY", 10000))
SETTLE = 2.0  # seconds before each collection and reading


@contextmanager
def daphne(server):
    """A daphne process (a `_live.serve` context manager); yields (base URL, pid)."""
    with server as running:
        yield running.url, running.pid


async def collected_rss(base, hook_path, pid, blocks):
    """Ask the server for a full collection through its bench hook, then read its RSS;
    appends to `blocks` the memory blocks CPython still has allocated in the server."""
    await asyncio.sleep(SETTLE)
    hook = await _live.open_socket(base, None, path=hook_path)
    try:
        await hook.send(json.dumps({"op": "gc"}))
        while (reply := json.loads(await hook.recv())).get("op") != "gc.done":
            pass
        blocks.append(reply["blocks"])
    finally:
        await hook.close()
    await asyncio.sleep(0.5)
    return _live.rss_mb(pid)


async def measure(label, server, keys, stream, count, path, hook_path, cycles=2):
    """RSS of the server (a context manager yielding (base URL, pid)), collected before
    each reading: idle, with `count` subscribed sockets, after closing them, and after
    each further cycle."""
    blocks = []
    with server as (base, pid):
        gate = asyncio.Semaphore(100)

        async def subscribe(light):
            async with gate:
                await light.subscribe(stream)

        async def open_subscribed(how_many):
            lights = await _live.open_lights(base, keys[:how_many], path=path)
            await asyncio.gather(*(subscribe(light) for light in lights))
            return lights

        async def close(lights):
            for light in lights:
                light.close()
            await asyncio.gather(
                *(light.closed for light in lights), return_exceptions=True
            )

        # Warm-up: code paths, templates, the hub, the thread pool, a first session.
        await close(await open_subscribed(20))
        readings = [await collected_rss(base, hook_path, pid, blocks)]
        lights = await open_subscribed(count)
        readings.append(await collected_rss(base, hook_path, pid, blocks))
        await close(lights)
        readings.append(await collected_rss(base, hook_path, pid, blocks))
        for _cycle in range(cycles - 1):
            await close(await open_subscribed(count))
            readings.append(await collected_rss(base, hook_path, pid, blocks))
    idle, loaded = readings[0], readings[1]
    return {
        "label": label,
        "count": count,
        "readings": readings,
        "blocks": blocks,
        "per_thousand": (loaded - idle) / count * 1000,
    }


async def main():
    limit = _live.raise_nofile()
    print(f"Machine: {_live.machine()}; open-file limit {limit}")
    if max(SOCKETS, MANY) + 100 > limit:
        print(f"open-file limit {limit} is too low for {max(SOCKETS, MANY)} sockets")
        return 1
    rows, many = [], []
    anonymous = [None] * max(SOCKETS, MANY)
    with _live.workdir("crocevia-idle-") as root:
        env = _live.site_env(root)
        setup = _live.build_site(env, root, posters=0, readers=max(SOCKETS, MANY))
        keys, stream = setup["readers"], f"thread:{setup['thread']}"

        def crocevia(name, environment):
            return daphne(
                fanout.serve_crocevia(environment, root / f"daphne-{name}.log")
            )

        rows.append(
            await measure(
                "crocevia, in-memory",
                crocevia("memory", env),
                keys,
                stream,
                SOCKETS,
                "/ws/",
                "/bench/",
            )
        )
        with _live.private_redis(root) as redis_url:
            if redis_url is None:
                print("(redis-server not found: Redis variant skipped)")
            else:
                rows.append(
                    await measure(
                        "crocevia, redis",
                        crocevia("redis", dict(env, REDIS_URL=redis_url)),
                        keys,
                        stream,
                        SOCKETS,
                        "/ws/",
                        "/bench/",
                    )
                )
        # References, not targets, with the same collector settings as Crocevia: daphne
        # with a bare ASGI app, and the plain websockets server of fanout.py.
        rows.append(
            await measure(
                "bare ASGI on daphne",
                daphne(fanout.serve_bare(root / "daphne-bare.log")),
                anonymous,
                "bench",
                SOCKETS,
                "/",
                "/",
            )
        )
        rows.append(
            await measure(
                "plain websockets",
                fanout.plain_server(),
                anonymous,
                "bench",
                SOCKETS,
                "/",
                "/",
            )
        )
        if MANY:
            many.append(
                await measure(
                    "crocevia, in-memory",
                    crocevia("many", env),
                    keys,
                    stream,
                    MANY,
                    "/ws/",
                    "/bench/",
                    cycles=1,
                )
            )
            many.append(
                await measure(
                    "plain websockets",
                    fanout.plain_server(),
                    anonymous,
                    "bench",
                    MANY,
                    "/",
                    "/",
                    cycles=1,
                )
            )
    print()
    header = (
        f"{'server':<21}{'0 sockets':>11}{f'{SOCKETS} sockets':>14}{'closed':>10}"
        f"{'2nd cycle':>11}{'MB per 1,000 sockets':>22}{'kept after closing':>20}"
    )
    print(header)
    print("-" * len(header))
    for row in rows:
        idle, loaded, closed, again = row["readings"]
        print(
            f"{row['label']:<21}{idle:>8.1f} MB{loaded:>11.1f} MB{closed:>7.1f} MB"
            f"{again:>8.1f} MB{row['per_thousand']:>19.1f} MB{closed - idle:>17.1f} MB"
        )
    print(
        "\nRSS (VmRSS) of one server process, each reading after a full collection in the "
        "server\n(the same bench-only hook for every server). Crocevia: each socket is a "
        "distinct signed-in\nperson subscribed to one thread (plus its own user stream), "
        "idle. closed: after the sockets\nclosed; 2nd cycle: after another "
        "open-subscribe-close of as many sockets (equal to closed:\nmemory reused, no "
        "leak); kept after closing: closed minus 0 sockets (memory the process\nkeeps for "
        "reuse rather than giving back to the system)."
    )
    print(
        "\nCPython's allocated memory blocks (sys.getallocatedblocks(), live objects) at "
        "the same\nreadings: after closing, RSS that stays while blocks return is "
        "fragmentation, not objects."
    )
    for row in rows:
        print(f"{row['label']:<21}" + "".join(f"{b:>11,}" for b in row["blocks"]))
    print()
    for row in rows:
        idle, _loaded, closed, again = row["readings"]
        b_idle, b_loaded, b_closed, b_again = row["blocks"]
        # A leak keeps objects: blocks that stay allocated cycle after cycle. RSS alone
        # moves by a few MB with the allocator's fragmentation.
        kept = b_again - b_idle
        verdict = (
            "no leak" if kept <= 0.02 * (b_loaded - b_idle) else f"{kept:,} blocks kept"
        )
        print(
            f"{row['label']}: after two cycles {verdict} ({kept:+,} blocks against "
            f"{b_loaded - b_idle:,} per cycle); RSS {again - closed:+.1f} MB from the "
            f"first close; {closed - idle:.1f} MB not returned after closing"
        )
    if many:
        print()
        header = f"{'server':<21}{'sockets':>8}{'0 sockets':>11}{'with sockets':>14}{'closed':>10}"
        print(header)
        print("-" * len(header))
        for row in many:
            idle, loaded, closed = row["readings"]
            print(
                f"{row['label']:<21}{row['count']:>8}{idle:>8.1f} MB{loaded:>11.1f} MB"
                f"{closed:>7.1f} MB"
            )
        print(
            "\nTotal RSS of the one server process holding that many subscribed idle "
            "sockets (after a\nfull collection)."
        )
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
