"""Request bodies through daphne are not held in memory: Twisted's own form parsing
is off, and a body in a file is read from it as the application asks."""

import asyncio
import os
import tempfile
from unittest import mock

import config.asgi  # noqa: F401  (daphne imports it: it installs both changes)
from config.daphne_bodies import CHUNK_SIZE, FileBodyQueue, stream_request_bodies


def test_daphne_requests_skip_twisted_form_parsing():
    from daphne.http_protocol import WebRequest

    request = WebRequest(mock.Mock())

    assert request._parsePOSTFormSubmission is False


def test_installing_twice_wraps_once():
    from daphne.http_protocol import WebRequest
    from daphne.server import Server

    before = (WebRequest.__init__, Server.create_application)
    stream_request_bodies()

    assert (WebRequest.__init__, Server.create_application) == before


def _daphne_puts(queue, content, size=8192):
    """What daphne's WebRequest.process does: the whole body in 8 KiB messages."""
    content.seek(0)
    while True:
        chunk = content.read(size)
        more = len(chunk) == size
        queue.put_nowait({"type": "http.request", "body": chunk, "more_body": more})
        if not more:
            break


def _drain(queue):
    async def receive_all():
        messages = []
        while True:
            message = await queue.get()
            messages.append(message)
            if message["type"] == "http.disconnect" or not message.get("more_body"):
                return messages

    return asyncio.run(receive_all())


def test_a_body_in_a_file_is_read_from_it_as_the_application_asks():
    body = os.urandom(1_000_000)
    with tempfile.TemporaryFile() as content:
        content.write(body)
        queue = FileBodyQueue()
        queue.attach(content.fileno())

        _daphne_puts(queue, content)
        # The queue holds the body's place, not its 123 messages of bytes.
        assert queue.qsize() == 1
        messages = _drain(queue)

    assert b"".join(m["body"] for m in messages) == body
    assert max(len(m["body"]) for m in messages) == CHUNK_SIZE
    assert [m["more_body"] for m in messages[-2:]] == [True, False]


def test_other_messages_keep_their_order_after_the_body():
    with tempfile.TemporaryFile() as content:
        content.write(b"a=1")
        queue = FileBodyQueue()
        queue.attach(content.fileno())
        _daphne_puts(queue, content)
        queue.put_nowait({"type": "http.disconnect"})

        first = _drain(queue)
        second = asyncio.run(queue.get())

    assert first == [{"type": "http.request", "body": b"a=1", "more_body": False}]
    assert second == {"type": "http.disconnect"}


def test_an_empty_body_is_one_final_message():
    with tempfile.TemporaryFile() as content:
        queue = FileBodyQueue()
        queue.attach(content.fileno())
        _daphne_puts(queue, content)

        messages = _drain(queue)

    assert messages == [{"type": "http.request", "body": b"", "more_body": False}]


def test_the_body_is_read_through_the_queue_s_own_descriptor():
    """Twisted closes its file when the client goes; its number may then be another
    request's file. The queue reads through a descriptor of its own."""
    body = b"x" * 100_000
    content = tempfile.TemporaryFile()
    content.write(body)
    queue = FileBodyQueue()
    queue.attach(content.fileno())
    _daphne_puts(queue, content)
    content.close()
    with tempfile.TemporaryFile() as other:  # may take the closed file's number
        other.write(b"someone else's upload")

        messages = _drain(queue)

    assert b"".join(m["body"] for m in messages) == body


def test_a_file_shorter_than_announced_reads_as_a_lost_client():
    with tempfile.TemporaryFile() as content:
        content.write(b"x" * 100_000)
        queue = FileBodyQueue()
        queue.attach(content.fileno())
        _daphne_puts(queue, content)
        content.truncate(10)

        messages = _drain(queue)

    assert messages[0]["body"] == b"x" * 10
    assert messages[-1] == {"type": "http.disconnect"}
