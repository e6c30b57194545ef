"""Benchmark document uploads and downloads through a real daphne (issue 9).

Run with `.venv/bin/python bench/uploads.py` (about a minute; loopback only). A
throwaway production-like site (DEBUG=0, SQLite, media in a temporary directory) with
one workspace and its lead's session; one daphne process serves it. For each file size
(BENCH_SIZES_MB, default "5,25"; UPLOAD_MAX_BYTES is raised to fit the largest):

- upload: the file (a ZIP of random bytes, stored: the checks read its directory, the
  bytes are as incompressible as a scanned PDF) is POSTed to the document upload view
  as the plain form would send it (multipart, session and CSRF cookies), streamed
  from disk by the client;
- download: the version is fetched from the download view and written to disk;
- baseline: a plain copy of the same file on the same disk (`shutil.copyfile`, then
  `fsync`, as the server's storage does not, so the baseline is if anything slow).

Each is run BENCH_ROUNDS times (default 3, median kept); the SHA-256 of every download
is compared with the upload's. Prints MB/s and the ratio to the copy, and the
server's memory: its resident size before the uploads and its peak during each size's
uploads (the kernel's high-water mark, reset before each size), sampled every 10 ms
too. The peak should not grow with the file size: every layer streams (the upload
handler writes 64 KiB chunks to a temporary file and hashes them on the way).
"""

import http.client
import json
import os
import secrets
import shutil
import statistics
import sys
import threading
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _live  # noqa: E402

from backups.media import file_sha256  # noqa: E402
from tests.support import processes  # noqa: E402

SETUP = r"""
import json
from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from community.models import Affiliation, Organisation, User
from workspaces.services import workspaces

organisation = Organisation.objects.create(name="Banco di prova", slug="banco")
lead = User.objects.create_user("lead", "lead@example.org", None, organisation=organisation)
EmailAddress.objects.create(user=lead, email=lead.email, verified=True, primary=True)
Affiliation.objects.create(
    user=lead, organisation=organisation,
    state=Affiliation.State.ACTIVE, role=Affiliation.Role.ADMIN,
)
workspace = workspaces.workspace_create(
    actor=lead, name="Banco", description="", collaboration_type="joint_venture"
)
store = SessionStore()
store[SESSION_KEY] = str(lead.pk)
store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
store[HASH_SESSION_KEY] = lead.get_session_auth_hash()
store.create()
with open(%(out)r, "w") as out:
    json.dump(
        {
            "session": store.session_key,
            "cookie": settings.SESSION_COOKIE_NAME,
            "csrf_cookie": settings.CSRF_COOKIE_NAME,
            "workspace": workspace.pk,
        },
        out,
    )
"""

MB = 1024 * 1024
CHUNK = 256 * 1024


def make_file(path, size):
    """A ZIP of `size` bytes or a little more: one stored entry of random bytes."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as archive:
        with archive.open("scan.bin", "w", force_zip64=True) as entry:
            left = size - 200
            while left > 0:
                block = os.urandom(min(MB, left))
                entry.write(block)
                left -= len(block)
    return path


class Memory:
    """The server's resident memory: now, its high-water mark, and a 10 ms sampler."""

    def __init__(self, pid):
        self.pid = pid
        self.samples = []
        self._stop = threading.Event()

    def _status(self, field):
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
        return 0

    def rss(self):
        return self._status("VmRSS")

    def reset_peak(self):
        """Reset the kernel's high-water mark (root or the process's owner)."""
        try:
            Path(f"/proc/{self.pid}/clear_refs").write_text("5")
            return True
        except OSError:
            return False

    def peak(self):
        return self._status("VmHWM")

    def measure(self, work):
        """Run `work()`; return the server's peak resident memory meanwhile: the
        kernel's high-water mark when it can be reset, else the 10 ms samples."""
        can_reset = self.reset_peak()
        with self:
            work()
        return max(self.peak() if can_reset else 0, max(self.samples, default=0))

    def __enter__(self):
        self.samples = []
        self._stop.clear()

        def sample():
            while not self._stop.is_set():
                self.samples.append(self.rss())
                time.sleep(0.01)

        self._thread = threading.Thread(target=sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def upload(address, site, path):
    """POST `path` to the upload view as a multipart form; return (seconds, answer)."""
    boundary = secrets.token_hex(16)
    csrf = secrets.token_hex(16)  # 32 alphanumeric characters, as Django makes them
    head = "".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        for name, value in (("category", "data"), ("title", path.stem), ("note", ""))
    ).encode()
    head += (
        f'--{boundary}\r\nContent-Disposition: form-data; name="files"; '
        f'filename="{path.name}"\r\nContent-Type: application/zip\r\n\r\n'
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    size = len(head) + path.stat().st_size + len(tail)
    host, port = address.split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=300)
    started = time.perf_counter()
    connection.putrequest("POST", f"/w/{site['workspace']}/documents/upload/")
    connection.putheader("Content-Type", f"multipart/form-data; boundary={boundary}")
    connection.putheader("Content-Length", str(size))
    connection.putheader("Accept", "application/json")
    connection.putheader("X-CSRFToken", csrf)
    connection.putheader(
        "Cookie", f"{site['cookie']}={site['session']}; {site['csrf_cookie']}={csrf}"
    )
    connection.endheaders()
    connection.send(head)
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK), b""):
            connection.send(chunk)
    connection.send(tail)
    response = connection.getresponse()
    body = response.read()
    seconds = time.perf_counter() - started
    connection.close()
    if response.status != 201:
        raise RuntimeError(f"upload answered {response.status}: {body[:500]!r}")
    return seconds, json.loads(body)


