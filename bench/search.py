"""Benchmark search at 100,000 posts: the results page's latency for a member of many
communities, against the same search without permission filtering and against a plain
LIKE query on the posts; the index's build throughput.

Run with `.venv/bin/python bench/search.py` (a few minutes; nothing leaves loopback).
Per database (a throwaway SQLite file, then PostgreSQL: BENCH_DATABASE_URL when given,
else a private throwaway cluster when `initdb`/`postgres` are installed, else skipped
with the reason) a child process builds a site (migrations, static files) and fills it
with bulk inserts: 60 communities (40 public, 20 private), 300 people, 2,000 threads,
BENCH_POSTS (100,000) posts of about 40 words drawn from a vocabulary of 3,000 (the
searched words are rarer or commoner on purpose). The member searching belongs to 50
communities (all public ones and 10 private). `search_rebuild` builds the index
(rows/s). Then, BENCH_REPEAT times each after a warm-up, in process (Django's test
client, DEBUG=0, real middleware, templates and sessions):

- page: GET /search/?q=... as the member (parse, per-source permission subqueries,
  per-kind counts, ranked page of 20, presenting, rendering);
- no-perm: the same page with permission filtering switched off (the baseline the
  filtering is measured against: ratio page/no-perm);
- like: the posts a plain `LIKE '%term%'` finds (each term, AND), count and newest 20,
  on the posts table without any permission filter (ratio page/like);
- suggest: GET /search/suggestions/?q=... (three per kind, one windowed query).

Queries: 1, 2 and 3 terms, and with operators (in:, from:, type:). Latency in ms:
median, p95 and p99 (nearest rank).

Settings (environment): BENCH_POSTS=100000  BENCH_REPEAT=30  BENCH_DATABASES=sqlite,pg
BENCH_PROFILE=1 (also print the counting statement's plan and each statement's time
for two searches).
"""

import json
import os
import random
import statistics
import subprocess
import sys
import time
from contextlib import ExitStack
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _live  # noqa: E402

from tests.support import processes  # noqa: E402

POSTS = int(os.environ.get("BENCH_POSTS", 100_000))
REPEAT = int(os.environ.get("BENCH_REPEAT", 30))
DATABASES = [
    name for name in os.environ.get("BENCH_DATABASES", "sqlite,pg").split(",") if name
]
COMMUNITIES, PRIVATE, PEOPLE, THREADS, JOINED_PRIVATE = 60, 20, 300, 2000, 10
WORDS_PER_POST = 40


# --- the child: fill, index, measure ---------------------------------------------------


def _vocabulary(rng):
    syllables = ["ba", "ce", "di", "fo", "gu", "la", "me", "ni", "po", "ru", "sa", "te",
                 "vi", "zo", "tra", "spi", "gro", "ble", "cri", "sto"]
    words = set()
    while len(words) < 3000:
        words.add("".join(rng.choice(syllables) for _ in range(rng.randint(2, 4))))
    return sorted(words)


# Searched words and how often a post holds each (the rest is the vocabulary).
PLANTED = {"brevetto": 0.03, "licenza": 0.05, "sensore": 0.08, "idrogeno": 0.002}


