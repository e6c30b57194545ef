"""Crocevia under daphne with two bench-only hooks; never served in production.

Served by `daphne _crocevia_burst:application` with bench/ on PYTHONPATH, in place of
`config.asgi:application`, which it wraps unchanged (the same GC tuning, routing, origin
check and live engine): every path but `/bench/` goes to Crocevia. A WebSocket on
`/bench/` takes two frames:

- `{"op": "burst", "thread": 42, "count": 50, "one_by_one": false, "body": "..."}`: the
  thread's owner posts `count` replies inside this process. By default they arrive at
  once at the socket path's group commit, exactly as `count` socket `post` frames
  arriving together do (`community.live`'s grouped writer: the person and thread read
  again, `post_replies` on the database thread, the Event rows, the after-commit
  broadcast, the hub and the wire). `one_by_one: true` writes them one after another
  instead, one transaction each (`post_replies` of one reply, `count` times): posts that
  arrive just after each other's commit. Answers
  `{"op": "burst.done", "posted": n, "errors": [...]}`.
- `{"op": "gc"}`: a full collection (`gc.collect()`, see _collect.py) in the server, then
  `{"op": "gc.done", "collected": n, "blocks": m}`: bench/idle.py reads the memory
  after it.
- `{"op": "census"}`: the same collection, then `{"op": "census.done", ...}` with the
  live objects by type (and tracemalloc's growth by line when tracing;
  `_collect.census`): bench/soak.py's `--census` says what grows.
"""

import asyncio
import uuid

from _asgi_frames import frames, reply
from _collect import census, collect
from channels.db import database_sync_to_async

from config.asgi import application as crocevia  # applies config/gc_tuning.py

BENCH_PATH = "/bench/"


def _owner(thread_id):
    from community.models import Thread

    return Thread.objects.only("author").get(pk=thread_id).author


def _one_by_one(thread_id, count, body):
    """`count` replies by the thread's owner, one transaction each; returns errors."""
    from community import permissions
    from community.services.threads import NewReply, post_replies

    owner = _owner(thread_id)
    errors = []
    for i in range(count):
        with permissions.operation():
            actor = permissions.current_user(owner)
            thread = permissions.access_thread(actor, thread_id)
            (outcome,) = post_replies([NewReply(actor, thread, f"{body} #{i}", uuid.uuid4())])
        if isinstance(outcome, Exception):
            errors.append(str(outcome))
    return errors


async def _together(thread_id, count, body):
    """`count` replies by the thread's owner arriving at once at the socket path's group
    commit; returns errors."""
    from community.live import _post_grouped

    owner = await database_sync_to_async(_owner)(thread_id)
    answers = await asyncio.gather(
        *(
            _post_grouped((owner, "en", thread_id, f"{body} #{i}", uuid.uuid4()))
            for i in range(count)
        )
    )
    return [message for _post, code, message in answers if code is not None]


async def _burst(thread_id, count, one_by_one, body):
    if one_by_one:
        errors = await database_sync_to_async(_one_by_one)(thread_id, count, body)
    else:
        errors = await _together(thread_id, count, body)
    return count - len(errors), errors[:3]


async def bench_socket(receive, send):
    async for frame in frames(receive, send):
        if frame.get("op") == "burst":
            posted, errors = await _burst(
                int(frame["thread"]),
                int(frame["count"]),
                bool(frame.get("one_by_one")),
                str(frame.get("body", "Burst")),
            )
            await reply(send, {"op": "burst.done", "posted": posted, "errors": errors})
        elif frame.get("op") == "gc":
            await reply(send, {"op": "gc.done", **collect()})
        elif frame.get("op") == "census":
            await reply(send, {"op": "census.done", **census()})


async def application(scope, receive, send):
    if scope["type"] == "websocket" and scope["path"] == BENCH_PATH:
        return await bench_socket(receive, send)
    return await crocevia(scope, receive, send)
