"""The database's copy: SQLite's online backup API, or pg_dump and pg_restore.

Each copy is of one instant: SQLite's backup copies every page in one step, inside one
read transaction (in WAL mode writers go on meanwhile); pg_dump reads a snapshot the
caller exported and holds (`postgres_snapshot`), so the media files can be looked at
right after that instant, while the dump is written.
"""

import os
import re
import shutil
import sqlite3
import subprocess
from contextlib import contextmanager
from pathlib import Path

from django.db import connections, transaction
from django.db.backends.postgresql.client import DatabaseClient

from backups import BackupError

SQLITE_FILE = "database.sqlite3"
POSTGRES_FILE = "database.dump"
# Debian installs the client programs of each PostgreSQL version side by side here;
# /usr/bin/pg_dump is a wrapper that may pick another version.
POSTGRES_BIN_DIRS = Path("/usr/lib/postgresql")


def database_vendor(alias):
    return connections[alias].vendor


def database_is_empty(alias):
    """Whether the database holds no table yet (a fresh file or a new database)."""
    connection = connections[alias]
    with connection.cursor() as cursor:
        return not connection.introspection.table_names(cursor)


def _last_per_app(rows):
    last = {}
    for app, name in rows:
        last[app] = max(name, last.get(app, name))
    return dict(sorted(last.items()))


def applied_migrations(alias):
    """{app: its last applied migration}, read through `alias`'s connection (inside
    `postgres_snapshot`, as of its instant)."""
    connection = connections[alias]
    with connection.cursor() as cursor:
        if "django_migrations" not in connection.introspection.table_names(cursor):
            return {}
        cursor.execute("SELECT app, name FROM django_migrations")
        return _last_per_app(cursor.fetchall())


def sqlite_migrations(path):
    """{app: its last applied migration} of the SQLite file `path` (a backup's copy)."""
    copy = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)
    try:
        rows = copy.execute("SELECT app, name FROM django_migrations").fetchall()
    except sqlite3.OperationalError:  # not a Django database (yet)
        rows = []
    finally:
        copy.close()
    return _last_per_app(rows)


# --- SQLite ------------------------------------------------------------------------------


def _sqlite_path(alias):
    return Path(connections[alias].settings_dict["NAME"])


def sqlite_snapshot(target, alias):
    """Copy `alias`'s SQLite database into the file `target`, as it was at one
    instant: the online backup API in a single step (one read transaction: writers in
    WAL mode are not blocked, and no commit made meanwhile is copied). The copy is a
    standalone file (rollback journal), checked with `quick_check`."""
    source = sqlite3.connect(_sqlite_path(alias), timeout=20)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)  # pages=-1: every page in one step
        copy.execute("PRAGMA journal_mode=DELETE")
        (verdict,) = copy.execute("PRAGMA quick_check").fetchone()
    finally:
        copy.close()
        source.close()
    if verdict != "ok":
        raise BackupError(f"The copy of the SQLite database is damaged: {verdict}")


def sqlite_restore(source, alias):
    """Write the backup file `source` over `alias`'s SQLite database (the backup API
    again, so the site's WAL and shared-memory files stay consistent with it)."""
    connections[alias].close()
    path = _sqlite_path(alias)
    path.parent.mkdir(parents=True, exist_ok=True)
    backup = sqlite3.connect(f"{Path(source).resolve().as_uri()}?mode=ro", uri=True)
    site = sqlite3.connect(path, timeout=20)
    try:
        backup.backup(site)
        (verdict,) = site.execute("PRAGMA quick_check").fetchone()
    finally:
        site.close()
        backup.close()
    if verdict != "ok":
        raise BackupError(f"The restored SQLite database is damaged: {verdict}")


# --- PostgreSQL --------------------------------------------------------------------------


def _major(version_text):
    """15 for "pg_dump (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)"."""
    match = re.search(r"\(PostgreSQL\)\s*(\d+)", version_text)
    return int(match.group(1)) if match else 0


def postgres_tool(name, alias):
    """The path of `name` (pg_dump or pg_restore) for `alias`'s server: Debian's
    program of the server's major version, else the oldest newer one installed, else
    the one in PATH when it is new enough (pg_dump refuses a server newer than
    itself). Raises BackupError naming what to install."""
    server = connections[alias].pg_version // 10000
    installed = sorted(
        (int(directory.name), directory / "bin" / name)
        for directory in (
            POSTGRES_BIN_DIRS.iterdir() if POSTGRES_BIN_DIRS.is_dir() else ()
        )
        if directory.name.isdigit() and (directory / "bin" / name).exists()
    )
    for version, path in installed:
        if version >= server:
            return str(path)
    on_path = shutil.which(name)
    if on_path:
        reported = subprocess.run(
            [on_path, "--version"], capture_output=True, text=True, check=False
        ).stdout
        if _major(reported) >= server:
            return on_path
    raise BackupError(
        f"{name} {server} or newer is needed for this PostgreSQL {server} server: "
        f"install Debian's postgresql-client-{server} (or postgresql)."
    )


def _libpq(alias):
    """The environment that points libpq's programs at `alias`'s database (host, port,
    user, password and TLS options as variables: no password on a command line)."""
    settings_dict = connections[alias].settings_dict
    _args, env = DatabaseClient.settings_to_cmd_args_env(settings_dict, [])
    env = {**os.environ, **(env or {})}
    for variable, key in (("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER")):
        if settings_dict.get(key):
            env[variable] = str(settings_dict[key])
    return env, settings_dict["NAME"]


def _run(command, env, what):
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupError(f"{what} failed ({command[0]}):\n{done.stderr.strip()}")
    return done


@contextmanager
def postgres_snapshot(alias):
    """Hold a read-only snapshot of `alias`'s database open; yields its id for
    `postgres_dump` (which sees the database exactly as it was when the snapshot was
    exported, whatever commits meanwhile) and `applied_migrations` read from it."""
    connection = connections[alias]
    connection.ensure_connection()
    with transaction.atomic(using=alias), connection.cursor() as cursor:
        # The first statement of the transaction, as SET TRANSACTION must be.
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        (snapshot,) = cursor.fetchone()
        yield snapshot


def postgres_dump(target, snapshot, alias):
    """pg_dump's custom format (compressed, read by pg_restore) of `alias`'s database
    as the exported `snapshot` sees it, into the file `target`; returns the tool's
    version line."""
    tool = postgres_tool("pg_dump", alias)
    env, name = _libpq(alias)
    _run(
        [tool, "--format=custom", f"--snapshot={snapshot}", f"--file={target}", name],
        env,
        "pg_dump",
    )
    return _run([tool, "--version"], env, "pg_dump --version").stdout.strip()


def postgres_restore(source, alias, *, replace):
    """Load the pg_dump file `source` into `alias`'s database in one transaction
    (all or nothing), every object owned by the site's own role; with `replace`, the
    objects the backup holds are dropped first."""
    tool = postgres_tool("pg_restore", alias)
    env, name = _libpq(alias)
    connections[alias].close()
    command = [
        tool,
        "--no-owner",
        "--no-privileges",
        "--single-transaction",
        "--exit-on-error",
        f"--dbname={name}",
    ]
    if replace:
        command += ["--clean", "--if-exists"]
    _run([*command, str(source)], env, "pg_restore")
