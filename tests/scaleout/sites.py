"""The site of the scale-out and restart tests: Anna posts, Bruno reads, on any database.

Built through the harness (tests/support/processes.py) with posts unlimited, so a burst
is never rate-limited; read back by a separate process, as another server would.
"""

import json
import re

from tests.support import processes

SETUP = """
import json
from allauth.account.models import EmailAddress
from django.conf import settings
from django.test import Client
from community.services import communities, memberships, threads
from community.models import User

anna = User.objects.create_user("anna", "anna@example.org", PASSWORD)
bruno = User.objects.create_user("bruno", "bruno@example.org", PASSWORD)
members = [
    User.objects.create_user(name, f"{name}@example.org", PASSWORD) for name in PEOPLE
]
for person in (anna, bruno, *members):
    EmailAddress.objects.create(user=person, email=person.email, verified=True, primary=True)
community = communities.community_create(
    actor=anna, name="Energia", description="", visibility="public", themes=[]
)
memberships.community_join(actor=bruno, community=community)  # locks rows on PostgreSQL
for person in members:
    memberships.community_join(actor=person, community=community)
thread = threads.thread_create(
    actor=anna, community=community, title="Accumulo termico", body="Chi lo usa?"
)
from django.utils import timezone
from community.models import Thread
room = Thread.objects.create(
    community=community, title="Sala", kind="room", author=anna,
    last_activity_at=timezone.now(),
)
sessions = {}
for person in (anna, bruno, *members):
    client = Client()
    client.force_login(person)  # a real login: session row, signals, auth hash
    sessions[person.username] = client.cookies[settings.SESSION_COOKIE_NAME].value
print("SETUP " + json.dumps({
    "thread": thread.pk, "room": room.pk, "sessions": sessions,
    "thread_path": thread.get_absolute_url(), "room_path": room.get_absolute_url(),
}))
"""

POSTS = """
import json
from community.models import Post
rows = Post.objects.filter(thread_id=%d).order_by("pk").values_list("pk", "client_id")
print("POSTS " + json.dumps([[pk, client_id and str(client_id)] for pk, client_id in rows]))
"""

EVENTS = """
import json
from live.models import Event
rows = Event.objects.filter(stream__in=%r).order_by("stream", "seq")
print("EVENTS " + json.dumps(
    [[row.stream, row.seq, row.type, row.payload] for row in rows]
))
"""


def site_env(root, **overrides):
    """The harness's production settings, without a posting rate limit."""
    return processes.site_env(root, RATE_LIMIT_POSTS="100000", **overrides)


def prepare_site(env, *, password=None, people=()):
    """Migrate, collect static files, create a public community with a thread by Anna,
    and a session each for Anna (who posts) and Bruno (who reads, not a member); both
    sign in with `password` (none: they cannot sign in with a password). `people`:
    usernames of more members of the community (verified, same password), each
    with a session too.

    Returns {"thread": id, "room": id, "sessions": {"anna": key, "bruno": key, ...},
    "thread_path": the thread's address, "room_path": the room's}.
    """
    output = processes.build_site(
        env, f"PASSWORD = {password!r}\nPEOPLE = {list(people)!r}\n" + SETUP
    )
    return json.loads(re.search(r"^SETUP (.+)$", output, re.M).group(1))


def stored_posts(env, thread):
    """[(post id, client_id or None)] of `thread`, read by a separate process."""
    result = processes.manage("shell", "-c", POSTS % thread, env=env)
    assert result.returncode == 0, result.stderr
    rows = json.loads(re.search(r"^POSTS (.+)$", result.stdout, re.M).group(1))
    return [tuple(row) for row in rows]


def stored_events(env, streams):
    """{stream: [(seq, type, payload)] in seq order} of `streams`, read by a separate
    process."""
    result = processes.manage("shell", "-c", EVENTS % list(streams), env=env)
    assert result.returncode == 0, result.stderr
    rows = json.loads(re.search(r"^EVENTS (.+)$", result.stdout, re.M).group(1))
    events = {stream: [] for stream in streams}
    for stream, seq, type_, payload in rows:
        events[stream].append((seq, type_, payload))
    return events
