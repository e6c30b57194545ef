"""The after-commit subscribers on the server's worker thread: the author's ack never
waits for them, waiting commits are taken together, the worker's own commits reach
sockets through the hub, and a burst cannot grow it without bound."""

import threading
import time

import pytest
from asgiref.sync import sync_to_async
from django.test import Client
from django.urls import reverse

from community.services import threads
from live import subscribers as live_subscribers
from live.subscribers import Worker
from notifications.models import Notification
from tests.community.thread_helpers import community_with_thread
from tests.live.sockets import connect, frames, send_post, subscribe
from tests.support.roles import member_of


@pytest.fixture
def recorded(monkeypatch):
    """A batch subscriber that records what it gets, and waits while `hold` is clear,
    in front of the site's own."""
    hold = threading.Event()
    hold.set()
    calls = []
    started = threading.Event()

    def record(events):
        started.set()
        hold.wait(10)
        calls.append(list(events))

    monkeypatch.setattr(
        live_subscribers, "_subscribers", [(record, True), *live_subscribers._subscribers]
    )
    return hold, calls, started


@pytest.fixture
def worker_on(settings):
    """The server's setting; whatever a test leaves to the worker is done before its
    database goes."""
    settings.LIVE_SUBSCRIBER_WORKER = True
    yield
    assert live_subscribers.drain(10)


@sync_to_async
def _thread_and_members():
    community, owner, thread = community_with_thread()
    return thread, member_of(community), member_of(community)


@sync_to_async
def _search_results(person, word):
    """How many results the search page lists for `person`."""
    client = Client()
    client.force_login(person)
    page = client.get(reverse("search:search"), {"q": word}).content.decode()
    return page.count('<li class="search-result ')


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_the_ack_does_not_wait_for_the_subscribers(worker_on, recorded):
    hold, calls, started = recorded
    thread, ada, bruno = await _thread_and_members()
    socket = await connect(ada)
    calls.clear()  # the set-up's own commits (no server loop: run at once)
    started.clear()
    hold.clear()

    answer = await send_post(socket, thread.pk, f"Ecco il prototipo, @{bruno.username}")

    assert answer["op"] == "ack"
    assert await sync_to_async(started.wait)(5)  # the worker has the commit, held
    assert calls == []
    assert not await sync_to_async(Notification.objects.filter(recipient=bruno).exists)()
    assert await _search_results(bruno, "prototipo") == 0
    hold.set()
    assert await sync_to_async(live_subscribers.drain)(5)
    assert [(e.type, e.payload["id"]) for e in calls[0]] == [
        ("post.created", answer["post"])
    ]
    assert await sync_to_async(Notification.objects.filter(recipient=bruno).count)() == 1
    assert await _search_results(bruno, "prototipo") == 1
    await socket.disconnect()


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_the_workers_notification_reaches_the_bell_through_the_hub(worker_on):
    thread, ada, bruno = await _thread_and_members()
    writer = await connect(ada)
    reader = await connect(bruno)
    assert (await subscribe(reader, f"user:{bruno.pk}"))[0]["op"] == "subscribed"

    await send_post(writer, thread.pk, f"Ti interessa, @{bruno.username}?")
    assert await sync_to_async(live_subscribers.drain)(5)

    received = [f for f in await frames(reader) if f.get("op") == "event"]
    notification = await sync_to_async(Notification.objects.get)(recipient=bruno)
    assert [(f["type"], f["data"]) for f in received] == [
        ("notification.created", {"id": notification.pk, "kind": "mention"})
    ]
    await writer.disconnect()
    await reader.disconnect()


@pytest.mark.django_db
def test_without_a_server_loop_the_writer_runs_them_itself(
    settings, monkeypatch, django_capture_on_commit_callbacks
):
    """A management command or a test: the work is done when the commit returns,
    worker or not."""
    settings.LIVE_SUBSCRIBER_WORKER = True
    community, owner, thread = community_with_thread()
    bruno = member_of(community)
    monkeypatch.setattr(live_subscribers, "worker", pytest.fail)

    with django_capture_on_commit_callbacks(execute=True):
        threads.post_reply(actor=owner, thread=thread, body=f"Ciao @{bruno.username}")

    assert Notification.objects.filter(recipient=bruno).exists()


def test_waiting_commits_are_taken_together_in_commit_order(recorded):
    hold, calls, started = recorded
    singles = []
    live_subscribers._subscribers.append((singles.append, False))
    worker = Worker(backlog=100)
    loop = object()
    hold.clear()

    worker.put(loop, ["a1", "a2"])
    assert started.wait(5)
    worker.put(loop, ["b1"])
    worker.put(loop, ["c1", "c2"])
    hold.set()

    assert worker.drain(5)
    assert calls == [["a1", "a2"], ["b1", "c1", "c2"]]
    assert singles == ["a1", "a2", "b1", "c1", "c2"]


def test_a_full_backlog_makes_writers_wait(recorded):
    hold, calls, started = recorded
    worker = Worker(backlog=1)
    loop = object()
    hold.clear()
    worker.put(loop, ["a"])
    assert started.wait(5)  # taken: the worker holds it, nothing waits
    worker.put(loop, ["b"])  # the backlog is full now
    third = threading.Thread(target=worker.put, args=(loop, ["c"]))
    third.start()
    time.sleep(0.2)
    assert third.is_alive()  # the writer waits for room

    hold.set()
    third.join(5)
    assert not third.is_alive()
    assert worker.drain(5)
    assert calls == [["a"], ["b"], ["c"]] or calls == [["a"], ["b", "c"]]


def test_drain_says_when_it_gave_up(recorded):
    hold, _calls, started = recorded
    worker = Worker(backlog=10)
    hold.clear()
    worker.put(object(), ["a"])
    assert started.wait(5)
    assert worker.drain(0.1) is False
    hold.set()
    assert worker.drain(5) is True


def test_a_failing_subscriber_stops_neither_the_others_nor_the_worker(monkeypatch):
    seen = []

    def broken(events):
        raise RuntimeError("index unavailable")

    monkeypatch.setattr(
        live_subscribers, "_subscribers", [(broken, True), (seen.append, False)]
    )
    worker = Worker(backlog=10)
    worker.put(object(), ["a"])
    assert worker.drain(5)
    worker.put(object(), ["b"])
    assert worker.drain(5)
    assert seen == ["a", "b"]
