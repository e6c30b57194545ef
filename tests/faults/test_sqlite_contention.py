"""Eight people post at once, over the HTTP forms and the socket, on the embedded SQLite.

One daphne on the default database settings (WAL, immediate transactions, busy
timeout, kept connections): four writers post the thread's and the room's reply forms
without JavaScript while four send over the socket, 50 posts each, all at the same
time. Every post is stored once, nobody sees "database is locked" (nor any 5xx or
error frame, nor the words in daphne's log), and each stream's events are numbered
1, 2, 3, ... without a gap.
"""

import asyncio
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from functools import partial

import pytest

from tests.scaleout.client import FormSession, LiveClient
from tests.scaleout.sites import prepare_site, site_env, stored_events, stored_posts
from tests.support.processes import Daphne

pytestmark = [pytest.mark.faults, pytest.mark.slow, pytest.mark.xdist_group(__name__)]

POSTS_EACH = 50
WINDOW = 5  # posts a socket writer keeps in flight before waiting for acks
TIMEOUT = 300  # seconds for the whole burst, on a loaded two-core machine

# (person, how they post, where): two of each.
WRITERS = [
    ("carla", "form", "thread"),
    ("dario", "form", "room"),
    ("elena", "socket", "thread"),
    ("fabio", "socket", "room"),
    ("giulia", "form", "thread"),
    ("luca", "form", "room"),
    ("marta", "socket", "thread"),
    ("nico", "socket", "room"),
]


def form_writer(base_url, session_key, page, action, name):
    """Post POSTS_EACH replies through the page's form, one after another, as a
    browser without JavaScript does; return [(client_id, status, location)]."""
    browser = FormSession(base_url, session_key)
    fields = browser.form(page, action)
    assert {"csrfmiddlewaretoken", "client_id", "body"} <= set(fields), fields
    answers = []
    for number in range(POSTS_EACH):
        # A fresh client_id per post, as each freshly rendered form has.
        client_id = str(uuid.uuid4())
        data = {**fields, "body": f"{name} {number}", "client_id": client_id}
        status, headers, _text = browser.request(action, data)
        answers.append((client_id, status, headers.get("Location")))
    return answers


async def socket_writer(base_url, session_key, thread, name):
    """Send POSTS_EACH posts over the socket, WINDOW in flight; return the client
    once every post is acknowledged."""
    client = await LiveClient.open(base_url, session_key, timeout=60)
    posts = [(str(uuid.uuid4()), f"{name} {number}") for number in range(POSTS_EACH)]
    sent = 0

    def acked():
        return sum(1 for client_id, _body in posts if client_id in client.acks)

    while (done := acked()) < len(posts):
        if sent < len(posts) and sent - done < WINDOW:
            client_id, body = posts[sent]
            await client.send(op="post", thread=thread, body=body, client_id=client_id)
            sent += 1
        else:
            await client.until(
                lambda done=done: acked() > done,
                f"{name}'s ack #{done + 1}",
                timeout=120,
            )
    await client.close()
    return client, [client_id for client_id, _body in posts]


def test_eight_writers_over_forms_and_sockets_lose_nothing_and_never_lock(tmp_path):
    env = site_env(tmp_path)
    site = prepare_site(env, people=[name for name, _how, _where in WRITERS])
    threads = {"thread": site["thread"], "room": site["room"]}
    log = tmp_path / "daphne.log"

    # The thread's reply page and the room's page, and where their forms post.
    forms = {
        "thread": (f"{site['thread_path']}reply/", f"{site['thread_path']}reply/"),
        "room": (site["room_path"], f"{site['room_path']}post/"),
    }

    with Daphne(env, log, timeout=60) as daphne:

        async def burst():
            loop = asyncio.get_running_loop()
            with ThreadPoolExecutor(max_workers=4) as pool:
                writers = []
                for name, how, where in WRITERS:
                    session = site["sessions"][name]
                    if how == "form":
                        write = partial(form_writer, daphne.url, session, *forms[where])
                        writers.append(loop.run_in_executor(pool, write, name))
                    else:
                        write = socket_writer(daphne.url, session, threads[where], name)
                        writers.append(asyncio.ensure_future(write))
                return await asyncio.wait_for(asyncio.gather(*writers), TIMEOUT)

        results = asyncio.run(burst())

    text = log.read_text()
    assert "database is locked" not in text
    assert "Traceback" not in text, text[-3000:]

    sent = {"thread": [], "room": []}
    for (name, how, where), result in zip(WRITERS, results, strict=True):
        if how == "form":
            refused = [
                (status, location) for _c, status, location in result if status != 302
            ]
            assert not refused, f"{name}'s form posts answered {refused[:5]}"
            sent[where] += [client_id for client_id, _status, _location in result]
        else:
            client, client_ids = result
            assert not client.errors, f"{name}'s error frames: {client.errors[:5]}"
            sent[where] += client_ids

    stored = {where: stored_posts(env, threads[where]) for where in ("thread", "room")}
    for where in ("thread", "room"):
        by_client_id = Counter(
            client_id for _pk, client_id in stored[where] if client_id
        )
        assert by_client_id == Counter(sent[where]), f"the {where}'s posts"
    assert sum(len(ids) for ids in sent.values()) == len(WRITERS) * POSTS_EACH == 400

    streams = {where: f"thread:{threads[where]}" for where in ("thread", "room")}
    events = stored_events(env, streams.values())
    for where, stream in streams.items():
        seqs = [seq for seq, _type, _payload in events[stream]]
        assert seqs == list(range(1, len(seqs) + 1)), f"{stream} has gaps"
        created = Counter(
            payload["id"]
            for _seq, type_, payload in events[stream]
            if type_ == "post.created"
        )
        posts = {pk for pk, client_id in stored[where] if client_id}
        assert {pk: created[pk] for pk in posts} == dict.fromkeys(posts, 1)
