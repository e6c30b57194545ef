"""The WebSocket side of the bench-only ASGI apps (_daphne_broadcast.py and
_crocevia_burst.py): accept, read JSON frames until the client goes, answer JSON."""

import json


async def frames(receive, send):
    """The socket's JSON frames, in order; accepts the handshake, ends at disconnect."""
    while True:
        message = await receive()
        if message["type"] == "websocket.connect":
            await send({"type": "websocket.accept"})
        elif message["type"] == "websocket.disconnect":
            return
        elif message["type"] == "websocket.receive":
            yield json.loads(message.get("text") or message.get("bytes"))


async def reply(send, frame):
    """Send `frame` as one compact JSON text frame."""
    await send({"type": "websocket.send", "text": json.dumps(frame, separators=(",", ":"))})
