"""Load on one daphne process: requests/s with 1 client and with 20 concurrent clients.

Run with `.venv/bin/python bench/load.py` (about 4 minutes). It builds, in a temporary
directory with production settings (DEBUG=0, as `make run` serves them), seed_demo's
network plus the 100-post thread of bench/pages.py, starts daphne the way `make serve`
does (tests/support/processes.py), and has signed-in members request the thread's first
page and the home page over HTTP/1.1 keep-alive connections: 1 client, then 20
concurrent clients, alternated round by round so that background load hits both alike.
It prints requests/s, p50/p99 latency, the server's CPU time per request (from
/proc/<pid>/stat) and the ratio of 20 clients' requests/s to 1 client's.

Several servers run side by side, their runs interleaved: each ASGI application in
SERVERS, so a change to how requests are handled is measured against the code before
it in the same run.

The clients are a light asyncio client on raw sockets (one coroutine per connection,
Content-Length or chunked bodies): no third-party client, and little CPU next to the
server's. Settings: BENCH_SECONDS (per run, default 6), BENCH_ROUNDS (default 3),
BENCH_CONCURRENCY (default 20), BENCH_SHAPES (e.g. "1,2": also deploy/'s production
shape, nginx in front of 1 and of 2 daphne processes on the same database, its CPU
counted over the daphnes and nginx's processes).
"""

import asyncio
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

from tests.support import processes  # noqa: E402

SECONDS = float(os.environ.get("BENCH_SECONDS", 6))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", 3))
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", 20))
WARMUP_REQUESTS = 20

# label -> ASGI application (module:attribute), all served from this checkout;
# BENCH_SERVERS="label=module:attribute,..." replaces them.
SERVERS = {
    "Django's stock handler": "bench._asgi_stock:application",
    "config/http.py handler": "config.asgi:application",
}
# BENCH_SHAPES="1,2": also nginx in front of 1 and of 2 daphne processes (deploy/'s
# production shape, here on SQLite), CPU counted over every process of the shape.
SHAPES = [int(n) for n in os.environ.get("BENCH_SHAPES", "").split(",") if n.strip()]
if os.environ.get("BENCH_SERVERS"):
    SERVERS = dict(
        item.split("=", 1) for item in os.environ["BENCH_SERVERS"].split(",")
    )

SETUP = """
import json, sys
sys.path.insert(0, "bench")
import pages
home_member, communities = pages.seed_network()
thread, member = pages.build_thread()
from django.test import Client
def session(user):
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value
print("RESULT" + json.dumps({
    "thread": thread.get_absolute_url(),
    "thread_session": session(member),
    "home_session": session(home_member),
    "home_member": home_member.username,
    "home_communities": communities,
}))
"""


