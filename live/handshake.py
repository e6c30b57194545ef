"""Who a socket is: the person of the session cookie, read once when the socket opens.

Channels' `AuthMiddlewareStack` does this in three layers (cookies, a session wrapper
that can save the session on every send, a lazy user), each with its own copy of the
scope and a coroutine kept alive for the socket's whole life: about 3 kB per idle
socket. A socket never writes its session, so the consumer reads it once and keeps
only the person and the session's key. The person is decided by Channels' own
`get_user` (the session's user, backend and auth hash, as a page request checks them).
"""

from importlib import import_module

from channels.auth import get_user
from django.conf import settings
from django.http import parse_cookie
from django.utils import translation


def cookies(scope):
    """The handshake's cookies, by name."""
    for name, value in scope.get("headers", ()):
        if name == b"cookie":
            return parse_cookie(value.decode("latin1"))
    return {}


async def signed_in(scope):
    """(person, session key) of the handshake `scope`: AnonymousUser and None without
    a valid sign-in. A `user` an outer layer put in the scope (the tests'
    communicator, another authentication middleware) is kept."""
    session_key = cookies(scope).get(settings.SESSION_COOKIE_NAME) or None
    if scope.get("user") is not None:
        return scope["user"], session_key
    session = _session_store()(session_key)
    user = await get_user({"session": session})
    return user, session.session_key


def _session_store():
    """The configured session engine; sessions kept in the database behind a cache
    are read from the database itself: a socket reads its session once, and a
    thousand sockets would otherwise fill the pages' session cache (in the process's
    memory without Redis) with sessions no page asked for."""
    engine = settings.SESSION_ENGINE
    if engine == "django.contrib.sessions.backends.cached_db":
        engine = "django.contrib.sessions.backends.db"
    return import_module(engine).SessionStore


def language(user, scope):
    """The socket's language, chosen as the pages choose theirs: the person's own
    choice (any user model with a `language`), the language cookie, the browser's
    Accept-Language, the site's default."""
    chosen = getattr(user, "language", "")
    if chosen:
        return chosen
    cookie = cookies(scope).get(settings.LANGUAGE_COOKIE_NAME)
    if cookie in dict(settings.LANGUAGES):
        return cookie
    for name, value in scope.get("headers", ()):
        if name == b"accept-language":
            for code, _quality in translation.trans_real.parse_accept_lang_header(
                value.decode("latin1")
            ):
                try:
                    return translation.get_supported_language_variant(code)
                except LookupError:
                    continue
    return settings.LANGUAGE_CODE
