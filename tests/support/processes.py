"""Run Crocevia for real in other processes: manage.py, daphne, nginx, Redis, PostgreSQL.

The one harness of the browser, deploy and scale-out tests and of the live benchmarks.
Every process gets its settings from a clean environment (the developer's shell cannot
leak in) and its own data directory, listens on 127.0.0.1 only, on a port the kernel
picks, and is stopped by whoever started it. A service this machine lacks raises
`Unavailable`; tests turn that into a skip (a failure under CI) with `required()`.
"""

import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from deploy import nginx

BASE_DIR = Path(__file__).resolve().parents[2]
DAPHNE = Path(sys.executable).with_name("daphne")

# The database file of a site on SQLite, in its DATA_DIR (config/settings.py).
SQLITE_NAME = "crocevia.sqlite3"

# The role and cluster `make scaleout-deps` sets up; CROCEVIA_TEST_DATABASE_URL overrides.
DEFAULT_DATABASE_URL = "postgres://crocevia:crocevia@127.0.0.1:5432/postgres"

# Every variable config/settings.py reads, so the developer's shell cannot leak in.
_SETTINGS_PREFIXES = ("RATE_LIMIT_", "SECURE_", "LIVE_")
_SETTINGS_NAMES = {
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "DATABASE_URL",
    "REDIS_URL",
    "DATA_DIR",
    "MEDIA_ROOT",
    "STATIC_ROOT",
    "EMAIL_URL",
    "DEFAULT_FROM_EMAIL",
    "UPLOAD_MAX_BYTES",
    "AVATAR_MAX_BYTES",
    "THREAD_TITLE_MAX_LENGTH",
    "POST_BODY_MAX_LENGTH",
    "LIVE_MAX_FRAME_BYTES",
    "EVENT_RETENTION_DAYS",
    "TASKS_BACKEND",
    "LOG_LEVEL",
    "REDIS_TIMEOUT_SECONDS",
}

# What daphne logs once it accepts connections; the port is the one the kernel gave.
LISTENING = re.compile(r"Listening on TCP address 127\.0\.0\.1:(\d+)")


class Unavailable(RuntimeError):
    """A service is not installed or not reachable on this machine."""


# --- environments and manage.py ----------------------------------------------------------


