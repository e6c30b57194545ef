"""The site with Django's stock ASGI handler for HTTP: bench/load.py's baseline.

Everything else (WebSocket routing, collector settings) is config/asgi.py's.
"""

from channels.routing import ProtocolTypeRouter
from django.core.handlers.asgi import ASGIHandler

from config import asgi

application = ProtocolTypeRouter(
    {**asgi.application.application_mapping, "http": ASGIHandler()}
)
