"""ASGI entry point: Django for HTTP, the live consumer for /ws/."""

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup(set_prefix=False)

from config.http import get_http_application  # noqa: E402

django_asgi_app = get_http_application()

from channels.routing import ProtocolTypeRouter  # noqa: E402

from config.daphne_bodies import stream_request_bodies  # noqa: E402
from config.gc_tuning import tune_garbage_collector  # noqa: E402
from live.origin import SameOriginValidator  # noqa: E402
from live.routing import websocket_application  # noqa: E402

tune_garbage_collector()
stream_request_bodies()

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": SameOriginValidator(websocket_application),
    }
)