def clean_env(**overrides):
    """The current environment without Crocevia settings, plus `overrides`."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in _SETTINGS_NAMES and not key.startswith(_SETTINGS_PREFIXES)
    }
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    env["PYTHONUNBUFFERED"] = "1"
    env.update({key: str(value) for key, value in overrides.items()})
    return env


def site_env(root, **overrides):
    """Production settings (DEBUG=0, a random secret key) on data under `root`.

    Emails stay in memory unless `EMAIL_URL` is given. Plain http on loopback: there is
    no TLS proxy in front of these servers, so no HTTPS redirect, secure cookies or HSTS.
    """
    return clean_env(
        **{
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "DATA_DIR": Path(root) / "data",
            "STATIC_ROOT": Path(root) / "static",
            "EMAIL_URL": "locmem://",
            "SECURE_SSL_REDIRECT": "0",
            "SECURE_COOKIES": "0",
            "SECURE_HSTS_SECONDS": "0",
            **overrides,
        }
    )


def manage(*args, env, timeout=120):
    """Run `manage.py <args>` with `env`; returns the CompletedProcess, never raises."""
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def manage_parallel(*commands, env, timeout=120):
    """Run independent manage.py commands at once; returns [(returncode, output)]."""
    processes = [
        subprocess.Popen(
            [sys.executable, "manage.py", *args],
            cwd=BASE_DIR,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for args in commands
    ]
    outputs = [process.communicate(timeout=timeout)[0] for process in processes]
    return [
        (process.returncode, output)
        for process, output in zip(processes, outputs, strict=True)
    ]


def build_site(env, script=None, *, timeout=300, migrated=None):
    """Migrate and collect static files at once, then run `script` (Python, in
    `manage.py shell`) to create the site's people and content.

    `migrated`: the environment of a site built before (without a script) whose
    database is copied instead of migrating again; `env` then names its
    STATIC_ROOT. Returns what the script printed; raises RuntimeError with the output
    of a step that failed.
    """
    if migrated is not None:
        database_copy(migrated, env)
    else:
        for returncode, output in manage_parallel(
            ["migrate", "--noinput"],
            ["collectstatic", "--noinput"],
            env=env,
            timeout=timeout,
        ):
            if returncode != 0:
                raise RuntimeError(output)
    if script is None:
        return ""
    done = manage("shell", "-c", script, env=env, timeout=timeout)
    if done.returncode != 0:
        raise RuntimeError(done.stderr)
    return done.stdout


def database_copy(source_env, env):
    """Copy the SQLite database of the site `source_env` describes into the data
    directory of `env` (SQLite's backup API: consistent whatever its WAL holds)."""
    import sqlite3

    target = Path(env["DATA_DIR"]) / SQLITE_NAME
    target.parent.mkdir(parents=True, exist_ok=True)
    with (
        sqlite3.connect(Path(source_env["DATA_DIR"]) / SQLITE_NAME) as source,
        sqlite3.connect(target) as copy,
    ):
        source.backup(copy)
    source.close()
    copy.close()


# --- processes ---------------------------------------------------------------------------


def free_port():
    """A loopback port nobody listens on now (another process may take it first)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_listening(process, log_path, *, timeout, what="daphne"):
    """The base URL daphne logs once it listens; RuntimeError (with the log) when
    `process` exits first or `timeout` seconds pass."""
    deadline = time.monotonic() + timeout
    while True:
        text = Path(log_path).read_text()
        if match := LISTENING.search(text):
            return f"http://127.0.0.1:{match.group(1)}"
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not start:\n{text}")
        time.sleep(0.1)


def stop(process, *, timeout=10):
    """SIGTERM, then SIGKILL if `process` has not exited within `timeout` seconds."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


class _Server:
    """A server process the harness started: stopped on leaving a `with` block."""

    process = None

    def stop(self):
        if self.process is not None:
            stop(self.process)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()


class Daphne(_Server):
    """daphne serving an ASGI app (Crocevia by default) on a free 127.0.0.1 port.

    Same command line as `make serve`, but on port 0: the kernel picks a free port and
    daphne logs the one it got, so parallel test workers never collide. Use it as a
    context manager, or start() and stop() it; kill() is the SIGKILL of a crash test,
    and start() after it listens on the same port again. `backlog` raises the listen
    queue for benchmarks that open a thousand sockets; `proxy_headers` makes it take
    the client's address and scheme from X-Forwarded-For and -Proto, as behind nginx
    (deploy/Procfile); `arguments` are more of daphne's options (["--ping-interval",
    "600"]).
    """

    def __init__(
        self,
        env,
        log_path,
        *,
        application="config.asgi:application",
        cwd=BASE_DIR,
        backlog=None,
        proxy_headers=False,
        arguments=(),
        timeout=30,
    ):
        self.env = env
        self.log_path = Path(log_path)
        self.application = application
        self.cwd = cwd
        self.backlog = backlog
        self.proxy_headers = proxy_headers
        self.arguments = list(arguments)
        self.timeout = timeout
        self.process = None
        self.port = 0
        self.url = None

    @property
    def pid(self):
        return self.process.pid

    @property
    def address(self):
        """host:port, as an upstream of nginx."""
        return self.url.removeprefix("http://")

    def start(self):
        endpoint = f"tcp:port={self.port}:interface=127.0.0.1"
        if self.backlog:
            endpoint += f":backlog={self.backlog}"
        frame_limit = self.env.get("LIVE_MAX_FRAME_BYTES", "1048576")
        command = [
            str(DAPHNE),
            "-e",
            endpoint,
            "--websocket-max-frame-size",
            frame_limit,
            "--websocket-max-message-size",
            frame_limit,
            *(["--proxy-headers"] if self.proxy_headers else []),
            *self.arguments,
            self.application,
        ]
        with open(self.log_path, "w") as log:
            self.process = subprocess.Popen(
                command,
                cwd=self.cwd,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        try:
            self.url = wait_until_listening(
                self.process, self.log_path, timeout=self.timeout
            )
        except BaseException:
            self.stop()
            raise
        self.port = int(self.url.rpartition(":")[2])
        return self

    def kill(self):
        """SIGKILL: no shutdown handler runs, open transactions die with the process."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)


class Nginx(_Server):
    """A private nginx in front of `upstreams` ["host:port", ...] on a free 127.0.0.1
    port, its config rendered from deploy/'s template (the one `make prod-up` uses),
    serving `static_root` itself; config, pid, logs and temporary files in `directory`.

    Raises Unavailable when nginx is not installed. A context manager, like Daphne.
    """

    def __init__(self, directory, upstreams, *, static_root, timeout=15):
        self.directory = Path(directory)
        self.upstreams = list(upstreams)
        self.static_root = static_root
        self.timeout = timeout
        self.process = None
        self.url = None

    @property
    def access_log(self):
        """One line per request, with the daphne that served it (upstream=host:port)."""
        return self.directory / "nginx-access.log"

    def start(self):
        if nginx.binary() is None:
            raise Unavailable("nginx is not installed")
        self.directory.mkdir(parents=True, exist_ok=True)
        for attempt in range(5):
            port = free_port()
            config = nginx.write_standalone(
                self.directory,
                listen=f"127.0.0.1:{port}",
                upstreams=self.upstreams,
                static_root=self.static_root,
            )
            log_path = self.directory / "nginx-output.log"
            with open(log_path, "w") as log:
                self.process = subprocess.Popen(
                    nginx.command(config), stdout=log, stderr=subprocess.STDOUT
                )
            deadline = time.monotonic() + self.timeout
            while self.process.poll() is None and time.monotonic() < deadline:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    self.url = f"http://127.0.0.1:{port}"
                    return self
                except OSError:
                    time.sleep(0.05)
            stop(self.process)
            errors = "".join(
                path.read_text()
                for path in (log_path, self.directory / "nginx-error.log")
                if path.exists()
            )
            # Lost the race for the port: try another.
            if "Address already in use" not in errors or attempt == 4:
                raise RuntimeError(f"nginx did not start:\n{errors}")
        return self


# --- services ----------------------------------------------------------------------------


def _redis_binary():
    return shutil.which("redis-server") or next(
        (
            path
            for path in ("/usr/bin/redis-server", "/usr/sbin/redis-server")
            if Path(path).exists()
        ),
        None,
    )


class RedisServer(_Server):
    """A private redis-server on a free loopback port, no persistence: `url` once
    started. stop() and start() again listen on the same port (an outage and its end,
    as the site's processes see them: the same REDIS_URL, an empty Redis).

    Raises Unavailable when redis-server is not installed. A context manager.
    """

    def __init__(self, directory, *, timeout=15):
        self.directory = Path(directory)
        self.timeout = timeout
        self.process = None
        self.port = None
        self.url = None

    def start(self):
        binary = _redis_binary()
        if binary is None:
            raise Unavailable("redis-server is not installed")
        # A first start takes a free port (another try if it loses the race for it);
        # a restart takes its port back, waiting for the old socket to be released.
        restart = self.port is not None
        for _attempt in range(5):
            port = self.port if restart else free_port()
            if self._run(binary, port):
                self.port = port
                self.url = f"redis://127.0.0.1:{port}/0"
                return self
            if restart:
                time.sleep(0.5)
        raise RuntimeError(f"redis-server did not start:\n{self._log(port).read_text()}")

    def _log(self, port):
        return self.directory / f"redis-{port}.log"

    def _run(self, binary, port):
        """Start redis-server on `port`; whether it answers within the timeout."""
        import redis

        with open(self._log(port), "a") as log:
            self.process = subprocess.Popen(
                [
                    binary,
                    "--bind",
                    "127.0.0.1",
                    "--port",
                    str(port),
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                    "--dir",
                    str(self.directory),
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        client = redis.Redis(host="127.0.0.1", port=port, socket_timeout=1)
        deadline = time.monotonic() + self.timeout
        try:
            while self.process.poll() is None and time.monotonic() < deadline:
                try:
                    if client.ping():
                        return True
                except redis.exceptions.RedisError:
                    time.sleep(0.05)
        finally:
            client.close()
        stop(self.process)
        return False


@contextmanager
def redis_server(directory, *, timeout=15):
    """A private redis-server on a free loopback port, no persistence; yields its URL.

    Raises Unavailable when redis-server is not installed.
    """
    with RedisServer(directory, timeout=timeout) as server:
        yield server.url


def admin_database_url():
    """The URL of a role that may create databases (CROCEVIA_TEST_DATABASE_URL)."""
    return os.environ.get("CROCEVIA_TEST_DATABASE_URL") or DEFAULT_DATABASE_URL


@contextmanager
def postgres_database(admin_url=None):
    """A fresh PostgreSQL database with a random name, dropped afterwards; yields its URL.

    `admin_url`: a role that may create databases on the server to use (a
    `PostgresServer`'s); admin_database_url() by default. Raises Unavailable when
    that server is not reachable.
    """
    import psycopg
    from psycopg import sql

    admin_url = admin_url or admin_database_url()
    name = f"crocevia_test_{secrets.token_hex(6)}"
    try:
        with psycopg.connect(
            admin_url, autocommit=True, connect_timeout=5
        ) as connection:
            connection.execute(
                sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
            )
    except psycopg.OperationalError as error:
        raise Unavailable(
            f"PostgreSQL is not reachable at {_redact(admin_url)} ({error})"
        ) from error
    try:
        yield urlunsplit(urlsplit(admin_url)._replace(path=f"/{name}"))
    finally:
        drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
            sql.Identifier(name)
        )
        deadline = time.monotonic() + 30
        with psycopg.connect(
            admin_url, autocommit=True, connect_timeout=5
        ) as connection:
            while True:
                try:
                    connection.execute(drop)
                    break
                except psycopg.errors.InsufficientPrivilege:
                    # An autovacuum worker is in the database: FORCE may not end it
                    # without superuser rights, and it soon finishes on its own.
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.5)


def _postgres_binaries():
    """The directory of the newest installed PostgreSQL's initdb, pg_ctl and postgres."""
    found = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"),
        key=lambda path: int(path.parts[-3]) if path.parts[-3].isdigit() else 0,
    )
    if found:
        return found[-1].parent
    pg_ctl = shutil.which("pg_ctl")
    if pg_ctl is None:
        raise Unavailable("PostgreSQL's server binaries (pg_ctl) are not installed")
    return Path(pg_ctl).parent


class PostgresServer(_Server):
    """A private PostgreSQL cluster on a free 127.0.0.1 port, for tests that stop it.

    The system cluster serves every other test and is never restarted; this one is
    the test's own: initdb into a fresh temporary directory (trust authentication,
    loopback only, its own socket directory), started with `pg_ctl`. `restart()`
    stops it with `mode` (pg_ctl's "fast": every session is ended and open
    transactions roll back, as a service restart does; "immediate": a crash, then
    recovery), keeps it down for `down` seconds (connections are refused) and starts
    it again on the same port. PostgreSQL refuses to run as root: as root the cluster
    belongs to, and runs as, the `postgres` system user. `admin_url` is a superuser
    that may create databases (`postgres_database(server.admin_url)`). Raises
    Unavailable when the binaries are not installed. A context manager, like Daphne;
    leaving it stops the server and removes its directory.
    """

    def __init__(self, *, timeout=60):
        self.timeout = timeout
        self.directory = None
        self.port = 0
        self.log_path = None

    @property
    def admin_url(self):
        return f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    @property
    def data(self):
        return self.directory / "data"

    def _run(self, name, *args, timeout=None):
        """Run the PostgreSQL program `name` as the cluster's owner; RuntimeError with
        its output (and the server's log) when it fails."""
        command = [str(self.binaries / name), *args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        done = subprocess.run(
            command,
            cwd=self.directory,
            capture_output=True,
            text=True,
            timeout=timeout or self.timeout,
        )
        if done.returncode != 0:
            log = self.log_path.read_text() if self.log_path.exists() else ""
            raise RuntimeError(
                f"{name} {' '.join(args)} failed:\n{done.stdout}{done.stderr}\n{log}"
            )
        return done

    def _init(self):
        import pwd
        import tempfile

        self.binaries = _postgres_binaries()
        if os.geteuid() == 0:
            try:
                owner = pwd.getpwnam("postgres")
            except KeyError as error:
                raise Unavailable("there is no postgres user to run PostgreSQL as") from error
        # Under the system's temporary directory: pytest's are private to root.
        self.directory = Path(tempfile.mkdtemp(prefix="crocevia-pg-"))
        if os.geteuid() == 0:
            os.chown(self.directory, owner.pw_uid, owner.pw_gid)
        self.log_path = self.directory / "postgres.log"
        self._run(
            "initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust",
            "-E", "UTF8", "--locale=C.UTF-8", "--no-sync",
        )

    def _pg_ctl_start(self):
        options = (
            f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.directory} "
            # The data is thrown away: no fsync (commits stay synchronous, so what
            # was committed survives a restart, even an immediate one).
            "-c fsync=off -c full_page_writes=off"
        )
        self._run(
            "pg_ctl", "start", "-w", "-t", str(self.timeout), "-D", str(self.data),
            "-l", str(self.log_path), "-o", options,
            timeout=self.timeout + 10,
        )

    def start(self):
        if self.port:
            self._pg_ctl_start()  # a restart: the same port, which clients know
            return self
        try:
            self._init()
            for attempt in range(5):
                self.port = free_port()
                try:
                    self._pg_ctl_start()
                    return self
                except RuntimeError as error:
                    # Lost the race for the port: try another.
                    if "already in use" not in str(error) or attempt == 4:
                        raise
        except BaseException:
            self.close()
            raise
        return self

    def stop(self, mode="fast"):
        """Stop the server (pg_ctl stop -m `mode`); it can be started again."""
        if self.directory is not None and (self.data / "postmaster.pid").exists():
            self._run("pg_ctl", "stop", "-w", "-m", mode, "-D", str(self.data))

    def restart(self, *, down=3.0, mode="fast"):
        """Stop the server, leave it down for `down` seconds, start it again."""
        self.stop(mode)
        time.sleep(down)
        self.start()

    def close(self):
        """Stop the server and remove its directory."""
        try:
            self.stop("immediate")
        finally:
            if self.directory is not None:
                shutil.rmtree(self.directory, ignore_errors=True)
                self.directory = None

    def __exit__(self, *exc_info):
        self.close()


def _redact(url):
    parts = urlsplit(url)
    if parts.password:
        parts = parts._replace(
            netloc=parts.netloc.replace(f":{parts.password}@", ":***@")
        )
    return urlunsplit(parts)


# --- in tests ----------------------------------------------------------------------------


def in_ci():
    return os.environ.get("CI", "").strip().lower() not in {"", "0", "false", "no"}


def unavailable(reason):
    """Skip the test, or fail it under CI, where `make test` provides every service."""
    import pytest

    if in_ci():
        pytest.fail(f"{reason} (CI is set: `make test` must provide it)", pytrace=False)
    pytest.skip(f"{reason} (`make test` provides it)")


@contextmanager
def required():
    """Turn Unavailable raised inside the block into unavailable(): skip, or fail in CI."""
    try:
        yield
    except Unavailable as error:
        unavailable(str(error))
