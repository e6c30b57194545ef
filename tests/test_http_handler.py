"""HTTP under daphne (config/http.py): pages served through the ASGI application, on
a few long-lived threads that keep their database connections."""

import asyncio
import threading

import pytest
from channels.testing import HttpCommunicator
from django.db.backends.signals import connection_created

from config.asgi import application
from config.http import HTTPHandler
from tests.support.factories import CommunityFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


@pytest.fixture
def new_connections():
    """The threads that opened a database connection, one entry per connection."""
    opened = []

    def record(sender, connection, **kwargs):
        opened.append(threading.get_ident())

    connection_created.connect(record)
    yield opened
    connection_created.disconnect(record)


async def get(app, path="/"):
    communicator = HttpCommunicator(app, "GET", path, headers=[(b"host", b"localhost")])
    return await communicator.get_response(timeout=10)


async def test_the_site_answers_through_the_asgi_application():
    await asyncio.to_thread(CommunityFactory, name="Energia pulita")

    response = await get(application)

    assert response["status"] == 200
    assert "Energia pulita" in response["body"].decode()


async def test_requests_one_after_another_share_one_database_connection(
    new_connections,
):
    handler = HTTPHandler(threads=4)

    for _ in range(6):
        assert (await get(handler))["status"] == 200

    # Django's own handler opens one per request (a new thread each time).
    assert len(new_connections) == 1


async def test_concurrent_requests_use_at_most_the_configured_threads(
    new_connections,
):
    handler = HTTPHandler(threads=2)

    responses = await asyncio.gather(*(get(handler) for _ in range(8)))

    assert [response["status"] for response in responses] == [200] * 8
    assert len(set(new_connections)) <= 2
    assert len(new_connections) <= 2
