"""A minimal /ws/ client, like a browser tab: session cookie, Origin header, JSON frames;
and `FormSession`, the same person posting the pages' forms without JavaScript.

A reader task files every frame as it arrives (events per stream, acks per client_id,
errors); tests wait for a condition on what arrived, always with a timeout. Posts sent
with `post()` stay pending until acknowledged and, like live.js, are sent again after
an `unavailable` error (the server could not reach its database); a subscription
ended by one is asked again from the last seq received. `StalledClient` is the other
kind: a socket that reads only when the test says so.
"""

import asyncio
import base64
import html.parser
import http.cookiejar
import json
import os
import socket
import struct
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import defaultdict

from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed


class LiveClient:
    def __init__(self, socket, *, keep_data=True):
        self.socket = socket
        # False: event frames are filed without their `data` (a reader among many in a
        # burst of large events needs only their place in the stream).
        self.keep_data = keep_data
        self.frames = []
        self.events = defaultdict(list)  # stream -> event frames, in arrival order
        self.viewer = {}  # (stream, seq) -> the viewer field of that frame
        self.ephemeral = defaultdict(list)  # stream -> presence and typing frames
        self.subscribed = {}  # stream -> seq of its last subscribed/resync frame
        self.acks = {}  # client_id -> post id
        self.acked_at = {}  # client_id -> time.time() when its first ack arrived
        self.ack_count = defaultdict(int)
        self.errors = []
        self.pending = {}  # client_id -> post frame sent with post(), until its ack
        self.unavailable = []  # `unavailable` error frames of pending posts (resent)
        self.resubscribed = []  # `unavailable` error frames of streams (asked again)
        self.closed = asyncio.Event()
        self.reader = asyncio.ensure_future(self._read())

    @classmethod
    async def open(cls, base_url, session_key, *, timeout=10, keep_data=True):
        socket = await connect(
            base_url.replace("http://", "ws://", 1) + "/ws/",
            origin=base_url,
            additional_headers={"Cookie": f"sessionid={session_key}"},
            proxy=None,
            compression=None,
            open_timeout=timeout,
            close_timeout=2,
        )
        return cls(socket, keep_data=keep_data)

    async def _read(self):
        try:
            async for text in self.socket:
                frame = json.loads(text)
                self.frames.append(frame)
                op = frame.get("op")
                if op == "event":
                    # What this person may do with it differs per viewer; the event
                    # itself is the same for everyone.
                    self.viewer[frame["stream"], frame["seq"]] = frame.pop("viewer", None)
                    if not self.keep_data:
                        frame.pop("data", None)
                    self.events[frame["stream"]].append(frame)
                elif op in {"subscribed", "resync"}:
                    self.subscribed[frame["stream"]] = frame["seq"]
                elif op == "ack":
                    self.acks[frame["client_id"]] = frame["post"]
                    self.acked_at.setdefault(frame["client_id"], time.time())
                    self.ack_count[frame["client_id"]] += 1
                    self.pending.pop(frame["client_id"], None)
                elif op in {"presence", "typing"}:
                    self.ephemeral[frame["stream"]].append(frame)
                elif op == "error" and (
                    frame.get("code") == "unavailable" and frame.get("ref") in self.pending
                ):
                    self.unavailable.append(frame)
                    asyncio.get_running_loop().call_later(
                        self.RESEND_DELAY, self._resend, frame["ref"]
                    )
                elif op == "error" and (
                    frame.get("code") == "unavailable" and frame.get("ref") in self.subscribed
                ):
                    self.resubscribed.append(frame)
                    asyncio.get_running_loop().call_later(
                        self.RESEND_DELAY, self._resubscribe, frame["ref"]
                    )
                elif op == "error":
                    self.errors.append(frame)
        except ConnectionClosed:
            pass
        finally:
            self.closed.set()

    async def send(self, **frame):
        await self.socket.send(json.dumps(frame))

    # After an `unavailable` error, as live.js waits (without its backoff).
    RESEND_DELAY = 0.5

    async def post(self, thread, body, client_id):
        """Send a post; it stays pending, and is resent after an `unavailable` error,
        until acknowledged."""
        frame = {"op": "post", "thread": thread, "body": body, "client_id": client_id}
        self.pending[client_id] = frame
        await self.send(**frame)

    def _resend(self, client_id):
        frame = self.pending.get(client_id)
        if frame is not None and not self.closed.is_set():
            asyncio.ensure_future(self.send(**frame))

    def _resubscribe(self, stream):
        if not self.closed.is_set():
            after = self.last_seq(stream)
            asyncio.ensure_future(self.send(op="subscribe", stream=stream, after=after))

    async def until(self, condition, what, *, timeout=15):
        """Wait until `condition()` holds; fail naming `what` after `timeout` seconds."""
        deadline = asyncio.get_running_loop().time() + timeout
        while not condition():
            if self.errors:
                raise AssertionError(f"waiting for {what}: error frames {self.errors}")
            if self.closed.is_set():
                raise AssertionError(f"waiting for {what}: the socket closed")
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"waiting for {what}: timed out after {timeout}s")
            await asyncio.sleep(0.02)

    async def subscribe(self, stream, after=None, *, timeout=15):
        """Subscribe and wait for the `subscribed` frame; returns its seq."""
        self.subscribed.pop(stream, None)
        frame = {"op": "subscribe", "stream": stream}
        if after is not None:
            frame["after"] = after
        await self.send(**frame)
        await self.until(lambda: stream in self.subscribed, f"subscribed to {stream}",
                         timeout=timeout)
        return self.subscribed[stream]

    def seqs(self, stream):
        return [frame["seq"] for frame in self.events[stream]]

    def last_seq(self, stream):
        seqs = self.seqs(stream)
        return seqs[-1] if seqs else self.subscribed.get(stream, 0)

    async def close(self):
        await self.socket.close()
        try:
            await asyncio.wait_for(self.reader, 5)
        except (TimeoutError, asyncio.CancelledError):
            self.reader.cancel()


