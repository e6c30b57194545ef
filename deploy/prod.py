"""`make prod-up` / `make prod-down`: the production shape on this machine.

nginx on PROD_HOST:PROD_PORT in front of PROD_PROCESSES daphne processes, a
`db_worker`, the prune loop, a private redis-server and a database of the system's
PostgreSQL cluster, with DEBUG=0 and the plain-http flags of `make run`. The processes
are the Procfile's; everything this machine keeps (the environment with its secrets,
logs, pids, static files, nginx's config) lives in PROD_DIR (var/prod). `up` starts
what is not running and leaves the rest alone; `down` stops what `up` started, each
process by the pid it recorded (checked against the process's start time, so a reused
pid is never signalled). Standard library only: `down` needs no virtualenv.

    python -m deploy.prod up | down | status | nginx-check | prune-loop
"""

import argparse
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from deploy import nginx

BASE_DIR = Path(__file__).resolve().parent.parent
PROCFILE = Path(__file__).resolve().parent / "Procfile"
# PostgreSQL identifiers this script creates: letters, digits and underscores only.
_IDENTIFIER = set("abcdefghijklmnopqrstuvwxyz0123456789_")


class Config:
    """What `make` passes (PROD_* variables), with the defaults of the Makefile."""

    def __init__(self, environ=os.environ):
        self.processes = int(environ.get("PROD_PROCESSES", 2))
        self.host = environ.get("PROD_HOST", "127.0.0.1")
        self.port = int(environ.get("PROD_PORT", 8080))
        self.daphne_port = int(environ.get("PROD_DAPHNE_PORT", 8101))
        self.redis_port = int(environ.get("PROD_REDIS_PORT", 6381))
        self.pg_port = int(environ.get("PROD_PG_PORT") or 5432)
        self.db_name = environ.get("PROD_DB_NAME", "crocevia")
        self.db_role = environ.get("PROD_DB_ROLE", "crocevia_site")
        self.dir = (BASE_DIR / environ.get("PROD_DIR", "var/prod")).resolve()
        self.venv_bin = Path(sys.executable).parent
        if self.processes < 1:
            raise SystemExit("PROD_PROCESSES must be at least 1")
        for name in (self.db_name, self.db_role):
            if not name or not set(name) <= _IDENTIFIER:
                raise SystemExit(f"not a plain PostgreSQL name: {name!r}")

    @property
    def url(self):
        return f"http://{self.host}:{self.port}"

    @property
    def run_dir(self):
        return self.dir / "run"

    @property
    def log_dir(self):
        return self.dir / "log"

    @property
    def env_file(self):
        return self.dir / "env"

    def web_ports(self):
        return [self.daphne_port + n for n in range(self.processes)]


# --- the environment ---------------------------------------------------------------------


def read_env_file(path):
    """KEY=value lines of `path` (comments and blank lines skipped); {} when missing."""
    if not path.exists():
        return {}
    values = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            key, _, value = line.partition("=")
            values[key.strip()] = value.strip()
    return values