def _fill(rng):
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from community.models import Community, Membership, Post, Thread

    User = get_user_model()
    vocabulary = _vocabulary(rng)
    now = timezone.now()
    people = User.objects.bulk_create(
        [
            User(username=f"person{n}", email=f"person{n}@example.org",
                 display_name=f"Persona {n}", password="!")
            for n in range(PEOPLE)
        ]
    )
    communities = Community.objects.bulk_create(
        [
            Community(
                name=f"Comunità {n}", slug=f"comunita-{n}",
                description=" ".join(rng.choices(vocabulary, k=20)),
                visibility="private" if n < PRIVATE else "public",
                created_by=people[0],
            )
            for n in range(COMMUNITIES)
        ]
    )
    member = people[1]
    joined = [c for c in communities if c.visibility == "public"] + [
        c for c in communities if c.visibility == "private"
    ][:JOINED_PRIVATE]
    memberships = [
        Membership(user=member, community=c, role="member", state="active") for c in joined
    ]
    for person in people[2:]:
        for community in rng.sample(communities, 5):
            memberships.append(
                Membership(user=person, community=community, role="member", state="active")
            )
    Membership.objects.bulk_create(memberships, ignore_conflicts=True)
    threads = Thread.objects.bulk_create(
        [
            Thread(
                community=communities[n % COMMUNITIES],
                title=" ".join(rng.choices(vocabulary, k=5)),
                author=rng.choice(people),
                kind="discussion",
                last_activity_at=now,
            )
            for n in range(THREADS)
        ],
        batch_size=1000,
    )
    numbers = {}
    batch = []
    started = time.perf_counter()
    for n in range(POSTS):
        thread = threads[n % THREADS]
        numbers[thread.pk] = numbers.get(thread.pk, 0) + 1
        words = rng.choices(vocabulary, k=WORDS_PER_POST)
        for word, share in PLANTED.items():
            if rng.random() < share:
                words[rng.randrange(WORDS_PER_POST)] = word
        body = " ".join(words)
        batch.append(
            Post(
                thread=thread, number=numbers[thread.pk], author=rng.choice(people),
                body=body, body_html=f"<p>{body}</p>",
                created_at=now - timezone.timedelta(minutes=POSTS - n),
            )
        )
        if len(batch) == 5000:
            Post.objects.bulk_create(batch)
            batch = []
    Post.objects.bulk_create(batch)
    Post.objects.update(created_at=now)  # auto_now_add ignored the spread: keep one
    fill_seconds = time.perf_counter() - started
    # A community of the member's, for `in:`, and an author, for `from:`.
    return member, joined[-1], people[2], fill_seconds


def _timed(action, repeat):
    action()  # warm-up: plans and caches
    action()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
    return {
        "p50": statistics.median(samples),
        "p95": _live.percentile(samples, 0.95),
        "p99": _live.percentile(samples, 0.99),
    }


def child():
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count, Q
    from django.test import Client

    from community.models import Post
    from search import query as search_query
    from search.models import Entry

    rng = random.Random(42)
    member, community, author, fill_seconds = _fill(rng)
    started = time.perf_counter()
    call_command("search_rebuild", stdout=open(os.devnull, "w"))
    rebuild_seconds = time.perf_counter() - started
    rows = Entry.objects.count()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    client = Client()
    client.force_login(member)
    queries = {
        "1 term": "brevetto",
        "2 terms": "brevetto licenza",
        "3 terms": "sensore licenza brevetto",
        "rare term": "idrogeno",
        "1 term + in:": f"licenza in:{community.slug}",
        "2 terms + from:": f"sensore licenza from:{author.username}",
        "1 term + type:": "brevetto type:thread",
    }
    readable = search_query._readable

    def page(q):
        response = client.get("/search/", {"q": q})
        assert response.status_code == 200, response.status_code
        return response

    def like(q):
        posts = Post.objects.filter(is_deleted=False, is_hidden=False, is_removed=False)
        for term in q.split():
            if ":" not in term:
                posts = posts.filter(body__icontains=term)
        posts.count()
        list(posts.order_by("-created_at", "-id")[:20])

    if os.environ.get("BENCH_PROFILE"):
        timings = []

        def wrapper(execute, sql, params, many, context):
            started = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                timings.append(((time.perf_counter() - started) * 1000, sql[:300]))

        entries = search_query.results(member, search_query.parse("brevetto licenza"))
        counting = entries.order_by().values_list("kind").annotate(n=Count("id"))
        sql, params = counting.query.sql_with_params()
        explain = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
        with connection.cursor() as cursor:
            cursor.execute(explain + sql, params)
            for row in cursor.fetchall():
                print(f"PROFILE plan {row}", file=sys.stderr)
        for q in ("brevetto licenza", "brevetto"):
            page(q)
            timings.clear()
            with connection.execute_wrapper(wrapper):
                page(q)
            for ms, sql in timings:
                print(f"PROFILE {q!r} {ms:7.1f} ms {sql}", file=sys.stderr)
    results = {}
    for label, q in queries.items():
        found = search_query.counts(
            search_query.results(member, search_query.parse(q))
        )
        row = {"results": sum(found.values())}
        row["page"] = _timed(lambda q=q: page(q), REPEAT)
        search_query._readable = lambda user: Q()
        try:
            row["no-perm"] = _timed(lambda q=q: page(q), REPEAT)
        finally:
            search_query._readable = readable
        row["like"] = _timed(lambda q=q: like(q), REPEAT)
        if ":" not in q:
            row["suggest"] = _timed(
                lambda q=q: client.get("/search/suggestions/", {"q": q}), REPEAT
            )
        results[label] = row
    print(
        "RESULT "
        + json.dumps(
            {
                "vendor": connection.vendor,
                "posts": POSTS,
                "rows": rows,
                "fill_seconds": fill_seconds,
                "rebuild_seconds": rebuild_seconds,
                "queries": results,
            }
        ),
        flush=True,
    )


