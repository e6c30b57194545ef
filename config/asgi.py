"""ASGI entry point: Django for HTTP, the live consumer for /ws/."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter  # noqa: E402

from config.gc_tuning import tune_garbage_collector  # noqa: E402
from live.origin import SameOriginValidator  # noqa: E402
from live.routing import websocket_application  # noqa: E402

tune_garbage_collector()

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": SameOriginValidator(websocket_application),
    }
)
