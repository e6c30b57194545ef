"""Presence keeps one cache object per process, so one Redis connection pool.

Django's `cache` is one object per async context: called from each socket's own tasks
(its presence heartbeat, leaving a room), it made a cache object, a connection pool and
a Redis connection for every socket present in a room (found by bench/soak.py).
"""

import asyncio
import contextvars
from types import SimpleNamespace

import pytest
from django.core.cache import caches

from live import presence


def person(n):
    return SimpleNamespace(pk=n, name=f"Persona {n}", get_username=lambda: f"persona{n}")


@pytest.mark.asyncio
async def test_sockets_present_in_a_room_share_one_cache_object(monkeypatch):
    made = []
    create = caches.create_connection
    monkeypatch.setattr(
        caches, "create_connection", lambda alias: made.append(alias) or create(alias)
    )

    # Each socket's heartbeat runs in a task of its own, started from a context of
    # its own (daphne starts each connection's application from its reactor).
    loop = asyncio.get_running_loop()
    await asyncio.gather(
        *(
            loop.create_task(
                presence.presence_update(
                    "thread:4242", f"socket-{n}", person(n), present=True
                ),
                context=contextvars.Context(),
            )
            for n in range(20)
        )
    )

    people = await presence.presence_of("thread:4242")
    assert [one["username"] for one in people] == sorted(
        f"persona{n}" for n in range(20)
    )
    assert len(made) <= 1, f"{len(made)} cache objects for 20 sockets"


def test_the_shared_cache_follows_the_cache_settings(settings):
    before = presence.presence_cache()
    assert presence.presence_cache() is before
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "presence-test",
        },
    }
    assert presence.presence_cache() is not before
