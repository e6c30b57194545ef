"""Two daphne processes, one Redis, one PostgreSQL: the live engine works across processes.

A post made through one process reaches the sockets of the other through Redis, with the
same seq; a client that moves from one process to the other while posts are made catches
up from the shared Event table, exactly and in order. Needs redis-server and PostgreSQL
(`make test` installs and starts them); skips without them, fails without them under CI.
"""

import asyncio
import uuid
from contextlib import ExitStack

import pytest

from tests.scaleout.client import LiveClient
from tests.scaleout.sites import prepare_site, site_env
from tests.support.processes import (
    Daphne,
    postgres_database,
    redis_server,
    required,
)

pytestmark = [pytest.mark.scaleout, pytest.mark.xdist_group("scaleout")]

TIMEOUT = 60  # seconds, for each test's whole conversation


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """Processes A and B behind one Redis and one PostgreSQL database."""
    root = tmp_path_factory.mktemp("scaleout")
    with ExitStack() as stack:
        with required():
            database_url = stack.enter_context(postgres_database())
            redis_url = stack.enter_context(redis_server(root))
        env = site_env(root, DATABASE_URL=database_url, REDIS_URL=redis_url)
        site = prepare_site(env)
        logs = [root / "daphne-a.log", root / "daphne-b.log"]
        a, b = (stack.enter_context(Daphne(env, log)).url for log in logs)
        yield {"a": a, "b": b, "env": env, **site}
        for log in logs:
            text = log.read_text()
            assert "Traceback" not in text, text


def run(scenario):
    return asyncio.run(asyncio.wait_for(scenario, TIMEOUT))


def test_a_post_through_one_process_is_delivered_by_the_other(cluster):
    stream = f"thread:{cluster['thread']}"

    async def scenario():
        anna = await LiveClient.open(cluster["a"], cluster["sessions"]["anna"])
        bruno = await LiveClient.open(cluster["b"], cluster["sessions"]["bruno"])
        try:
            head = await anna.subscribe(stream)
            assert await bruno.subscribe(stream) == head

            # Anna posts through A; Bruno, on B, gets it from B with the same seq.
            client_id = str(uuid.uuid4())
            await anna.send(op="post", thread=cluster["thread"], body="Da A", client_id=client_id)
            await anna.until(lambda: client_id in anna.acks, "Anna's ack")
            for reader in (anna, bruno):
                await reader.until(lambda r=reader: r.seqs(stream) == [head + 1], "the event")
            sent_by_a, received_on_b = anna.events[stream][0], bruno.events[stream][0]
            assert received_on_b["type"] == "post.created"
            assert received_on_b["data"]["id"] == anna.acks[client_id]
            assert received_on_b["data"]["client_id"] == client_id
            assert received_on_b == sent_by_a

            # And the other way round: Anna, in a second tab connected to B, posts
            # there; her first tab, on A, gets it from A.
            anna_b = await LiveClient.open(cluster["b"], cluster["sessions"]["anna"])
            try:
                await anna_b.subscribe(stream, after=head + 1)
                reply_id = str(uuid.uuid4())
                await anna_b.send(
                    op="post", thread=cluster["thread"], body="Da B", client_id=reply_id
                )
                await anna_b.until(lambda: reply_id in anna_b.acks, "the ack from B")
                for reader in (anna, bruno, anna_b):
                    await reader.until(
                        lambda r=reader: r.seqs(stream)[-1:] == [head + 2], "the reply"
                    )
            finally:
                await anna_b.close()
            assert anna.seqs(stream) == bruno.seqs(stream) == [head + 1, head + 2]
            assert anna.events[stream][1]["data"]["id"] == anna_b.acks[reply_id]
            assert anna.events[stream] == bruno.events[stream]
            assert anna_b.events[stream] == anna.events[stream][1:]
            assert not anna.errors and not bruno.errors and not anna_b.errors
        finally:
            await anna.close()
            await bruno.close()

    run(scenario())


def test_a_client_moving_to_the_other_process_gets_exactly_what_it_missed(cluster):
    stream = f"thread:{cluster['thread']}"

    async def scenario():
        anna = await LiveClient.open(cluster["a"], cluster["sessions"]["anna"])
        bruno = await LiveClient.open(cluster["b"], cluster["sessions"]["bruno"])
        try:
            await anna.subscribe(stream)
            await bruno.subscribe(stream)
            first = str(uuid.uuid4())
            await anna.send(op="post", thread=cluster["thread"], body="Prima", client_id=first)
            await bruno.until(lambda: bruno.events[stream], "the first post on B")
            last_seen = bruno.last_seq(stream)
            await bruno.close()  # Bruno's connection to B drops

            missed = [str(uuid.uuid4()) for _ in range(5)]
            for number, client_id in enumerate(missed):
                await anna.send(
                    op="post", thread=cluster["thread"], body=f"Mentre eri via {number}",
                    client_id=client_id,
                )
            await anna.until(lambda: all(c in anna.acks for c in missed), "five acks")

            # Bruno reconnects, to A this time, from the last seq he saw.
            bruno = await LiveClient.open(cluster["a"], cluster["sessions"]["bruno"])
            assert await bruno.subscribe(stream, after=last_seen) == last_seen
            expected = list(range(last_seen + 1, last_seen + 6))
            await bruno.until(lambda: len(bruno.events[stream]) >= 5, "the missed posts")
            await asyncio.sleep(0.5)  # anything extra (a duplicate) would arrive by now
            assert bruno.seqs(stream) == expected
            assert [e["data"]["client_id"] for e in bruno.events[stream]] == missed
            assert [e["data"]["id"] for e in bruno.events[stream]] == [
                anna.acks[c] for c in missed
            ]
            assert not bruno.errors
        finally:
            await anna.close()
            await bruno.close()

    run(scenario())


def test_presence_and_typing_are_shared_across_processes(cluster):
    stream = f"thread:{cluster['room']}"

    def names(frame):
        return sorted(user["username"] for user in frame["users"])

    async def scenario():
        anna = await LiveClient.open(cluster["a"], cluster["sessions"]["anna"])
        bruno = await LiveClient.open(cluster["b"], cluster["sessions"]["bruno"])
        try:
            await anna.subscribe(stream)
            await anna.until(
                lambda: any(f["op"] == "presence" for f in anna.ephemeral[stream]),
                "Anna's presence",
            )
            await bruno.subscribe(stream)
            # B wrote Bruno into the shared cache and told A through Redis.
            for reader in (anna, bruno):
                await reader.until(
                    lambda r=reader: r.ephemeral[stream]
                    and r.ephemeral[stream][-1]["op"] == "presence"
                    and names(r.ephemeral[stream][-1]) == ["anna", "bruno"],
                    "both people present",
                )
            await bruno.send(op="typing", thread=cluster["room"])
            await anna.until(
                lambda: any(f["op"] == "typing" for f in anna.ephemeral[stream]),
                "Bruno's typing notice on A",
            )
            typing = [f for f in anna.ephemeral[stream] if f["op"] == "typing"]
            assert [f["user"]["username"] for f in typing] == ["bruno"]
            await bruno.close()
            await anna.until(
                lambda: names(
                    [f for f in anna.ephemeral[stream] if f["op"] == "presence"][-1]
                )
                == ["anna"],
                "Bruno leaving",
            )
            assert not anna.errors
        finally:
            await anna.close()
            await bruno.close()

    run(scenario())
