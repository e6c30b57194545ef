"""Django's Redis cache, kept going while Redis is unreachable.

Every cache call of the site (rate limits, slow mode, view counts, presence, the
session cache, allauth's login limits) goes through this backend. When Redis does
not answer, the call is served by a fallback instead of raising, and the outage is
reported once (`live.outage`); while Redis stays down, it is tried again at most once
a second, the other calls going straight to the fallback, so a page never waits on it.

`OPTIONS["FALLBACK"]` chooses the fallback: "memory" (the default), this process's
own memory, so counters and presence go on per process; or "none", every read a miss
and every write dropped: the session cache, whose copy in one process's memory would
outlive a logout made through another (cached_db sessions then read the database).
When Redis is back, what the memory held is dropped: Redis is shared again.
"""

from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache

from .outage import UNREACHABLE, redis_outage

# The fallback memory keeps at most this many keys (LocMemCache culls the rest).
FALLBACK_MAX_ENTRIES = 10_000


class FallbackRedisCache(RedisCache):
    def __init__(self, server, params):
        options = dict(params.get("OPTIONS", {}))
        fallback = options.pop("FALLBACK", "memory")
        params = {**params, "OPTIONS": options}
        super().__init__(server, params)
        kept = {k: v for k, v in params.items() if k != "OPTIONS"}
        if fallback == "memory":
            self._fallback = LocMemCache(
                f"redis-fallback:{server}:{params.get('KEY_PREFIX', '')}",
                {**kept, "OPTIONS": {"MAX_ENTRIES": FALLBACK_MAX_ENTRIES}},
            )
        elif fallback == "none":
            self._fallback = DummyCache(server, kept)
        else:
            raise ValueError(f"FALLBACK must be 'memory' or 'none', not {fallback!r}")
        self._fell_back = False

    def _call(self, name, *args, **kwargs):
        if redis_outage.may_try():
            try:
                result = getattr(RedisCache, name)(self, *args, **kwargs)
            except UNREACHABLE as error:
                redis_outage.failed(error)
            else:
                redis_outage.recovered()
                if self._fell_back:
                    self._fell_back = False
                    self._fallback.clear()
                return result
        self._fell_back = True
        return getattr(self._fallback, name)(*args, **kwargs)

    def add(self, *args, **kwargs):
        return self._call("add", *args, **kwargs)

    def get(self, *args, **kwargs):
        return self._call("get", *args, **kwargs)

    def set(self, *args, **kwargs):
        return self._call("set", *args, **kwargs)

    def touch(self, *args, **kwargs):
        return self._call("touch", *args, **kwargs)

    def delete(self, *args, **kwargs):
        return self._call("delete", *args, **kwargs)

    def get_many(self, *args, **kwargs):
        return self._call("get_many", *args, **kwargs)

    def has_key(self, *args, **kwargs):
        return self._call("has_key", *args, **kwargs)

    def incr(self, *args, **kwargs):
        return self._call("incr", *args, **kwargs)

    def set_many(self, *args, **kwargs):
        return self._call("set_many", *args, **kwargs)

    def delete_many(self, *args, **kwargs):
        return self._call("delete_many", *args, **kwargs)

    def clear(self):
        self._fallback.clear()
        return self._call("clear")
