"""Who is in a room now, and who is typing: ephemeral, kept in the cache, never stored.

Each open socket following a thread stream holds an entry under the stream's key with
an expiry; sockets refresh their entries with a heartbeat, so a crashed process's
entries lapse on their own. The cache is shared across processes (Redis in
production), so every process sees the same people. Changes and typing notices travel
as ephemeral channel-layer messages (no seq, not in the Event log).

While Redis is unreachable, the cache falls back to each process's memory
(live/cache.py): a room shows the people connected to the same process, and notices
reach only them, until Redis is back and the heartbeats fill the shared entries again.

Presence uses one cache object for the whole process (`presence_cache`). Django's
`cache` is one object per async context, so each socket's own tasks (the heartbeat,
leaving at disconnect) would open a Redis connection pool of their own: a process with
thousands of sockets in rooms would hold as many connections to Redis.
"""

import asyncio
import time
from collections import defaultdict

from django.conf import settings
from django.core.cache import caches

from .events import group_name
from .hub import get_hub


def person_brief(user):
    """How presence and typing notices name a person: id, username and display name
    (a user model's `name`, else its username)."""
    username = user.get_username()
    return {"id": user.pk, "username": username, "name": getattr(user, "name", username)}


_shared_cache = (None, None)  # (the cache settings it was made from, the cache)


def presence_cache():
    """The process's one cache object for presence and typing (one connection pool),
    made again only when the cache settings change (tests override them)."""
    global _shared_cache
    made_from, shared = _shared_cache
    config = caches.settings.get("default")
    if shared is None or made_from is not config:
        shared = caches.create_connection("default")
        _shared_cache = (config, shared)
    return shared


def _key(stream):
    return f"presence:{stream}"


def _people(entries, now):
    seen, people = set(), []
    for entry in sorted(entries.values(), key=lambda e: e["name"].casefold()):
        if entry["until"] > now and entry["id"] not in seen:
            seen.add(entry["id"])
            people.append({k: entry[k] for k in ("id", "username", "name")})
    return people


_locks = defaultdict(asyncio.Lock)


async def presence_update(stream, connection, user, *, present):
    """Add, refresh or remove one socket's entry; returns (people, changed).

    The lock serialises this process's sockets; a rare lost update between processes
    is repaired by the next heartbeat.
    """
    async with _locks[stream]:
        return await _presence_update(stream, connection, user, present)


async def _presence_update(stream, connection, user, present):
    now = time.time()
    ttl = settings.LIVE_PRESENCE_TTL_SECONDS
    entries = await presence_cache().aget(_key(stream)) or {}
    before = _people(entries, now)
    entries = {k: e for k, e in entries.items() if e["until"] > now}
    if present:
        entries[connection] = {**person_brief(user), "until": now + ttl}
    else:
        entries.pop(connection, None)
    await presence_cache().aset(_key(stream), entries, timeout=ttl * 2)
    after = _people(entries, now)
    return after, after != before


async def presence_of(stream):
    return _people(await presence_cache().aget(_key(stream)) or {}, time.time())


async def typing_allowed(stream, user):
    """At most one typing notice per person and stream every few seconds."""
    return await presence_cache().aadd(
        f"typing:{stream}:{user.pk}", 1, timeout=settings.LIVE_TYPING_THROTTLE_SECONDS
    )


async def ephemeral_send(stream, frame):
    """Broadcast a frame that is not part of the stream's history (through the hub:
    to this process's sockets only while Redis is unreachable)."""
    group = group_name(stream)
    await get_hub().group_send(
        group, {"type": "live.ephemeral", "group": group, "frame": frame}
    )
