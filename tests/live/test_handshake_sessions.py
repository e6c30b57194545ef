"""A socket reads its session from the database, not through the pages' session
cache: sockets neither fill that cache nor trust a copy of a session the database no
longer has."""

import pytest
from asgiref.sync import async_to_sync
from django.contrib.sessions.models import Session
from django.core.cache import caches
from django.test import Client

from live.handshake import signed_in
from tests.support.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _scope(client):
    cookie = "; ".join(f"{key}={morsel.value}" for key, morsel in client.cookies.items())
    return {"type": "websocket", "headers": [(b"cookie", cookie.encode("latin1"))]}


def test_the_socket_reads_the_session_without_filling_the_sessions_cache(settings):
    person = UserFactory()
    client = Client()
    client.force_login(person)
    sessions = caches[settings.SESSION_CACHE_ALIAS]
    sessions.clear()

    user, key = async_to_sync(signed_in)(_scope(client))

    assert user.pk == person.pk and key == client.session.session_key
    assert sessions.get(f"django.contrib.sessions.cached_db{key}") is None


def test_a_session_gone_from_the_database_signs_no_socket_in(settings):
    person = UserFactory()
    client = Client()
    client.force_login(person)
    client.get("/")  # a page read the session: the cache holds it now
    Session.objects.all().delete()  # gone from the database only

    user, _key = async_to_sync(signed_in)(_scope(client))

    assert not user.is_authenticated
