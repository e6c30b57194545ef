"""The bench-only collection hook every server of bench/idle.py runs before a reading."""

import ctypes
import gc
import os
import sys


def collect():
    """A full collection: {"collected": objects freed, "blocks": memory blocks CPython
    still has allocated (`sys.getallocatedblocks()`, live objects whatever the heap's
    fragmentation)}; with BENCH_MALLOC_TRIM=1 also glibc's `malloc_trim(0)`, which
    hands free heap pages back to the system: memory that then returns was free but
    fragmented, memory that stays is held by live objects (or by CPython's arenas)."""
    collected = gc.collect()
    if os.environ.get("BENCH_MALLOC_TRIM") == "1":
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    return {"collected": collected, "blocks": sys.getallocatedblocks()}


_first_snapshot = None


def census():
    """A full collection, then what the heap holds: {"collected", "blocks", "types":
    {module.qualname: live objects tracked by the collector}}, and when the process
    runs under tracemalloc (PYTHONTRACEMALLOC), "lines": the 15 source lines whose
    allocations grew most since the first census, [["file:line", bytes, count]]."""
    import tracemalloc
    from collections import Counter

    global _first_snapshot
    answer = collect()
    counts = Counter(
        f"{type(o).__module__}.{type(o).__qualname__}" for o in gc.get_objects()
    )
    answer["types"] = dict(counts)
    if tracemalloc.is_tracing():
        snapshot = tracemalloc.take_snapshot().filter_traces(
            [tracemalloc.Filter(False, tracemalloc.__file__)]
        )
        if _first_snapshot is None:
            _first_snapshot = snapshot
        answer["lines"] = [
            [
                f"{stat.traceback[0].filename}:{stat.traceback[0].lineno}",
                stat.size_diff,
                stat.count_diff,
            ]
            for stat in snapshot.compare_to(_first_snapshot, "lineno")[:15]
        ]
    return answer
