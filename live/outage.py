"""Redis going away, as this process sees it: one warning when it goes, one line when
it is back, and whether to try it now.

The cache (`live.cache`), the hub and channels_redis's own receive loop all notice a
Redis that stopped answering, each on every call it makes: they report it here, and
the log gets one warning per outage instead of one traceback per message. While it
is down, callers try Redis at most once every RETRY_SECONDS (`may_try`) and serve
everything else from their fallback at once, so no page waits on a dead server.
"""

import logging
import threading
import time

import redis

logger = logging.getLogger(__name__)

# What a Redis that stopped answering raises (a refused or reset connection, a
# timeout), through redis-py or the socket itself. Anything else is a bug, logged as
# one.
UNREACHABLE = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError)

# While Redis is down, how often one caller in this process tries it again.
RETRY_SECONDS = 1.0
# A failure this soon after Redis came back belongs to the outage that just ended (a
# connection that broke before the restart, reported late): no second warning.
SETTLE_SECONDS = 2.0


class Outage:
    """Whether `name` is unreachable from this process; safe from any thread."""

    def __init__(self, name, *, clock=time.monotonic):
        self.name = name
        self.clock = clock
        self.down = False
        self.count = 0  # outages begun in this process (the hub re-joins after each)
        self._since = None
        self._recovered_at = None
        self._next_try = 0.0
        self._lock = threading.Lock()

    def failed(self, error):
        """A call to the service failed with `error` (one of UNREACHABLE)."""
        with self._lock:
            now = self.clock()
            self._next_try = now + RETRY_SECONDS
            if self.down:
                return
            self.down = True
            self.count += 1
            settling = (
                self._recovered_at is not None
                and now - self._recovered_at < SETTLE_SECONDS
            )
            if settling:
                return  # the same outage: its warning was logged already
            self._since = now
        logger.warning(
            "%s is unreachable (%s): going on without it until it is back. Pages "
            "and posts work; live updates come from the event log every few "
            "seconds; rate limits and presence count in this process only.",
            self.name,
            error,
        )

    def recovered(self):
        """A call to the service succeeded."""
        if not self.down:  # the common case, without the lock
            return
        with self._lock:
            if not self.down:
                return
            self.down = False
            now = self.clock()
            settled = self._recovered_at is not None and self._since is None
            self._recovered_at = now
            since, self._since = self._since, None
        if not settled and since is not None:
            logger.info(
                "%s is back after %.0f s: live updates, rate limits and presence "
                "are shared again.",
                self.name,
                now - since,
            )

    def may_try(self):
        """Should a caller use the service now? Always while it is up; while it is
        down, one caller every RETRY_SECONDS (the others use their fallback)."""
        if not self.down:
            return True
        with self._lock:
            now = self.clock()
            if now < self._next_try:
                return False
            self._next_try = now + RETRY_SECONDS
            return True


redis_outage = Outage("Redis")


class LayerErrorFilter(logging.Filter):
    """For channels_redis's logger: its receive loop logs a traceback every second
    while Redis is down; report the outage once instead (LOGGING in settings)."""

    def filter(self, record):
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, UNREACHABLE):
            redis_outage.failed(error)
            return False
        return True
