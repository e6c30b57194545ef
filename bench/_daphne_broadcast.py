"""The floor under Crocevia's fan-out: a bare ASGI broadcast app served by daphne.

No Django, no Channels, no database: each socket that sends {"op": "subscribe"} joins one
set; each {"op": "post"} becomes one event frame, serialised once and handed to every
subscriber's ASGI `send`, then acknowledged; {"op": "burst", "count": M} makes M such
events back to back, then answers "burst.done"; {"op": "gc"} runs a full collection
(bench/idle.py reads the memory after it) and answers "gc.done". Same protocol as bench/fanout.py's plain
websockets server, so the difference between the two is daphne's per-socket send path
(Twisted, autobahn) and the difference to Crocevia is Channels and Crocevia's own code.

Served by `daphne _daphne_broadcast:application` with bench/ on PYTHONPATH.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _asgi_frames import frames, reply  # noqa: E402
from _baseline import event_text  # noqa: E402
from _collect import collect  # noqa: E402

from config.gc_tuning import tune_garbage_collector  # noqa: E402

# The same collector settings as Crocevia's server (config/asgi.py).
tune_garbage_collector()

subscribers = {}  # connection -> its ASGI send
state = {"seq": 0}


async def broadcast(client_id, body):
    """One event frame, serialised once, handed to every subscriber's ASGI `send`."""
    state["seq"] += 1
    event = {"type": "websocket.send", "text": event_text(state["seq"], client_id, body)}
    for other in list(subscribers.values()):
        await other(event)


async def application(scope, receive, send):
    if scope["type"] != "websocket":
        return
    me = object()
    try:
        async for frame in frames(receive, send):
            if frame.get("op") == "subscribe":
                subscribers[me] = send
                await reply(send, {"op": "subscribed", "stream": "bench", "seq": state["seq"]})
            elif frame.get("op") == "post":
                await broadcast(frame["client_id"], frame["body"])
                await reply(send, {"op": "ack", "client_id": frame["client_id"], "post": 0})
            elif frame.get("op") == "burst":
                for index in range(int(frame["count"])):
                    await broadcast(f"{index:036d}", f"{frame['body']} #{index}")
                await reply(send, {"op": "burst.done"})
            elif frame.get("op") == "gc":
                await reply(send, {"op": "gc.done", **collect()})
    finally:
        subscribers.pop(me, None)
