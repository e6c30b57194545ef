"""WebSocket routes: one socket per tab at /ws/."""

from django.urls import path

from .consumer import LiveConsumer

websocket_urlpatterns = [path("ws/", LiveConsumer.as_asgi())]
