"""Drive the real /ws/ consumer the way a browser tab would, for the live tests."""

import json
import uuid

from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator

from config.asgi import application

SITE = [(b"origin", b"http://localhost"), (b"host", b"localhost")]


async def connect(user=None, headers=SITE):
    """An open socket, signed in as `user` (anonymous when None).

    The socket gets its own copy of the user, as the session middleware would give
    it: nothing the test does to its own object reaches the socket's.
    """
    socket = WebsocketCommunicator(application, "/ws/", headers=headers)
    if user is not None:
        socket.scope["user"] = await sync_to_async(type(user).objects.get)(pk=user.pk)
    connected, _ = await socket.connect()
    assert connected
    return socket


async def frames(socket, quiet=0.3):
    """Every frame the server sends until it has been quiet for `quiet` seconds."""
    received = []
    while not await socket.receive_nothing(timeout=quiet):
        received.append(json.loads(await socket.receive_from()))
    return received


async def subscribe(socket, stream, after=None):
    """Subscribe; returns the frames of the replay (the first says subscribed or not)."""
    frame = {"op": "subscribe", "stream": stream}
    if after is not None:
        frame["after"] = after
    await socket.send_json_to(frame)
    return await frames(socket)


async def send_post(socket, thread_id, body):
    """Send a post; returns its answer, the `ack` or the `error` frame."""
    client_id = str(uuid.uuid4())
    await socket.send_json_to(
        {"op": "post", "thread": thread_id, "body": body, "client_id": client_id}
    )
    while True:
        frame = await socket.receive_json_from(timeout=5)
        if frame.get("op") in ("ack", "error") and frame.get(
            "client_id", frame.get("ref")
        ) == client_id:
            return frame