def cpu_seconds(pid):
    """User + system CPU time of process `pid` so far (all its threads)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _children(pid):
    """The processes whose parent is `pid` (nginx's workers)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


class Shape:
    """The production shape of deploy/ on this machine: nginx (its config rendered from
    the template `make prod-up` uses) in front of `count` daphne processes started with
    --proxy-headers, on the same database. `.url` is nginx's; `.pids` every process
    whose CPU a request costs (the daphnes, nginx's master and workers)."""

    def __init__(self, env, root, count):
        self.env, self.root, self.count = env, root, count
        self.daphnes, self.nginx, self.url, self.pids = [], None, None, []

    def start(self):
        for number in range(self.count):
            log = self.root / f"shape-{self.count}-daphne-{number}.log"
            daphne = processes.Daphne(self.env, log, proxy_headers=True)
            self.daphnes.append(daphne.start())
        self.nginx = processes.Nginx(
            self.root / f"shape-{self.count}-nginx",
            [daphne.url.removeprefix("http://") for daphne in self.daphnes],
            static_root=self.env["STATIC_ROOT"],
        ).start()
        self.url = self.nginx.url
        master = self.nginx.process.pid
        self.pids = [daphne.pid for daphne in self.daphnes] + [master, *_children(master)]
        return self

    def stop(self):
        if self.nginx is not None:
            self.nginx.stop()
        for daphne in self.daphnes:
            daphne.stop()


def server_cpu(server):
    """CPU seconds so far of everything that serves a request of `server`."""
    return sum(cpu_seconds(pid) for pid in getattr(server, "pids", None) or [server.pid])


async def _read_response(reader):
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    headers = {}
    for line in head.split(b"\r\n")[1:]:
        if b":" in line:
            name, value = line.split(b":", 1)
            headers[name.strip().lower()] = value.strip()
    if b"content-length" in headers:
        await reader.readexactly(int(headers[b"content-length"]))
    elif headers.get(b"transfer-encoding") == b"chunked":
        while True:
            size = int((await reader.readuntil(b"\r\n")).strip(), 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    return status, headers.get(b"connection", b"").lower() != b"close"


async def _client(port, request, until, latencies, errors):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while time.perf_counter() < until:
            started = time.perf_counter()
            writer.write(request)
            status, keep_alive = await _read_response(reader)
            if status != 200:
                errors.append(status)
            latencies.append(time.perf_counter() - started)
            if not keep_alive:
                writer.close()
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
    finally:
        writer.close()


def _request(port, path, session):
    return (
        f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Cookie: sessionid={session}\r\nAccept-Language: it\r\n"
        "Connection: keep-alive\r\n\r\n"
    ).encode()


async def run(server, path, session, clients, seconds):
    """`clients` connections requesting `path` for `seconds`: figures of the run."""
    port = int(server.url.rsplit(":", 1)[1])
    request = _request(port, path, session)
    latencies, errors = [], []
    cpu = server_cpu(server)
    started = time.perf_counter()
    until = started + seconds
    await asyncio.gather(
        *(_client(port, request, until, latencies, errors) for _ in range(clients))
    )
    elapsed = time.perf_counter() - started
    cpu = server_cpu(server) - cpu
    return {
        "requests": len(latencies),
        "rps": len(latencies) / elapsed,
        "latencies": latencies,
        "cpu_ms": cpu * 1000 / max(len(latencies), 1),
        "errors": len(errors),
    }


async def warm_up(server, path, session):
    port = int(server.url.rsplit(":", 1)[1])
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    for _ in range(WARMUP_REQUESTS):
        writer.write(_request(port, path, session))
        status, _ = await _read_response(reader)
        assert status == 200, (path, status)
    writer.close()


def _ms(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def main():
    root = Path(tempfile.mkdtemp(prefix="crocevia-load-"))
    env = processes.site_env(root)
    output = processes.build_site(env, SETUP, timeout=600)
    site = json.loads(output.split("RESULT", 1)[1])
    pages = {
        "thread page": (site["thread"], site["thread_session"]),
        "home page": ("/", site["home_session"]),
    }
    servers = {}
    try:
        for label, application in SERVERS.items():
            log = root / f"daphne-{len(servers)}.log"
            servers[label] = processes.Daphne(env, log, application=application).start()
        for count in SHAPES:
            label = f"nginx + {count} daphne"
            servers[label] = Shape(env, root, count).start()
        for server in servers.values():
            for path, session in pages.values():
                asyncio.run(warm_up(server, path, session))
        results = {}
        for _ in range(ROUNDS):
            for page, (path, session) in pages.items():
                for clients in (1, CONCURRENCY):
                    for label, server in servers.items():
                        figures = asyncio.run(run(server, path, session, clients, SECONDS))
                        results.setdefault((label, page, clients), []).append(figures)
    finally:
        for server in servers.values():
            server.stop()
    report(results, site)
    return 1 if any(f["errors"] for runs in results.values() for f in runs) else 0


def report(results, site):
    print(
        f"Crocevia load benchmark — one daphne process (DEBUG=0), {ROUNDS} rounds of "
        f"{SECONDS:.0f} s per row, 1 and {CONCURRENCY} keep-alive clients alternated"
    )
    print(
        f"machine: {os.cpu_count()} cores (nproc), Python {platform.python_version()}, "
        f"{platform.platform()}, load average {os.getloadavg()[0]:.1f}"
    )
    print(
        f"thread page: {site['thread']} (first page, 30 posts, a member); home page: "
        f"{site['home_member']}, active in {site['home_communities']} communities"
    )
    print()
    header = (
        f"{'server':<30} {'page':<12} {'clients':>7} {'req/s':>7} {'p50 ms':>7} "
        f"{'p99 ms':>7} {'CPU ms/req':>10} {'errors':>6}"
    )
    print(header)
    print("-" * len(header))
    summary = {}
    for (label, page, clients), runs in results.items():
        rps = statistics.median(run["rps"] for run in runs)
        latencies = [value for run in runs for value in run["latencies"]]
        cpu = statistics.median(run["cpu_ms"] for run in runs)
        summary[label, page, clients] = (rps, cpu)
        print(
            f"{label:<30} {page:<12} {clients:>7} {rps:>7.1f} {_ms(latencies, 0.5):>7.1f} "
            f"{_ms(latencies, 0.99):>7.1f} {cpu:>10.2f} "
            f"{sum(run['errors'] for run in runs):>6}"
        )
    print()
    for label in [*SERVERS, *(f"nginx + {count} daphne" for count in SHAPES)]:
        for page in ("thread page", "home page"):
            one_rps, one_cpu = summary[label, page, 1]
            many_rps, many_cpu = summary[label, page, CONCURRENCY]
            ratio = many_rps / one_rps
            print(
                f"ratio {CONCURRENCY}/1 clients, {label}, {page}: requests/s "
                f"{ratio:.2f}x, CPU per request {many_cpu / one_cpu:.2f}x "
                f"({'within' if ratio >= 0.8 else 'NOT within'} 20%)"
            )


if __name__ == "__main__":
    sys.exit(main())
