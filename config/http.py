"""HTTP under daphne: Django's ASGI handler, with the middleware stack and the view run
in one call per request on one of a few long-lived threads."""

from concurrent.futures import ThreadPoolExecutor

from asgiref.sync import ThreadSensitiveContext, sync_to_async
from django.core.handlers.asgi import ASGIHandler


class HTTPHandler(ASGIHandler):
    """Django's ASGI handler with fewer thread switches and kept database connections.

    Django's own handler builds the middleware stack for async. Our stack is sync code
    (WhiteNoise's middleware is sync only, and a `MiddlewareMixin` middleware run as
    async sends each `process_request`/`process_response` to a thread through
    `sync_to_async`), so a request went back and forth between the event loop and a
    worker thread about eight times. Here the stack is built as under WSGI and runs,
    view included, in one `sync_to_async` call (three switches a request are left:
    the request_started signal, that call, closing the response).

    Django's handler also runs each request in a new `ThreadSensitiveContext`: a new
    thread per request, so a new database connection per request (CONN_MAX_AGE
    cannot keep one): about a sixth of a page's CPU on SQLite (bench/load.py). Here
    requests share `threads` long-lived threads, each keeping its connection
    (asgiref's `ThreadSensitiveContext(executor=...)`): a request goes to the least
    busy thread, and waits
    for it when every thread is busy, as it would for the GIL anyway. The cost: a
    request that blocks (a slow SMTP server, a locked SQLite database) delays the
    requests queued behind it on its thread; `HTTP_THREADS` sets how many threads.
    """

    def __init__(self, threads):
        super().__init__()
        self._executors = [
            ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"http-{number}")
            for number in range(threads)
        ]
        self._busy = [0] * threads

    def load_middleware(self, is_async=False):
        super().load_middleware(is_async=False)
        self._middleware_chain = sync_to_async(
            self._middleware_chain, thread_sensitive=True
        )

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            raise ValueError(f"HTTPHandler serves HTTP only, not {scope['type']}.")
        index = self._busy.index(min(self._busy))
        self._busy[index] += 1
        try:
            async with ThreadSensitiveContext(executor=self._executors[index]):
                await self.handle(scope, receive, send)
        finally:
            self._busy[index] -= 1


def get_http_application():
    """The HTTP application of config/asgi.py (call after `django.setup()`)."""
    from django.conf import settings

    return HTTPHandler(threads=settings.HTTP_THREADS)
