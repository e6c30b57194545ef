"""After-commit subscribers: the work a commit's events cause besides their broadcast
(notifications, the search index, activity notices), which is not the writer's.

In a server process (the writer works for an event loop that has a hub), a commit's
events are handed to one worker thread per process, which takes every commit waiting
(up to `MAX_BATCH_EVENTS` events) and gives them to each subscriber at once: a busy
thread costs its subscribers one round of statements per batch of commits rather than
per commit, and the writer — and the author waiting for the ack — never waits for them.
Elsewhere (management commands, in-process tests, `LIVE_SUBSCRIBER_WORKER` off) the
writer runs them itself, as its commit returns.

Like broadcasts, this is at most once: a process killed while commits wait loses their
subscriber work (a normal exit drains it first); `search_rebuild` restores the index.
"""

import atexit
import logging
import os
import threading
import time
from collections import deque

from django.conf import settings
from django.db import close_old_connections

logger = logging.getLogger(__name__)

MAX_BATCH_EVENTS = 2000
EXIT_DRAIN_SECONDS = 30

_subscribers = []  # (subscriber, takes the whole batch)
_local = threading.local()
_worker = None
_worker_lock = threading.Lock()


def register_subscriber(subscriber):
    """Call `subscriber(event)` for every event, after its transaction committed.

    Exceptions are logged and never reach the writer (the change is committed).
    """
    _subscribers.append((subscriber, False))


def register_batch_subscriber(subscriber):
    """Call `subscriber(events)` with the events of one or more commits, in commit
    order (a group of posts, or several groups, at once: one query for the batch
    rather than per event or per commit).

    Exceptions are logged and never reach the writer (the change is committed).
    """
    _subscribers.append((subscriber, True))


def serving_loop():
    """The server event loop whose commits the worker is running subscribers for, when
    called on the worker thread (their own commits broadcast through its hub)."""
    return getattr(_local, "loop", None)


def dispatch(events):
    """Hand `events` to every subscriber (the whole list to a batch subscriber); one
    failing never stops the others."""
    for subscriber, batch in _subscribers:
        if batch:
            try:
                subscriber(events)
            except Exception:
                logger.exception("live: subscriber %r failed for %s", subscriber, events)
            continue
        for event in events:
            try:
                subscriber(event)
            except Exception:
                logger.exception("live: subscriber %r failed for %s", subscriber, event)


def hand_over(events, loop):
    """After a commit: the subscribers' turn for `events` — on the process's worker
    when the writer works for the server loop `loop` and the worker is on, else now."""
    if loop is None or not settings.LIVE_SUBSCRIBER_WORKER:
        dispatch(events)
        return
    worker().put(loop, events)


def worker():
    """This process's worker, started on first use."""
    global _worker
    with _worker_lock:
        if _worker is None or _worker.pid != os.getpid():
            _worker = Worker(settings.LIVE_SUBSCRIBER_BACKLOG)
            atexit.register(_worker.drain, EXIT_DRAIN_SECONDS)
        return _worker


def drain(timeout=None):
    """Wait until every commit handed over so far went through the subscribers (for
    tests and shutdown); False when `timeout` passed first."""
    current = _worker
    return True if current is None else current.drain(timeout)


class Worker:
    """One thread taking commits in order, several at once."""

    def __init__(self, backlog):
        self.backlog = max(1, backlog)
        self.pid = os.getpid()
        self._commits = deque()  # (loop, events)
        self._unfinished = 0
        self._changed = threading.Condition()
        self._thread = threading.Thread(
            target=self._run, name="live-subscribers", daemon=True
        )
        self._thread.start()

    def put(self, loop, events):
        """Queue a commit's events; a writer waits while `backlog` commits wait
        already (the worker's own commits never do)."""
        with self._changed:
            if threading.current_thread() is not self._thread:
                while len(self._commits) >= self.backlog:
                    self._changed.wait()
            self._commits.append((loop, list(events)))
            self._unfinished += 1
            self._changed.notify_all()

    def drain(self, timeout=None):
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._changed:
            while self._unfinished:
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    return False
                self._changed.wait(remaining)
        return True

    def _take(self):
        """Every waiting commit of the first one's loop, up to MAX_BATCH_EVENTS."""
        with self._changed:
            while not self._commits:
                self._changed.wait()
            loop, batch = self._commits.popleft()
            taken = 1
            while (
                self._commits
                and self._commits[0][0] is loop
                and len(batch) + len(self._commits[0][1]) <= MAX_BATCH_EVENTS
            ):
                batch.extend(self._commits.popleft()[1])
                taken += 1
            self._changed.notify_all()  # writers waiting for room
            return loop, batch, taken

    def _run(self):
        while True:
            loop, batch, taken = self._take()
            _local.loop = loop
            try:
                close_old_connections()
                dispatch(batch)
            except Exception:
                logger.exception("live: subscriber worker failed for %s", batch)
            finally:
                _local.loop = None
                close_old_connections()
                with self._changed:
                    self._unfinished -= taken
                    self._changed.notify_all()
