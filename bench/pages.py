"""Benchmark the thread page and the home page: CPU, time, queries and size against
in-process baselines.

Run with `make bench` (or `.venv/bin/python bench/pages.py`). It builds, in a temporary
SQLite database with DEBUG=0 production settings, seed_demo's network and a thread of
100 posts by 10 authors from several organisations through the real services, then
requests the first, middle and last page as an anonymous visitor and as a member, and
the home page as a visitor and as the demo person with the most communities, through
Django's test Client, and prints median and p90 times, process CPU time, queries,
writes and HTML size, and the issue 8 targets. Two baselines run in the same process
through the same middleware: a trivial template, and the same 30 posts rendered with a
bare template (no layout, no permissions) — the least any Django forum must do.
"""

import os
import platform
import secrets
import statistics
import sys
import tempfile
import time
import types
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

REQUESTS = max(30, int(os.environ.get("BENCH_REQUESTS", 100)))
WARMUP = 5
HOST = "crocevia.bench"


def configure():
    """Production-shaped settings on a throwaway data directory."""
    data = Path(tempfile.mkdtemp(prefix="crocevia-bench-"))
    for name in ("DATABASE_URL", "REDIS_URL", "MEDIA_ROOT"):
        os.environ.pop(name, None)
    os.environ.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS=HOST,
        DATA_DIR=str(data),
        STATIC_ROOT=str(data / "static"),
        EMAIL_URL="locmem://",
        LOG_LEVEL="WARNING",
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    return data


def build_thread():
    """A public community with a 100-post thread by 10 authors of 4 organisations."""
    from django.core.cache import cache

    from community.models import Membership, Organisation
    from community.services import threads
    from tests.support import factories

    organisations = [
        factories.OrganisationFactory(name=name, kind=kind, city=city)
        for name, kind, city in [
            ("Politecnico di Milano", Organisation.Kind.UNIVERSITY, "Milano"),
            ("Brembo Innovazione", Organisation.Kind.ENTERPRISE, "Curno"),
            ("Kilometro Rosso Lab", Organisation.Kind.RESEARCH_CENTRE, "Bergamo"),
            ("Idrogena", Organisation.Kind.STARTUP, "Brescia"),
        ]
    ]
    # Not "energia": seed_demo's network, built first for the home page, has that slug.
    community = factories.CommunityFactory(name="Idrogeno PEM", slug="idrogeno-pem")
    authors = []
    for index in range(10):
        organisation = organisations[index % len(organisations)]
        author = factories.UserFactory(
            username=f"autore{index}", organisation=organisation
        )
        factories.AffiliationFactory(user=author, organisation=organisation)
        factories.MembershipFactory(
            user=author,
            community=community,
            role=Membership.Role.OWNER if index == 0 else Membership.Role.MEMBER,
        )
        authors.append(author)
    member = factories.UserFactory(username="lettrice", organisation=organisations[0])
    factories.MembershipFactory(user=member, community=community)

    thread = threads.thread_create(
        actor=authors[0],
        community=community,
        title="Elettrolizzatori PEM per le PMI: esperienze e fornitori",
        body=_body(0, authors),
        tags=["idrogeno", "pem", "pmi"],
    )
    for number in range(1, 100):
        if number % 25 == 0:
            cache.clear()  # stay under the posting rate limit; this is set-up
        threads.post_reply(
            actor=authors[number % 10], thread=thread, body=_body(number, authors)
        )
    thread.refresh_from_db()
    assert thread.post_count == 100, thread.post_count
    return thread, member


def _body(number, authors):
    """A believable Markdown post: paragraphs, a list, a link, code and a mention."""
    mention = authors[(number + 3) % 10].username
    parts = [
        f"Intervento {number}: nel nostro impianto pilota abbiamo provato uno stack da "
        "**50 kW** con acqua demineralizzata e un controllo della temperatura a ciclo "
        "chiuso. I risultati sono *incoraggianti* ma la manutenzione pesa.",
        f"- efficienza media 62%\n- degrado {number % 7 + 1} µV/h\n- fermo macchina "
        "due giorni all'anno",
        f"Dettagli nella [scheda tecnica](https://example.org/schede/{number}) e chi "
        f"vuole approfondire può scrivere a @{mention}.",
    ]
    if number % 4 == 0:
        parts.append("```python\nportata = potenza / (efficienza * 39.4)\n```")
    if number % 5 == 0:
        parts.append("> La domanda vera è il costo del kWh in ingresso.")
    return "\n\n".join(parts)


