"""Who a socket is: the person of the session cookie, read once when the socket opens.

Channels' `AuthMiddlewareStack` does the same in three layers (cookies, a session
wrapper that can save the session on every send, a lazy user), each with its own copy
of the scope and a coroutine kept alive for the socket's whole life: about 3 kB per idle
socket. A socket never writes its session, so one layer that reads it is enough. The
person is decided by Channels' own `get_user` (the session's user, backend and auth
hash, as a page request checks them).
"""

from importlib import import_module

from channels.auth import get_user
from django.conf import settings
from django.http import parse_cookie


def _cookies(scope):
    for name, value in scope.get("headers", ()):
        if name == b"cookie":
            return parse_cookie(value.decode("latin1"))
    return {}


class SignedInSocket:
    """ASGI middleware for WebSockets: adds `cookies`, `session_key` (None without a
    stored session) and `user` (AnonymousUser unless the session is a valid sign-in)
    to a copy of the scope. A `user` an outer layer put in the scope is kept."""

    def __init__(self, application):
        self.application = application
        self.engine = import_module(settings.SESSION_ENGINE)

    async def __call__(self, scope, receive, send):
        cookies = _cookies(scope)
        session_key = cookies.get(settings.SESSION_COOKIE_NAME) or None
        session = self.engine.SessionStore(session_key)
        user = scope.get("user")  # decided by an outer layer (the tests' communicator)
        if user is None:
            user = await get_user({"session": session})
            session_key = session.session_key
        scope = dict(scope, cookies=cookies, session_key=session_key, user=user)
        return await self.application(scope, receive, send)
