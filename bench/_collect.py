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
