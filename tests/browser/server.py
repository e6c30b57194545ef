"""Run Crocevia for real in a subprocess: manage.py commands and a daphne server."""

import os
import re
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
DAPHNE = Path(sys.executable).with_name("daphne")

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
}


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


@contextmanager
def daphne(env, log_path, *, timeout=30):
    """Serve config.asgi with daphne on a free 127.0.0.1 port; yields the base URL.

    Same command line as `make serve`, but on port 0: the kernel picks a free port and
    daphne logs the one it got, so parallel test workers never collide.
    """
    frame_limit = env.get("LIVE_MAX_FRAME_BYTES", "1048576")
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
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            command, cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT
        )
        try:
            deadline = time.monotonic() + timeout
            while True:
                text = Path(log_path).read_text()
                match = re.search(r"Listening on TCP address 127\.0\.0\.1:(\d+)", text)
                if match:
                    break
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"daphne did not start:\n{text}")
                time.sleep(0.1)
            yield f"http://127.0.0.1:{match.group(1)}"
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@contextmanager
def prepared_site(root, setup_script, **env_overrides):
    """A production-like site (DEBUG=0, collected static files, its own SQLite
    database) with `setup_script` run in `manage.py shell`, served by daphne.

    Yields (base URL, the script's stdout, the server log path).
    """
    import secrets

    env = clean_env(
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        DATA_DIR=root / "data",
        STATIC_ROOT=root / "static",
        EMAIL_URL="locmem://",
        # Plain http on loopback: no TLS proxy in front of this server.
        SECURE_SSL_REDIRECT="0",
        SECURE_COOKIES="0",
        SECURE_HSTS_SECONDS="0",
        **env_overrides,
    )
    for returncode, output in manage_parallel(
        ["migrate", "--noinput"], ["collectstatic", "--noinput"], env=env
    ):
        assert returncode == 0, output
    setup = manage("shell", "-c", setup_script, env=env)
    assert setup.returncode == 0, setup.stderr
    log = root / "daphne.log"
    with daphne(env, log) as url:
        yield url, setup.stdout, log
