"""Grouped calls: what arrives while a group is written forms the next group."""

import asyncio
import threading

import pytest

from live.operations import Grouped

# Groups run through database_sync_to_async, which tidies the database connections.
pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


async def test_calls_that_arrive_while_a_group_runs_form_the_next_group():
    groups = []
    release = threading.Event()

    def run_group(items):
        groups.append(list(items))
        if len(groups) == 1:
            release.wait(5)
        return [item * 10 for item in items]

    grouped = Grouped(run_group)
    first = asyncio.ensure_future(grouped(1))
    for _ in range(500):
        if groups or first.done():
            break
        await asyncio.sleep(0.01)
    assert groups == [[1]], first.exception() if first.done() else "never started"
    later = [asyncio.ensure_future(grouped(n)) for n in (2, 3, 4)]
    await asyncio.sleep(0.05)
    release.set()

    assert await first == 10
    assert [await call for call in later] == [20, 30, 40]
    assert groups == [[1], [2, 3, 4]]


async def test_a_failing_group_fails_its_callers_only():
    def run_group(items):
        if 0 in items:
            raise ValueError("refused")
        return items

    grouped = Grouped(run_group)
    with pytest.raises(ValueError):
        await grouped(0)
    assert await grouped(5) == 5


async def test_groups_are_bounded():
    sizes = []

    def run_group(items):
        sizes.append(len(items))
        return items

    grouped = Grouped(run_group, max_size=3)
    assert await asyncio.gather(*(grouped(n) for n in range(7))) == list(range(7))
    assert sum(sizes) == 7 and max(sizes) <= 3
