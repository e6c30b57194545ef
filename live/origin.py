"""Accept WebSockets only from the site's own pages (scheme, host and port), or from
origins named in LIVE_ALLOWED_ORIGINS.

Channels' AllowedHostsOriginValidator compares the Origin's host name with
ALLOWED_HOSTS only, so any port or scheme on an allowed host passes
(`http://127.0.0.1:9999` for a site on `127.0.0.1:8000`). A browser sends the page's
origin; the site's own origin is the scheme the browser used and the Host it asked for,
as Django's CSRF check computes it for forms.
"""

from urllib.parse import urlsplit

from channels.security.websocket import WebsocketDenier
from django.conf import settings
from django.http.request import split_domain_port, validate_host

_DEFAULT_PORTS = {"http": 80, "https": 443}


def _header(scope, name):
    for key, value in scope.get("headers", ()):
        if key == name:
            return value.decode("latin1")
    return None


def normalise_origin(origin):
    """`scheme://host[:port]` lower-cased, without the scheme's default port; None
    for anything that is not an http(s) origin."""
    try:
        parts = urlsplit(origin.strip())
        port = parts.port
    except (ValueError, AttributeError):
        return None
    if parts.scheme not in _DEFAULT_PORTS or not parts.hostname:
        return None
    if parts.path not in ("", "/") or parts.query or parts.fragment or parts.username:
        return None
    host = parts.hostname.lower()
    if ":" in host:
        host = f"[{host}]"  # IPv6 literal
    if port is None or port == _DEFAULT_PORTS[parts.scheme]:
        return f"{parts.scheme}://{host}"
    return f"{parts.scheme}://{host}:{port}"


def _scheme(scope):
    """The scheme the browser used: https behind a TLS proxy that says so (the same
    header Django trusts for requests), else what daphne served."""
    proxy_header = getattr(settings, "SECURE_PROXY_SSL_HEADER", None)
    if proxy_header:
        name, value = proxy_header
        header = name.lower().removeprefix("http_").replace("_", "-").encode("latin1")
        if (_header(scope, header) or "").split(",")[0].strip() == value:
            return "https"
    return "https" if scope.get("scheme") in ("wss", "https") else "http"


def site_origin(scope):
    """The origin of the page that opened this socket, if the Host is one we serve."""
    host = _header(scope, b"host")
    if not host:
        return None
    domain, _port = split_domain_port(host)
    if not domain or not validate_host(domain, settings.ALLOWED_HOSTS):
        return None
    return normalise_origin(f"{_scheme(scope)}://{host}")


def origin_allowed(scope):
    origin = _header(scope, b"origin")
    if origin is None:
        return False
    origin = normalise_origin(origin)
    if origin is None:
        return False
    extra = {normalise_origin(value) for value in settings.LIVE_ALLOWED_ORIGINS}
    return origin == site_origin(scope) or origin in extra


class SameOriginValidator:
    """ASGI middleware: refuse the WebSocket handshake (403) from any other origin."""

    def __init__(self, application):
        self.application = application

    async def __call__(self, scope, receive, send):
        if scope["type"] == "websocket" and not origin_allowed(scope):
            return await WebsocketDenier()(scope, receive, send)
        return await self.application(scope, receive, send)
