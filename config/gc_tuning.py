"""Garbage-collector settings for long-running servers holding many sockets.

With a thousand sockets a full collection pauses the process for 150-280 ms every few
seconds (bench/README.md); freezing what startup built and collecting the young
generation less often keeps those pauses rare. GC_THRESHOLD="700,10,10" restores
CPython's defaults. The live benchmarks apply the same settings to their baseline
servers, so that every contender runs with the same collector.
"""

import gc
import os


def tune_garbage_collector():
    thresholds = os.environ.get("GC_THRESHOLD", "50000,20,10")
    gc.freeze()  # modules, settings, templates: never garbage, never scanned again
    gc.set_threshold(*(int(part) for part in thresholds.split(",")))