async def send_burst(client, thread, posts, *, window=20, stop_after=None, pace=0):
    """Send `posts` [(client_id, body)] with `window` unacknowledged at most (and at
    least `pace` seconds apart); return how many were sent once `stop_after` (default:
    all) are acknowledged."""
    sent = 0
    goal = len(posts) if stop_after is None else stop_after

    def acked():
        return sum(1 for client_id, _ in posts if client_id in client.acks)

    while (done := acked()) < goal:
        if sent < len(posts) and sent - done < window:
            client_id, body = posts[sent]
            await client.post(thread, body, client_id)
            sent += 1
            if pace:
                await asyncio.sleep(pace)
        else:
            await client.until(lambda done=done: acked() > done, f"ack #{done + 1}")
    return sent


def as_shown(frames, language="it"):
    """Event frames as a page in `language` shows them (`fragmentHtml` in live.js)."""
    return [
        {**frame, "data": {**frame["data"], "html": frame["data"]["html"][language]}}
        if isinstance(frame.get("data", {}).get("html"), dict)
        else frame
        for frame in frames
    ]


class FormSession:
    """A browser without JavaScript over plain HTTP: the session cookie, the CSRF
    cookie Django sets on the first page, and forms read from pages and posted back
    (the hidden fields, CSRF token and client_id included) without following the
    redirect that answers them."""

    def __init__(self, base_url, session_key, *, timeout=60):
        self.base_url = base_url
        self.timeout = timeout
        self.cookies = http.cookiejar.CookieJar()
        self.cookies.set_cookie(_cookie("sessionid", session_key, base_url))
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), _NoRedirect()
        )

    def request(self, path, data=None):
        """(status, headers, text) of a GET, or of a POST of the dict `data`."""
        body = None if data is None else urllib.parse.urlencode(data).encode()
        request = urllib.request.Request(self.base_url + path, data=body)
        try:
            with self.opener.open(request, timeout=self.timeout) as response:
                return response.status, response.headers, response.read().decode()
        except urllib.error.HTTPError as error:
            with error:
                return error.code, error.headers, error.read().decode()

    def form(self, path, action):
        """The fields {name: value} of the form posting to `action` on page `path`."""
        status, _headers, text = self.request(path)
        assert status == 200, f"GET {path}: {status}"
        parser = _Forms()
        parser.feed(text)
        assert action in parser.forms, f"no form to {action}: {list(parser.forms)}"
        return parser.forms[action]


def _cookie(name, value, base_url):
    host = urllib.parse.urlsplit(base_url).hostname
    return http.cookiejar.Cookie(
        version=0,
        name=name,
        value=value,
        port=None,
        port_specified=False,
        domain=host,
        domain_specified=False,
        domain_initial_dot=False,
        path="/",
        path_specified=True,
        secure=False,
        expires=None,
        discard=False,
        comment=None,
        comment_url=None,
        rest={},
    )


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # the 302 itself is the answer a test reads


