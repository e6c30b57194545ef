"""ASGI entry point: Django for HTTP, the live consumer for /ws/."""

import gc
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from live.origin import SameOriginValidator  # noqa: E402
from live.routing import websocket_urlpatterns  # noqa: E402


def _tune_garbage_collector():
    """Fewer, cheaper full collections for a long-running server holding many sockets.

    With a thousand sockets a full collection pauses the process for 150-280 ms every
    few seconds (bench/README.md); freezing what startup built and collecting the
    young generation less often keeps those pauses rare. GC_THRESHOLD="700,10,10"
    restores CPython's defaults.
    """
    thresholds = os.environ.get("GC_THRESHOLD", "50000,20,10")
    gc.freeze()  # modules, settings, templates: never garbage, never scanned again
    gc.set_threshold(*(int(part) for part in thresholds.split(",")))


_tune_garbage_collector()

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": SameOriginValidator(
            AuthMiddlewareStack(URLRouter(websocket_urlpatterns))
        ),
    }
)