def write_env_file(config):
    """var/prod/env: the settings of every process, secrets made once and kept."""
    old = read_env_file(config.env_file)
    password = old.get("PROD_DB_PASSWORD") or secrets.token_hex(24)
    values = {
        "DEBUG": "0",
        "SECRET_KEY": old.get("SECRET_KEY") or secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": ",".join(
            dict.fromkeys([config.host, "127.0.0.1", "localhost"])
        ),
        # Plain http on this machine, like `make run`: no TLS in front of nginx here.
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_COOKIES": "0",
        "SECURE_HSTS_SECONDS": "0",
        "DATABASE_URL": (
            f"postgres://{config.db_role}:{password}@127.0.0.1:{config.pg_port}"
            f"/{config.db_name}"
        ),
        "REDIS_URL": f"redis://127.0.0.1:{config.redis_port}/0",
        "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        "DATA_DIR": str(config.dir / "data"),
        "MEDIA_ROOT": str(config.dir / "media"),
        "STATIC_ROOT": str(config.dir / "static"),
        "EMAIL_URL": "console://",
        "SITE_URL": config.url,
        "LIVE_MAX_FRAME_BYTES": "1048576",
        "PROD_DB_PASSWORD": password,
    }
    config.dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(config.env_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as file:
        file.write(
            "# Written by `make prod-up` (deploy/prod.py); secrets are made once and "
            "kept.\n# See deploy/crocevia.env.example.\n"
        )
        file.writelines(f"{key}={value}\n" for key, value in values.items())
    os.chmod(config.env_file, 0o600)
    return values


def process_env(config, values):
    """The processes' environment: this one without Crocevia's settings, plus values."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("PROD_") and key not in values
    }
    env.update(values)
    env.pop("PROD_DB_PASSWORD", None)
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    env["PYTHONUNBUFFERED"] = "1"
    env["PATH"] = f"{config.venv_bin}{os.pathsep}{env.get('PATH', '')}"
    return env


# --- PostgreSQL ----------------------------------------------------------------------------


def as_postgres():
    return (
        ["runuser", "-u", "postgres", "--"]
        if os.geteuid() == 0
        else ["sudo", "-u", "postgres"]
    )


def psql(config, sql):
    done = subprocess.run(
        [
            *as_postgres(),
            "psql",
            "-p",
            str(config.pg_port),
            "-X",
            "-q",
            "-tA",
            "-v",
            "ON_ERROR_STOP=1",
            "-f",
            "-",
        ],
        input=f"{sql};\n",  # not in the command line, which every user may read
        cwd="/",
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise SystemExit(f"psql failed: {done.stderr.strip()}")
    return done.stdout.strip()


def ensure_database(config, password):
    """The login role (its password from var/prod/env) and its database, once."""
    role, name = config.db_role, config.db_name
    if psql(config, f"SELECT 1 FROM pg_roles WHERE rolname = '{role}'") != "1":
        psql(config, f"CREATE ROLE {role} LOGIN")
    psql(config, f"ALTER ROLE {role} LOGIN PASSWORD '{password}'")
    if psql(config, f"SELECT 1 FROM pg_database WHERE datname = '{name}'") != "1":
        psql(config, f"CREATE DATABASE {name} OWNER {role}")
        print(f"Created the PostgreSQL database {name} (owner {role})")


# --- processes -----------------------------------------------------------------------------


def procfile():
    """{name: command} of deploy/Procfile."""
    commands = {}
    for line in PROCFILE.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, command = line.partition(":")
            commands[name.strip()] = command.strip()
    return commands


def _start_time(pid):
    """The kernel's start time of `pid` (field 22 of /proc/<pid>/stat), or None."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rpartition(")")[2].split()[19]


def _pid_file(config, name):
    return config.run_dir / f"{name}.pid"


def running(config, name):
    """The pid recorded for `name` if that very process still runs, else None."""
    try:
        pid, started = _pid_file(config, name).read_text().split()
    except (OSError, ValueError):
        return None
    if _start_time(int(pid)) != started:
        return None
    try:
        # A zombie (exited, not yet reaped) is not running.
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except OSError:
        return None
    return int(pid) if state != "Z" else None


def launch(config, name, argv, env):
    """Start `argv` in a session of its own, output to log/<name>.log; record its pid."""
    log_path = config.log_dir / f"{name}.log"
    with open(log_path, "a") as log:
        process = subprocess.Popen(
            argv,
            cwd=BASE_DIR,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: down stops its children too
        )
    _pid_file(config, name).write_text(f"{process.pid} {_start_time(process.pid)}\n")
    return process, log_path


def wait_for_port(port, process, log_path, what, *, timeout=60):
    deadline = time.monotonic() + timeout
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            tail = log_path.read_text()[-3000:] if log_path.exists() else ""
            raise SystemExit(f"{what} did not start on port {port}:\n{tail}")
        time.sleep(0.1)


def stop(config, name, *, timeout=15):
    """SIGTERM to the process group of `name`, SIGKILL after `timeout` seconds."""
    pid = running(config, name)
    if pid is not None:
        try:
            os.killpg(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        deadline = time.monotonic() + timeout
        while running(config, name) and time.monotonic() < deadline:
            time.sleep(0.1)
        if running(config, name):
            os.killpg(pid, signal.SIGKILL)
        print(f"Stopped {name} (pid {pid})")
    _pid_file(config, name).unlink(missing_ok=True)


def names(config):
    """Every process of the shape, in start order: redis, web-1..N, worker, prune, mail,
    nginx."""
    web = [f"web-{n}" for n in range(1, config.processes + 1)]
    return ["redis", *web, "worker", "prune", "mail", "nginx"]


def manage(env, *args):
    done = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env, text=True
    )
    if done.returncode != 0:
        raise SystemExit(f"manage.py {' '.join(args)} failed")


def redis_binary():
    for candidate in ("/usr/bin/redis-server", "/usr/sbin/redis-server"):
        if Path(candidate).exists():
            return candidate
    raise SystemExit("redis-server is not installed (make prod-up installs it)")


def write_nginx_config(config, values):
    return nginx.write_standalone(
        config.dir / "nginx",
        listen=f"{config.host}:{config.port}",
        upstreams=[f"127.0.0.1:{port}" for port in config.web_ports()],
        static_root=values["STATIC_ROOT"],
        server_name="_",
        upload_max_bytes=int(os.environ.get("UPLOAD_MAX_BYTES", 25 * 1024**2)),
    )


def nginx_check(config, values):
    """`nginx -t` on the generated config; exits non-zero with nginx's words if not ok."""
    if nginx.binary() is None:
        raise SystemExit("nginx is not installed (make prod-up installs it)")
    config_path = write_nginx_config(config, values)
    done = subprocess.run(
        nginx.command(config_path, "-t", foreground=False),
        capture_output=True,
        text=True,
    )
    print(done.stderr.strip() or done.stdout.strip())
    if done.returncode != 0:
        raise SystemExit(done.returncode)
    return config_path


def up(config):
    for directory in (config.run_dir, config.log_dir, config.dir / "data"):
        directory.mkdir(parents=True, exist_ok=True)
    values = write_env_file(config)
    env = process_env(config, values)
    ensure_database(config, values["PROD_DB_PASSWORD"])
    commands = procfile()

    if not running(config, "redis"):
        process, log = launch(
            config,
            "redis",
            [
                redis_binary(),
                "--bind",
                "127.0.0.1",
                "--port",
                str(config.redis_port),
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(config.dir / "data"),
            ],
            env,
        )
        wait_for_port(config.redis_port, process, log, "redis-server")

    manage(env, "migrate", "--noinput")
    manage(env, "collectstatic", "--noinput", "--verbosity", "0")
    manage(env, "seed_demo", "--first-start")  # prints the demo logins

    waiting = []
    for number, port in enumerate(config.web_ports(), start=1):
        name = f"web-{number}"
        if not running(config, name):
            argv = ["/bin/sh", "-c", "exec " + commands["web"]]
            process, log = launch(config, name, argv, {**env, "PORT": str(port)})
            waiting.append((port, process, log, f"daphne {name}"))
    for name in ("worker", "prune", "mail"):
        if not running(config, name):
            launch(config, name, ["/bin/sh", "-c", "exec " + commands[name]], env)
    for port, process, log, what in waiting:
        wait_for_port(port, process, log, what)

    config_path = nginx_check(config, values)
    if pid := running(config, "nginx"):
        # Re-read the config: PROD_PROCESSES (the upstreams) may have changed.
        os.kill(pid, signal.SIGHUP)
    else:
        process, log = launch(config, "nginx", nginx.command(config_path), env)
        wait_for_port(config.port, process, log, "nginx")
    print(
        f"Crocevia is up at {config.url}/ — nginx in front of {config.processes} daphne "
        f"processes (ports {', '.join(map(str, config.web_ports()))}), db_worker, "
        f"prune loop, mail loop, redis on {config.redis_port}, PostgreSQL database "
        f"{config.db_name}. Logs: {config.log_dir}. Stop with `make prod-down`."
    )


def down(config):
    listed = names(config)
    # Also whatever an earlier `up` started with more daphne processes.
    extra = (
        sorted(
            path.stem
            for path in config.run_dir.glob("*.pid")
            if path.stem not in listed
        )
        if config.run_dir.exists()
        else []
    )
    for name in [*reversed(listed), *extra]:
        stop(config, name)
    print("Crocevia is down (PostgreSQL, the system's cluster, keeps running).")


def status(config):
    for name in names(config):
        pid = running(config, name)
        print(f"{name:10} {'running, pid ' + str(pid) if pid else 'stopped'}")


def prune_loop():
    """The Procfile's `prune`: prune_events and prune_attachments at start, then
    every interval."""
    interval = int(os.environ.get("PRUNE_INTERVAL_SECONDS", 24 * 3600))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    while True:
        for command in ("prune_events", "prune_attachments"):
            subprocess.run([sys.executable, "manage.py", command], cwd=BASE_DIR)
        time.sleep(interval)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "action", choices=["up", "down", "status", "nginx-check", "prune-loop"]
    )
    action = parser.parse_args(argv).action
    if action == "prune-loop":
        prune_loop()
        return
    config = Config()
    if action == "up":
        up(config)
    elif action == "down":
        down(config)
    elif action == "status":
        status(config)
    else:
        config.run_dir.mkdir(parents=True, exist_ok=True)
        nginx_check(config, {"STATIC_ROOT": str(config.dir / "static")})


if __name__ == "__main__":
    main()