def baseline_urls():
    """Two baseline views, served beside the real URL map through the same middleware."""
    from django.http import HttpResponse
    from django.template import engines
    from django.urls import include, path

    from community.models import Post

    trivial = engines["django"].from_string("<!doctype html><p>{{ greeting }}</p>")
    bare = engines["django"].from_string(
        "<!doctype html><title>{{ title }}</title>"
        "{% for post in posts %}<article id='p{{ post.pk }}'>"
        "<h3>{{ post.author.name }} · {{ post.author.organisation.name }}</h3>"
        "<time datetime='{{ post.created_at|date:'c' }}'>{{ post.created_at }}</time>"
        "{{ post.body_html|safe }}</article>{% endfor %}"
    )

    def trivial_view(request):
        return HttpResponse(trivial.render({"greeting": "ciao"}, request))

    def bare_view(request, pk, page):
        first = (page - 1) * 30
        posts = (
            Post.objects.filter(thread_id=pk, number__gt=first, number__lte=first + 30)
            .select_related("author__organisation")
            .order_by("number")
        )
        return HttpResponse(bare.render({"title": "thread", "posts": posts}, request))

    module = types.ModuleType("bench_urls")
    module.urlpatterns = [
        path("__bench__/trivial/", trivial_view),
        path("__bench__/bare/<int:pk>/<int:page>/", bare_view),
        path("", include("config.urls")),
    ]
    sys.modules[module.__name__] = module
    return module.__name__


def seed_network():
    """seed_demo's network (the data `make run` shows) and its best-connected person.

    The home page's member is the demo person with the most communities, the case
    where the home page's feed and navigation have the most to show.
    """
    import io

    from django.core.management import call_command
    from django.db.models import Count, Q

    from community.management.commands.seed_demo import DEMO_DOMAIN
    from community.models import Community, Membership, User

    call_command("seed_demo", stdout=io.StringIO())
    active = Q(
        memberships__state=Membership.State.ACTIVE,
        memberships__community__kind=Community.Kind.COMMUNITY,
    )
    person = (
        User.objects.filter(email__endswith=f"@{DEMO_DOMAIN}")
        .annotate(communities=Count("memberships", filter=active))
        .order_by("-communities", "username")
        .first()
    )
    return person, person.communities


def _writes(captured):
    """Statements that write, but not the reader's read position: reading a thread
    records how far the reader got (one upsert, only when it moves forward), which is
    the page's purpose, not a cost of rendering it."""
    count = 0
    for query in captured:
        sql = query["sql"].lstrip()
        if sql.split(None, 1)[0].upper() not in {"INSERT", "UPDATE", "DELETE", "REPLACE"}:
            continue
        if "community_readposition" in sql.split("(", 1)[0]:
            continue
        count += 1
    return count


def measure(rows):
    """Per row: wall and CPU times (ms) of REQUESTS requests, queries, writes, size.

    Rows are timed round-robin, one request each per round, so that whatever else the
    machine does slows every row alike and the ratios stay meaningful. CPU time is
    the process's (`time.process_time()`: the test Client serves in this process), the
    figure other processes on the machine disturb least. Writes are counted over the
    warm-up (the first visit of a session included) and over one more request after
    the timed ones; timing runs without query capture.
    """
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    results = {}
    for label, client, url in rows:
        with CaptureQueriesContext(connection) as warmup:
            for _ in range(WARMUP):
                response = client.get(url, secure=True)
                assert response.status_code == 200, (url, response.status_code)
        results[label] = {"timings": [], "cpu": [], "writes": _writes(warmup)}
    for _ in range(REQUESTS):
        for label, client, url in rows:
            cpu = time.process_time()
            started = time.perf_counter()
            client.get(url, secure=True)
            results[label]["timings"].append((time.perf_counter() - started) * 1000)
            results[label]["cpu"].append((time.process_time() - cpu) * 1000)
    for label, client, url in rows:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url, secure=True)
        result = results[label]
        result["median"] = statistics.median(result["timings"])
        result["p90"] = statistics.quantiles(result["timings"], n=10)[-1]
        # process_time() ticks coarsely on some kernels: the mean, not the median.
        result["cpu_ms"] = statistics.fmean(result["cpu"])
        result["queries"] = len(captured)
        result["writes"] += _writes(captured)
        result["bytes"] = len(response.content)
    return results


HOME_CPU_TARGET_MS = 25
RATIO_TARGET = 2.0
THREAD_QUERY_TARGET = 8