# --- the parent: one site per database, a table ---------------------------------------------


def run(env, root):
    processes.build_site(env, None, timeout=600)
    done = subprocess.run(
        [sys.executable, __file__, "--child"],
        env={**env, "ALLOWED_HOSTS": "testserver"},
        cwd=processes.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=3600,
    )
    for line in done.stderr.splitlines():
        if line.startswith("PROFILE "):
            print(line)
    for line in done.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[len("RESULT "):])
    raise RuntimeError(f"the child failed:\n{done.stderr[-3000:]}")


def report(result, note):
    print(
        f"\n{result['vendor']} ({note}): {result['posts']:,} posts, {result['rows']:,} "
        f"index rows; bulk fill {result['fill_seconds']:.1f} s; search_rebuild "
        f"{result['rebuild_seconds']:.1f} s = {result['rows'] / result['rebuild_seconds']:,.0f} "
        "rows/s"
    )
    print(
        f"{'query':<18}{'found':>7}  {'page p50/p95/p99 ms':>22}  {'no-perm p50/p95':>16}"
        f"  {'ratio':>5}  {'LIKE p50/p95':>14}  {'ratio':>5}  {'suggest p50/p95':>16}"
    )
    for label, row in result["queries"].items():
        page, bare, like = row["page"], row["no-perm"], row["like"]
        suggest = row.get("suggest")
        print(
            f"{label:<18}{row['results']:>7}  "
            f"{page['p50']:>6.1f}/{page['p95']:>6.1f}/{page['p99']:>6.1f}  "
            f"{bare['p50']:>7.1f}/{bare['p95']:>7.1f}  {page['p50'] / bare['p50']:>5.2f}  "
            f"{like['p50']:>6.1f}/{like['p95']:>6.1f}  {page['p50'] / like['p50']:>5.2f}  "
            + (f"{suggest['p50']:>7.1f}/{suggest['p95']:>7.1f}" if suggest else f"{'-':>16}")
        )


def main():
    print(f"bench/search.py: {_live.machine()}")
    print(f"BENCH_POSTS={POSTS} BENCH_REPEAT={REPEAT}")
    if "sqlite" in DATABASES:
        with _live.workdir("crocevia-bench-search-") as root:
            report(run(processes.site_env(root), root), "throwaway file, WAL")
    if "pg" in DATABASES:
        with ExitStack() as stack:
            url, note = stack.enter_context(_live.postgres_server())
            if url is None:
                print(f"\nPostgreSQL skipped: {note}")
                return
            root = stack.enter_context(_live.workdir("crocevia-bench-search-pg-"))
            report(run(processes.site_env(root, DATABASE_URL=url), root), note)


if __name__ == "__main__":
    if sys.argv[1:] == ["--child"]:
        sys.path.insert(0, str(processes.BASE_DIR))
        child()
    else:
        main()
