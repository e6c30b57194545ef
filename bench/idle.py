"""Benchmark the memory of idle sockets: one daphne process, 0 and 1,000 followers.

Run with `.venv/bin/python bench/idle.py` (about a minute; loopback only). It starts one
daphne process (DEBUG=0, throwaway SQLite database, in-memory channel layer; then again with
a private Redis when `redis-server` is on the PATH), warms it up with a few sockets, reads
its resident memory (VmRSS in /proc/<pid>/status), opens BENCH_SOCKETS sockets of distinct
signed-in people, each subscribed to one thread (so each socket also holds its `user:<id>`
stream), lets them sit idle, and reads the memory again; then closes them and reads it a
third time (memory Python keeps for reuse, or a leak, shows there), and once more after a
second cycle of as many sockets. For reference, the same with a bare ASGI app under daphne
(bench/_daphne_broadcast.py: no Django, no Channels): daphne's own share; and with the plain
asyncio `websockets` broadcast server of bench/fanout.py, the floor of any Python server.
Every server runs with the same garbage-collector settings (config/gc_tuning.py).

Settings (environment): BENCH_SOCKETS=1000.
"""

import asyncio
import os
import sys
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _live  # noqa: E402
import fanout  # noqa: E402

from tests.support import processes  # noqa: E402

SOCKETS = int(os.environ.get("BENCH_SOCKETS", 1000))
SETTLE = 3.0  # seconds before each reading


@contextmanager
def daphne(env, log, **options):
    """A daphne process; yields (base URL, pid)."""
    with _live.serve(env, log, **options) as server:
        yield server.url, server.pid


async def measure(label, server, keys, stream, path="/ws/"):
    """RSS of the server process `server` (a context manager yielding (base URL, pid))
    idle, with SOCKETS subscribed sockets, after closing them and after a second cycle."""
    with server as (base, pid):
        gate = asyncio.Semaphore(100)

        async def subscribe(light):
            async with gate:
                await light.subscribe(stream)

        async def cycle(count):
            lights = await _live.open_lights(base, keys[:count], path=path)
            await asyncio.gather(*(subscribe(light) for light in lights))
            await asyncio.sleep(SETTLE)
            return lights

        # Warm-up: code paths, templates, the hub, the thread pool, a first session.
        for light in await cycle(20):
            light.close()
        await asyncio.sleep(SETTLE)
        idle = _live.rss_mb(pid)
        lights = await cycle(SOCKETS)
        loaded = _live.rss_mb(pid)
        for light in lights:
            light.close()
        await asyncio.sleep(SETTLE)
        closed = _live.rss_mb(pid)
        # A second round: memory that is reused stays flat, a leak grows again.
        for light in await cycle(SOCKETS):
            light.close()
        await asyncio.sleep(SETTLE)
        again = _live.rss_mb(pid)
    per_thousand = (loaded - idle) / SOCKETS * 1000
    return label, idle, loaded, closed, again, per_thousand


async def main():
    limit = _live.raise_nofile()
    print(f"Machine: {_live.machine()}; open-file limit {limit}")
    rows = []
    with _live.workdir("crocevia-idle-") as root:
        env = _live.site_env(root)
        setup = _live.build_site(env, root, posters=0, readers=SOCKETS)
        keys, stream = setup["readers"], f"thread:{setup['thread']}"
        rows.append(
            await measure(
                "crocevia, in-memory", daphne(env, root / "daphne-memory.log"), keys, stream
            )
        )
        with _live.private_redis(root) as redis_url:
            if redis_url is None:
                print("(redis-server not found: Redis variant skipped)")
            else:
                redis_env = dict(env, REDIS_URL=redis_url)
                rows.append(
                    await measure(
                        "crocevia, redis",
                        daphne(redis_env, root / "daphne-redis.log"),
                        keys,
                        stream,
                    )
                )
        # References, not targets, both with the same collector settings as Crocevia:
        # daphne with a bare ASGI app, and the plain websockets server of fanout.py,
        # holding the same number of subscribed sockets.
        bare_env = processes.clean_env(PYTHONPATH=str(Path(__file__).resolve().parent))
        anonymous = [None] * SOCKETS
        rows.append(
            await measure(
                "bare ASGI on daphne",
                daphne(
                    bare_env,
                    root / "daphne-bare.log",
                    application="_daphne_broadcast:application",
                ),
                anonymous,
                "bench",
                path="/",
            )
        )
        rows.append(
            await measure("plain websockets", fanout.plain_server(), anonymous, "bench", path="/")
        )
    print()
    header = (
        f"{'server':<21}{'0 sockets':>11}{f'{SOCKETS} sockets':>14}{'closed':>10}"
        f"{'2nd cycle':>11}{'MB per 1,000 sockets':>22}"
    )
    print(header)
    print("-" * len(header))
    for label, idle, loaded, closed, again, per_thousand in rows:
        print(
            f"{label:<21}{idle:>8.1f} MB{loaded:>11.1f} MB{closed:>7.1f} MB{again:>8.1f} MB"
            f"{per_thousand:>19.1f} MB"
        )
    print(
        "\nRSS (VmRSS) of one server process. Crocevia: each socket is a distinct signed-in "
        "person\nsubscribed to one thread (plus its own user stream), idle. closed: after "
        "the sockets closed;\n2nd cycle: after another open-subscribe-close of as many "
        "sockets (flat = memory reused)."
    )


if __name__ == "__main__":
    asyncio.run(main())