def main():
    configure()
    from django.conf import settings
    from django.test import Client

    assert not settings.DEBUG
    home_member, home_communities = seed_network()
    thread, member = build_thread()
    settings.ROOT_URLCONF = baseline_urls()

    anonymous = Client(HTTP_HOST=HOST)
    signed_in = Client(HTTP_HOST=HOST)
    signed_in.force_login(member)
    home_client = Client(HTTP_HOST=HOST)
    home_client.force_login(home_member)
    page_url = thread.get_absolute_url()
    last_page = (thread.post_count - 1) // settings.POSTS_PER_PAGE + 1
    middle_page = (last_page + 1) // 2
    pages = {"first": 1, "middle": middle_page, "last": last_page}

    rows = [
        ("baseline: trivial template", anonymous, "/__bench__/trivial/"),
    ]
    for which in ("first", "last"):
        rows.append(
            (
                f"baseline: bare posts, {which} page",
                anonymous,
                f"/__bench__/bare/{thread.pk}/{pages[which]}/",
            )
        )
    for which, number in pages.items():
        for who, client in (("anonymous", anonymous), ("member", signed_in)):
            url = page_url if number == 1 else f"{page_url}?page={number}"
            rows.append((f"thread, {which} page, {who}", client, url))
    rows.append(("home, anonymous", anonymous, "/"))
    rows.append(("home, member", home_client, "/"))
    results = measure(rows)

    print(
        f"Crocevia pages benchmark — {REQUESTS} requests per row (round-robin) "
        f"after {WARMUP} warm-up, DEBUG={settings.DEBUG}, SQLite, Django test Client"
    )
    print(
        f"machine: {os.cpu_count()} cores (nproc), Python {platform.python_version()}, "
        f"{platform.platform()}, load average {os.getloadavg()[0]:.1f}"
    )
    print(
        f"thread: {thread.post_count} posts by 10 authors of 4 organisations, "
        f"{settings.POSTS_PER_PAGE} a page, middle page = {middle_page}, "
        f"last page = {last_page}"
    )
    print(
        f"home: seed_demo's network, member {home_member.username} "
        f"(active in {home_communities} communities)"
    )
    print()
    header = f"{'page':<36} {'median ms':>10} {'p90 ms':>8} {'CPU ms':>7} "
    header += f"{'queries':>8} {'writes':>7} {'HTML bytes':>11}"
    print(header)
    print("-" * len(header))
    for label, result in results.items():
        print(
            f"{label:<36} {result['median']:>10.2f} {result['p90']:>8.2f} "
            f"{result['cpu_ms']:>7.2f} {result['queries']:>8} {result['writes']:>7} "
            f"{result['bytes']:>11}"
        )
    print()
    trivial = results["baseline: trivial template"]
    for which in ("first", "last"):
        bare = results[f"baseline: bare posts, {which} page"]
        for who in ("anonymous", "member"):
            page = results[f"thread, {which} page, {who}"]
            print(
                f"ratio thread {which} page ({who}): "
                f"{page['median'] / bare['median']:.2f}x the bare posts page "
                f"({page['cpu_ms'] / bare['cpu_ms']:.2f}x in CPU), "
                f"{page['median'] / trivial['median']:.2f}x the trivial template"
            )
    print()
    first = results["thread, first page, member"]
    bare = results["baseline: bare posts, first page"]
    ratio = first["cpu_ms"] / bare["cpu_ms"]
    print(
        f"target: thread first page (member) within {RATIO_TARGET:.0f}x the bare "
        f"posts page in CPU: {ratio:.2f}x, {_verdict(ratio <= RATIO_TARGET)}"
    )
    counts = {
        who: {results[f"thread, {which} page, {who}"]["queries"] for which in pages}
        for who in ("anonymous", "member")
    }
    for who, found in counts.items():
        print(
            f"queries of the thread page ({who}) on pages 1, {middle_page} and "
            f"{last_page}: {', '.join(map(str, sorted(found)))} "
            f"({'the same on every page' if len(found) == 1 else 'NOT constant'})"
        )
    member_queries = max(counts["member"])
    print(
        f"target: member thread page in at most {THREAD_QUERY_TARGET} queries, "
        f"constant in the page number: {member_queries}, "
        f"{_verdict(member_queries <= THREAD_QUERY_TARGET and len(counts['member']) == 1)}"
    )
    home = results["home, member"]["cpu_ms"]
    print(
        f"target: home page (member) at most {HOME_CPU_TARGET_MS} ms of CPU a "
        f"request: {home:.2f} ms ({home / trivial['cpu_ms']:.1f}x the trivial "
        f"template), {_verdict(home <= HOME_CPU_TARGET_MS)}"
    )
    writes = sum(
        result["writes"]
        for label, result in results.items()
        if not label.startswith("baseline")
    )
    print()
    print(f"database writes while rendering pages (read positions aside): {writes}")
    if writes:
        print("FAIL: rendering a page must write nothing else to the database")
        return 1
    return 0


def _verdict(met):
    return "meets the target" if met else "MISSES the target"


if __name__ == "__main__":
    sys.exit(main())
