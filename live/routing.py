"""WebSocket routes: one socket per tab at /ws/, the only WebSocket address."""

from channels.security.websocket import WebsocketDenier

from .consumer import LiveConsumer
from .handshake import SignedInSocket

SOCKET_PATH = "/ws/"

_live = SignedInSocket(LiveConsumer.as_asgi())


async def websocket_application(scope, receive, send):
    """/ws/ to the live consumer, signed in; any other address refused at the handshake.

    Routed by hand rather than with Channels' URLRouter: one address, and no copy of
    the scope kept per socket for a match nobody reads.
    """
    if scope["path"].removeprefix(scope.get("root_path", "")) != SOCKET_PATH:
        return await WebsocketDenier()(scope, receive, send)
    return await _live(scope, receive, send)
