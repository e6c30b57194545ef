"""What both baseline servers (fanout.py's plain websockets server and the bare ASGI app
of _daphne_broadcast.py) send for a post: one event frame, serialised once."""

import json
from datetime import datetime


def dumps(frame):
    return json.dumps(frame, separators=(",", ":"))


def event_text(seq, client_id, body):
    """The event frame of post `seq` of the stream "bench", as text."""
    return dumps(
        {
            "op": "event",
            "stream": "bench",
            "seq": seq,
            "type": "post.created",
            "data": {
                "client_id": client_id,
                "body": body,
                "created_at": datetime.now().astimezone().isoformat(),
            },
        }
    )
