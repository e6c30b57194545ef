"""WebSocket routes: one socket per tab at /ws/, the only WebSocket address."""

from channels.security.websocket import WebsocketDenier

from .consumer import LiveConsumer

SOCKET_PATH = "/ws/"


async def websocket_application(scope, receive, send):
    """/ws/ to a live consumer of its own; any other address refused at the handshake.

    Routed by hand rather than with Channels' URLRouter and `as_asgi`: one address,
    and no copy of the scope nor extra coroutine kept per socket for a match nobody
    reads.
    """
    if scope["path"].removeprefix(scope.get("root_path", "")) != SOCKET_PATH:
        return await WebsocketDenier()(scope, receive, send)
    return await LiveConsumer()(scope, receive, send)
