"""Real services for the scale-out tests: daphne, a private redis-server, a PostgreSQL database.

Everything listens on 127.0.0.1 only, starts on a free port, and is stopped (or dropped)
by the context manager that started it. When a service is not installed, the tests skip
with the reason, except under CI (`CI` set), where `make test` must have provided it.
"""

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from tests.browser.server import BASE_DIR, DAPHNE, clean_env, manage, manage_parallel

# The role and cluster `make scaleout-deps` sets up; override with the environment.
DEFAULT_DATABASE_URL = "postgres://crocevia:crocevia@127.0.0.1:5432/postgres"

SETUP = """
import json
from allauth.account.models import EmailAddress
from django.conf import settings
from django.test import Client
from community import services
from community.models import User

anna = User.objects.create_user("anna", "anna@example.org")
bruno = User.objects.create_user("bruno", "bruno@example.org")
for person in (anna, bruno):
    EmailAddress.objects.create(user=person, email=person.email, verified=True, primary=True)
community = services.community_create(
    actor=anna, name="Energia", description="", visibility="public", themes=[]
)
services.community_join(actor=bruno, community=community)  # locks rows on PostgreSQL
thread = services.thread_create(
    actor=anna, community=community, title="Accumulo termico", body="Chi lo usa?"
)
from django.utils import timezone
from community.models import Thread
room = Thread.objects.create(
    community=community, title="Sala", kind="room", author=anna,
    last_activity_at=timezone.now(),
)
sessions = {}
for person in (anna, bruno):
    client = Client()
    client.force_login(person)  # a real login: session row, signals, auth hash
    sessions[person.username] = client.cookies[settings.SESSION_COOKIE_NAME].value
print("SETUP " + json.dumps({"thread": thread.pk, "room": room.pk, "sessions": sessions}))
"""

POSTS = """
import json
from community.models import Post
rows = Post.objects.filter(thread_id=%d).order_by("pk").values_list("pk", "client_id")
print("POSTS " + json.dumps([[pk, client_id and str(client_id)] for pk, client_id in rows]))
"""


def in_ci():
    return os.environ.get("CI", "").strip().lower() not in {"", "0", "false", "no"}


def unavailable(reason):
    """Skip the test, or fail it under CI, where `make test` provides every service."""
    if in_ci():
        pytest.fail(f"{reason} (CI is set: `make test` must provide it)", pytrace=False)
    pytest.skip(f"{reason}: `make test` installs and starts it")


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def site_env(root, **overrides):
    """Production-like settings for a daphne under test, with generous post limits."""
    return clean_env(
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        DATA_DIR=root / "data",
        STATIC_ROOT=root / "static",
        MEDIA_ROOT=root / "media",
        EMAIL_URL="locmem://",
        SECURE_SSL_REDIRECT="0",
        SECURE_COOKIES="0",
        SECURE_HSTS_SECONDS="0",
        RATE_LIMIT_POSTS="100000",
        **overrides,
    )


def prepare_site(env):
    """Migrate, collect static files, create a public community with a thread by Anna,
    and a session each for Anna (who posts) and Bruno (who reads, not a member).

    Returns {"thread": id, "sessions": {"anna": key, "bruno": key}}.
    """
    for returncode, output in manage_parallel(
        ["migrate", "--noinput"], ["collectstatic", "--noinput"], env=env, timeout=300
    ):
        assert returncode == 0, output
    setup = manage("shell", "-c", SETUP, env=env)
    assert setup.returncode == 0, setup.stderr
    return json.loads(re.search(r"^SETUP (.+)$", setup.stdout, re.M).group(1))


def stored_posts(env, thread):
    """[(post id, client_id or None)] of `thread`, read by a separate process."""
    result = manage("shell", "-c", POSTS % thread, env=env)
    assert result.returncode == 0, result.stderr
    rows = json.loads(re.search(r"^POSTS (.+)$", result.stdout, re.M).group(1))
    return [tuple(row) for row in rows]


class Daphne:
    """daphne serving config.asgi on a free 127.0.0.1 port, which a test may kill -9.

    Same command line as `make serve` and tests/browser/server.py's daphne().
    """

    def __init__(self, env, log_path):
        self.env = env
        self.log_path = Path(log_path)
        self.process = None
        self.url = None

    def start(self, timeout=30):
        frame_limit = self.env.get("LIVE_MAX_FRAME_BYTES", "1048576")
        command = [
            str(DAPHNE),
            "-e",
            "tcp:port=0:interface=127.0.0.1",
            "--websocket-max-frame-size",
            frame_limit,
            "--websocket-max-message-size",
            frame_limit,
            "config.asgi:application",
        ]
        with open(self.log_path, "w") as log:
            self.process = subprocess.Popen(
                command, cwd=BASE_DIR, env=self.env, stdout=log, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + timeout
        while True:
            text = self.log_path.read_text()
            match = re.search(r"Listening on TCP address 127\.0\.0\.1:(\d+)", text)
            if match:
                self.url = f"http://127.0.0.1:{match.group(1)}"
                return self
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"daphne did not start:\n{text}")
            time.sleep(0.1)

    def kill(self):
        """SIGKILL: no shutdown handler runs, open transactions die with the process."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self):
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()


@contextmanager
def redis_server(directory, *, timeout=15):
    """A private redis-server on a free loopback port, no persistence; yields its URL."""
    binary = shutil.which("redis-server") or next(
        (p for p in ("/usr/bin/redis-server", "/usr/sbin/redis-server") if Path(p).exists()),
        None,
    )
    if binary is None:
        unavailable("redis-server is not installed")
    import redis

    for attempt in range(5):
        port = free_port()
        log_path = Path(directory) / f"redis-{port}.log"
        with open(log_path, "w") as log:
            process = subprocess.Popen(
                [binary, "--bind", "127.0.0.1", "--port", str(port), "--save", "",
                 "--appendonly", "no", "--dir", str(directory)],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        client = redis.Redis(host="127.0.0.1", port=port, socket_timeout=1)
        deadline = time.monotonic() + timeout
        try:
            while process.poll() is None and time.monotonic() < deadline:
                try:
                    if client.ping():
                        break
                except redis.exceptions.RedisError:
                    time.sleep(0.05)
            else:
                # Lost the race for the port (or redis refused to start): try another.
                if attempt == 4:
                    raise RuntimeError(f"redis-server did not start:\n{log_path.read_text()}")
                continue
            yield f"redis://127.0.0.1:{port}/0"
            return
        finally:
            client.close()
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()


def admin_database_url():
    """The URL of a role that may create databases (CROCEVIA_TEST_DATABASE_URL)."""
    return os.environ.get("CROCEVIA_TEST_DATABASE_URL") or DEFAULT_DATABASE_URL


@contextmanager
def postgres_database():
    """A fresh PostgreSQL database with a random name, dropped afterwards; yields its URL."""
    import psycopg
    from psycopg import sql

    admin_url = admin_database_url()
    name = f"crocevia_test_{secrets.token_hex(6)}"
    try:
        with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as connection:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    except psycopg.OperationalError as error:
        unavailable(f"PostgreSQL is not reachable at {_redact(admin_url)} ({error})")
    try:
        yield urlunsplit(urlsplit(admin_url)._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as connection:
            connection.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


def _redact(url):
    parts = urlsplit(url)
    if parts.password:
        parts = parts._replace(netloc=parts.netloc.replace(f":{parts.password}@", ":***@"))
    return urlunsplit(parts)
