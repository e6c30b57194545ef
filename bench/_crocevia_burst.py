"""Crocevia under daphne with two bench-only hooks; never served in production.

Served by `daphne _crocevia_burst:application` with bench/ on PYTHONPATH, in place of
`config.asgi:application`, which it wraps unchanged (the same GC tuning, routing, origin
check and live engine): every path but `/bench/` goes to Crocevia. A WebSocket on
`/bench/` takes two frames:

- `{"op": "burst", "thread": 42, "count": 50, "grouped": false, "body": "..."}`: the
  thread's owner posts `count` replies back to back inside this process, through the
  real path: `community.services.threads.post_replies` on the database thread (the one
  every socket operation uses), the Event rows, the after-commit broadcast, the hub and
  the wire. `grouped: false` writes `count` groups of one reply each, one transaction
  each: `count` posts arriving one after another. `grouped: true` writes them as one
  group, one transaction (what group commit makes of posts that arrive together).
  Each group first reads the person and the thread again, as `community.live` does for
  every group of socket posts. Answers `{"op": "burst.done", "posted": n, "errors": [...]}`.
- `{"op": "gc"}`: a full collection (`gc.collect()`, see _collect.py) in the server, then
  `{"op": "gc.done", "collected": n, "blocks": m}`: bench/idle.py reads the memory
  after it.
"""

import uuid

from _asgi_frames import frames, reply
from _collect import collect
from channels.db import database_sync_to_async

from config.asgi import application as crocevia  # applies config/gc_tuning.py

BENCH_PATH = "/bench/"


def _burst(thread_id, count, grouped, body):
    """`count` replies by the thread's owner; returns (posted, first errors)."""
    from community import permissions
    from community.models import Thread
    from community.services.threads import NewReply, post_replies

    owner = Thread.objects.only("author").get(pk=thread_id).author

    def write(indexes):
        with permissions.operation():
            actor = permissions.current_user(owner)
            thread = permissions.access_thread(actor, thread_id)
            return post_replies(
                [NewReply(actor, thread, f"{body} #{i}", uuid.uuid4()) for i in indexes]
            )

    if grouped:
        outcomes = write(range(count))
    else:
        outcomes = [outcome for i in range(count) for outcome in write([i])]
    errors = [str(outcome) for outcome in outcomes if isinstance(outcome, Exception)]
    return count - len(errors), errors[:3]


async def bench_socket(receive, send):
    async for frame in frames(receive, send):
        if frame.get("op") == "burst":
            posted, errors = await database_sync_to_async(_burst)(
                int(frame["thread"]),
                int(frame["count"]),
                bool(frame.get("grouped")),
                str(frame.get("body", "Burst")),
            )
            await reply(send, {"op": "burst.done", "posted": posted, "errors": errors})
        elif frame.get("op") == "gc":
            await reply(send, {"op": "gc.done", **collect()})


async def application(scope, receive, send):
    if scope["type"] == "websocket" and scope["path"] == BENCH_PATH:
        return await bench_socket(receive, send)
    return await crocevia(scope, receive, send)
