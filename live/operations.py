"""The registry of client operations: what a socket may ask besides following streams.

Apps register handlers (`post`, `typing`, ...) in their AppConfig.ready(). The consumer
validates the frame's envelope and calls `await handle(socket, frame)`; the handler
validates its own fields and answers through the socket (`send_frame`, `error`).
Handlers decide every permission on the current state: the socket's `user` is the one
it connected with, hours ago.
"""

import asyncio
import weakref

from channels.db import database_sync_to_async

_operations = {}


def register_operation(name, handle):
    """Register `async handle(socket, frame)` for frames with `"op": name`."""
    _operations[name] = handle


def operation(name):
    return _operations.get(name)


class Grouped:
    """Calls to one sync function, gathered into groups per event loop: while a group
    runs on the database thread, the next one gathers (group commit). There is no
    waiting for company: a call that finds nothing running starts a group at once.

    `run_group(items)` runs in the database thread and returns one result per item,
    in order; `await grouped(item)` returns the item's own. An exception raised by
    `run_group` is raised to every caller of that group.
    """

    def __init__(self, run_group, max_size=100):
        self.run_group = run_group
        self.max_size = max_size
        self._waiting = weakref.WeakKeyDictionary()  # loop -> [(item, future)]
        self._writers = weakref.WeakKeyDictionary()  # loop -> task writing groups

    async def __call__(self, item):
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        self._waiting.setdefault(loop, []).append((item, future))
        writer = self._writers.get(loop)
        if writer is None or writer.done():
            self._writers[loop] = loop.create_task(self._write(self._waiting[loop]))
        return await future

    async def _write(self, waiting):
        while waiting:
            group = waiting[: self.max_size]
            del waiting[: self.max_size]
            try:
                results = list(
                    await database_sync_to_async(self.run_group)(
                        [item for item, _future in group]
                    )
                )
                if len(results) != len(group):
                    raise RuntimeError("run_group() must return one result per item.")
            except Exception as error:
                for _item, future in group:
                    if not future.done():
                        future.set_exception(error)
                continue
            for (_item, future), result in zip(group, results, strict=True):
                if not future.done():  # its socket may have gone meanwhile
                    future.set_result(result)
