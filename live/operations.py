"""The registry of client operations: what a socket may ask besides following streams.

Apps register handlers (`post`, `typing`, ...) in their AppConfig.ready(). The consumer
validates the frame's envelope and calls `await handle(socket, frame)`; the handler
validates its own fields and answers through the socket (`send_frame`, `error`).
Handlers decide every permission on the current state: the socket's `user` is the one
it connected with, hours ago.
"""

_operations = {}


def register_operation(name, handle):
    """Register `async handle(socket, frame)` for frames with `"op": name`."""
    _operations[name] = handle


def operation(name):
    return _operations.get(name)