def download(address, site, url, target):
    host, port = address.split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=300)
    started = time.perf_counter()
    connection.request(
        "GET", url, headers={"Cookie": f"{site['cookie']}={site['session']}"}
    )
    response = connection.getresponse()
    if response.status != 200:
        raise RuntimeError(f"download answered {response.status}")
    with open(target, "wb") as out:
        for chunk in iter(lambda: response.read(CHUNK), b""):
            out.write(chunk)
    seconds = time.perf_counter() - started
    connection.close()
    return seconds


def plain_copy(source, target):
    started = time.perf_counter()
    shutil.copyfile(source, target)
    with open(target, "rb+") as handle:
        os.fsync(handle.fileno())
    return time.perf_counter() - started


def main():
    sizes = [int(s) for s in os.environ.get("BENCH_SIZES_MB", "5,25").split(",")]
    rounds = int(os.environ.get("BENCH_ROUNDS", "3"))
    print(f"machine: {_live.machine()}")
    with _live.workdir("crocevia-bench-uploads-") as root:
        env = processes.site_env(
            root,
            UPLOAD_MAX_BYTES=str((max(sizes) + 1) * MB),
            RATE_LIMIT_UPLOADS="1000000",
        )
        out = root / "setup.json"
        processes.build_site(env, SETUP % {"out": str(out)}, timeout=600)
        site = json.loads(out.read_text())
        files = root / "files"
        files.mkdir()
        with processes.Daphne(env, root / "daphne.log") as server:
            memory = Memory(server.pid)
            # Warm the process (imports, first queries) with a small upload.
            warm = make_file(files / "warm.zip", MB)
            try:
                upload(server.address, site, warm)
            except RuntimeError:
                print(server.log_path.read_text()[-3000:])
                raise
            idle = memory.rss()
            print(f"server resident memory after warm-up: {idle / MB:.1f} MB")
            print()
            header = (
                f"{'size':>6} {'upload MB/s':>12} {'download MB/s':>14} {'copy MB/s':>10}"
                f" {'up/copy':>8} {'down/copy':>10} {'upload peak':>12}"
                f" {'download peak':>14}"
            )
            print(header)
            print("-" * len(header))
            for size_mb in sizes:
                source = make_file(files / f"scan-{size_mb}mb.zip", size_mb * MB)
                size = source.stat().st_size
                digest = file_sha256(source)
                ups, downs, copies, urls = [], [], [], []

                def uploads(source=source, ups=ups, urls=urls):
                    for _round in range(rounds):
                        seconds, answer = upload(server.address, site, source)
                        ups.append(seconds)
                        urls.append(answer["documents"][0]["url"])

                up_peak = memory.measure(uploads)

                def downloads(size_mb=size_mb, digest=digest, urls=urls, downs=downs):
                    for number, url in enumerate(urls):
                        target = files / f"down-{size_mb}-{number}.zip"
                        downs.append(
                            download(
                                server.address,
                                site,
                                url + "versions/1/download/",
                                target,
                            )
                        )
                        if file_sha256(target) != digest:
                            raise SystemExit(
                                f"download {number} of {size_mb} MB differs"
                            )
                        target.unlink()

                down_peak = memory.measure(downloads)
                for number in range(rounds):
                    copy = files / f"copy-{size_mb}-{number}.zip"
                    copies.append(plain_copy(source, copy))
                    copy.unlink()

                def rate(times, size=size):
                    return size / MB / statistics.median(times)

                print(
                    f"{size_mb:>4}MB {rate(ups):>12.1f} {rate(downs):>14.1f}"
                    f" {rate(copies):>10.1f} {rate(ups) / rate(copies):>8.2f}"
                    f" {rate(downs) / rate(copies):>10.2f}"
                    f" {(up_peak - idle) / MB:>+11.1f}M {(down_peak - idle) / MB:>+13.1f}M"
                )
            print()
            print(
                "upload/download peak: the server's highest resident memory during the "
                "size's uploads (downloads), over its resident memory after warm-up"
            )
            log = server.log_path.read_text()
            if "Traceback" in log:
                print(log)
                raise SystemExit(1)


if __name__ == "__main__":
    main()
