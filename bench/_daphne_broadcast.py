"""The floor under Crocevia's fan-out: a bare ASGI broadcast app served by daphne.

No Django, no Channels, no database: each socket that sends {"op": "subscribe"} joins one
set; each {"op": "post"} becomes one event frame, serialised once and handed to every
subscriber's ASGI `send`, then acknowledged. Same protocol as bench/fanout.py's plain
websockets server, so the difference between the two is daphne's per-socket send path
(Twisted, autobahn) and the difference to Crocevia is Channels and Crocevia's own code.

Served by `daphne _daphne_broadcast:application` with bench/ on PYTHONPATH.
"""

import json
import sys
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from config.gc_tuning import tune_garbage_collector  # noqa: E402

# The same collector settings as Crocevia's server (config/asgi.py).
tune_garbage_collector()

subscribers = {}  # connection -> its ASGI send
state = {"seq": 0}


def dumps(frame):
    return json.dumps(frame, separators=(",", ":"))


async def application(scope, receive, send):
    if scope["type"] != "websocket":
        return
    me = object()
    try:
        while True:
            message = await receive()
            if message["type"] == "websocket.connect":
                await send({"type": "websocket.accept"})
            elif message["type"] == "websocket.disconnect":
                return
            elif message["type"] == "websocket.receive":
                frame = json.loads(message.get("text") or message.get("bytes"))
                if frame.get("op") == "subscribe":
                    subscribers[me] = send
                    await send(
                        {
                            "type": "websocket.send",
                            "text": dumps(
                                {
                                    "op": "subscribed",
                                    "stream": "bench",
                                    "seq": state["seq"],
                                }
                            ),
                        }
                    )
                elif frame.get("op") == "post":
                    state["seq"] += 1
                    text = dumps(
                        {
                            "op": "event",
                            "stream": "bench",
                            "seq": state["seq"],
                            "type": "post.created",
                            "data": {
                                "client_id": frame["client_id"],
                                "body": frame["body"],
                                "created_at": datetime.now().astimezone().isoformat(),
                            },
                        }
                    )
                    event = {"type": "websocket.send", "text": text}
                    for other in list(subscribers.values()):
                        await other(event)
                    await send(
                        {
                            "type": "websocket.send",
                            "text": dumps(
                                {
                                    "op": "ack",
                                    "client_id": frame["client_id"],
                                    "post": 0,
                                }
                            ),
                        }
                    )
    finally:
        subscribers.pop(me, None)
