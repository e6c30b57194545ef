"""Request bodies through daphne without holding them in memory.

daphne (4.2) costs memory in proportion to every request body, twice:

- its requests are Twisted `Request`s, which parse every POST form body into
  `request.args` before daphne hands the body on: for `multipart/form-data` Twisted
  reads the whole body into memory and splits it with the `email` package, several
  copies of every uploaded file (a 25 MB document cost the server about 300 MB at its
  peak, and the parsed copy stayed referenced after the response). daphne never reads
  `args`. Twisted offers the switch, `parsePOSTFormSubmission`, to the code that
  builds its requests; daphne does not pass it, so it is set on each request here;
- once the body has arrived (Twisted keeps it in a temporary file past 100 kB), daphne
  puts all of it into the application's input queue at once, as 8 KiB messages
  (django/daphne#483): a 25 MB upload is 25 MB of messages waiting in memory. Here the
  queue of an HTTP request whose body is in a file holds the body's place instead of
  its bytes, and reads it from the file as the application asks for it, 64 KiB a
  message.

Django then streams the body itself (the document upload handler writes 64 KiB chunks
to disk), so an upload's memory no longer grows with its size (bench/uploads.py).
Both changes are installed from config/asgi.py, which daphne imports.
"""

import asyncio
import os
import weakref
from functools import wraps

CHUNK_SIZE = 64 * 1024


class _BodyMark:
    """Where a request body is in its file: how much daphne announced, how much the
    application has read, whether the last part was announced."""

    __slots__ = ("announced", "read", "complete", "queued")

    def __init__(self):
        self.announced = 0
        self.read = 0
        self.complete = False
        self.queued = False


class FileBodyQueue(asyncio.Queue):
    """daphne's input queue for one HTTP request whose body is in a file.

    `http.request` messages put by daphne leave their bytes behind: one mark in the
    queue stands for the whole body, and each `get` of it reads the next chunk from
    the file (`os.pread`: the page cache, microseconds). Every other message
    (`http.disconnect`) queues as usual, after the body.
    """

    def attach(self, fileno):
        """Read the body from the file open as `fileno`, through a descriptor of
        this queue's own: Twisted may close its file once the client is gone, and
        its number may then name another request's file."""
        self._fileno = os.dup(fileno)
        self._close = weakref.finalize(self, os.close, self._fileno)
        self._mark = None

    def _put(self, item):
        if item.get("type") != "http.request" or (
            self._mark is not None and self._mark.complete
        ):
            super()._put(item)
            return
        if self._mark is None:
            self._mark = _BodyMark()
        if not self._mark.queued:
            self._mark.queued = True
            super()._put(self._mark)
        self._mark.announced += len(item.get("body", b""))
        self._mark.complete = not item.get("more_body", False)

    def _get(self):
        item = self._queue[0]
        if item is not self._mark:
            return super()._get()
        mark = self._mark
        try:
            chunk = os.pread(
                self._fileno, min(CHUNK_SIZE, mark.announced - mark.read), mark.read
            )
        except OSError:
            chunk = None
        if not chunk and mark.read < mark.announced:
            # Unreadable, or shorter than daphne said: as if the client were gone.
            super()._get()
            self._close()
            return {"type": "http.disconnect"}
        mark.read += len(chunk)
        if mark.read >= mark.announced:
            # All announced is read: the mark leaves the queue until daphne
            # announces more (it announces the whole body at once, before the
            # application first reads).
            super()._get()
            mark.queued = False
        more = not (mark.complete and mark.read >= mark.announced)
        if not more:
            self._close()
        return {"type": "http.request", "body": chunk, "more_body": more}


def stream_request_bodies():
    """Install both changes on daphne's classes (idempotent)."""
    from daphne.http_protocol import WebRequest
    from daphne.server import Server

    if getattr(WebRequest, "_crocevia_bodies", False):
        return
    request_init = WebRequest.__init__

    @wraps(request_init)
    def __init__(self, *args, **kwargs):
        request_init(self, *args, **kwargs)
        self._parsePOSTFormSubmission = False

    create_application = Server.create_application

    @wraps(create_application)
    def create_http_application(self, protocol, scope):
        queue = create_application(self, protocol, scope)
        if queue is not None and scope.get("type") == "http":
            fileno = _fileno(getattr(protocol, "content", None))
            if fileno is not None and type(queue) is asyncio.Queue:
                queue.__class__ = FileBodyQueue
                queue.attach(fileno)
        return queue

    WebRequest.__init__ = __init__
    Server.create_application = create_http_application
    WebRequest._crocevia_bodies = True


def _fileno(content):
    """The descriptor of Twisted's temporary file for the body, or None when the body
    is in memory (under 100 kB) or gone."""
    try:
        return content.fileno()
    except (AttributeError, OSError, ValueError):
        return None