class _Forms(html.parser.HTMLParser):
    """{action: {name: value}} of a page's forms (inputs, textareas, selections)."""

    def __init__(self):
        super().__init__()
        self.forms = {}
        self.fields = None
        self.textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.fields = self.forms.setdefault(attrs.get("action") or "", {})
        elif self.fields is None or "name" not in attrs:
            return
        elif tag == "input" and attrs.get("type") not in {"checkbox", "radio", "file"}:
            self.fields[attrs["name"]] = attrs.get("value") or ""
        elif tag == "textarea":
            self.textarea = attrs["name"]
            self.fields[self.textarea] = ""

    def handle_data(self, data):
        if self.textarea is not None:
            self.fields[self.textarea] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            self.textarea = None
        elif tag == "form":
            self.fields = None
class StalledClient:
    """A /ws/ client on a plain socket that reads only when told to, like a tab whose
    computer went to sleep: while it does not read, the server's writes fill its small
    TCP receive buffer (`receive_buffer` bytes, SO_RCVBUF) and then wait in the
    server. The handshake and frames are done by hand (RFC 6455), so nothing reads in
    the background.
    """

    def __init__(self, sock):
        self.sock = sock
        self.pending = b""  # bytes read but not yet a whole frame
        self.frames = []
        self.close_code = None  # from the server's close frame, if one arrived
        self.ended = None  # "close", "eof" or "reset" once the connection ended

    @classmethod
    async def open(cls, base_url, session_key, *, receive_buffer=4096, timeout=10):
        host, port = base_url.removeprefix("http://").split(":")
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
        sock.setblocking(False)
        loop = asyncio.get_running_loop()
        await asyncio.wait_for(loop.sock_connect(sock, (host, int(port))), timeout)
        key = base64.b64encode(os.urandom(16)).decode()
        request = (
            f"GET /ws/ HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
            f"Sec-WebSocket-Version: 13\r\nOrigin: {base_url}\r\n"
            f"Cookie: sessionid={session_key}\r\n\r\n"
        )
        await loop.sock_sendall(sock, request.encode())
        client = cls(sock)
        while b"\r\n\r\n" not in client.pending:
            chunk = await asyncio.wait_for(loop.sock_recv(sock, 4096), timeout)
            if not chunk:
                raise ConnectionError("the server closed during the handshake")
            client.pending += chunk
        head, _, client.pending = client.pending.partition(b"\r\n\r\n")
        if not head.startswith(b"HTTP/1.1 101"):
            raise ConnectionError(head.decode(errors="replace"))
        return client

    async def send(self, **frame):
        """One masked text frame, as every client must send."""
        payload = json.dumps(frame).encode()
        header = bytes([0x81])
        if len(payload) < 126:
            header += bytes([0x80 | len(payload)])
        elif len(payload) < 1 << 16:
            header += bytes([0x80 | 126]) + struct.pack("!H", len(payload))
        else:
            header += bytes([0x80 | 127]) + struct.pack("!Q", len(payload))
        mask = os.urandom(4)
        masked = bytes(byte ^ mask[i % 4] for i, byte in enumerate(payload))
        await asyncio.get_running_loop().sock_sendall(self.sock, header + mask + masked)

    def _parse(self):
        """File the whole frames in `pending` (the server's frames are not masked)."""
        while len(self.pending) >= 2:
            opcode, length = self.pending[0] & 0x0F, self.pending[1] & 0x7F
            start = 2
            if length == 126:
                if len(self.pending) < 4:
                    return
                length, start = struct.unpack("!H", self.pending[2:4])[0], 4
            elif length == 127:
                if len(self.pending) < 10:
                    return
                length, start = struct.unpack("!Q", self.pending[2:10])[0], 10
            if len(self.pending) < start + length:
                return
            payload = self.pending[start : start + length]
            self.pending = self.pending[start + length :]
            if opcode == 0x1:
                self.frames.append(json.loads(payload))
            elif opcode == 0x8:
                self.close_code = struct.unpack("!H", payload[:2])[0] if payload else None
                self.ended = "close"

    async def read(self, until, *, timeout=15):
        """Read until `until(self)` holds or the connection ends; fail after `timeout`."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        self._parse()
        while not until(self) and self.ended is None:
            left = deadline - loop.time()
            if left <= 0:
                raise AssertionError(f"reading the stalled socket: timed out after {timeout}s")
            try:
                chunk = await asyncio.wait_for(loop.sock_recv(self.sock, 1 << 16), left)
            except ConnectionResetError:
                self.ended = "reset"
                break
            if not chunk:
                self.ended = "eof"
                break
            self.pending += chunk
            self._parse()

    def events(self, stream):
        return [f for f in self.frames if f.get("op") == "event" and f["stream"] == stream]

    def close(self):
        self.sock.close()
