"""The soak benchmark's loop and verdict, in a few seconds (bench/soak.py).

A short run of the soak itself (10 sockets, one daphne on SQLite, readings every few
seconds) must end with no loss: every post acknowledged and stored once with one
event, every socket's streams gap-free against the database. The verdict is then shown
to catch what it is there for: an event a socket never got, one delivered twice, an
acknowledged post missing from the database or stored twice, memory or descriptors
that grow after warm-up. (Whether memory is flat is judged by the ten-minute run,
not here: a few seconds are all warm-up.)
"""

import argparse
import asyncio
import copy

import pytest

from bench import soak

pytestmark = [pytest.mark.faults, pytest.mark.slow, pytest.mark.xdist_group(__name__)]


def readings(rss, fds):
    return [
        soak.Reading(
            minute=i + 1, rss_mb=mb, fds=n, cpu_share=0.1, window=soak.Window()
        )
        for i, (mb, n) in enumerate(zip(rss, fds, strict=True))
    ]


def test_flat_judges_growth_after_warm_up():
    # The first two readings are warm-up: growth there is not judged.
    ok, fds_ok, _ = soak.flat(readings([80, 100, 101, 99, 102], [40, 40, 41, 40, 40]))
    assert ok and fds_ok
    ok, fds_ok, lines = soak.flat(
        readings([80, 100, 104, 108, 112], [40, 40, 40, 40, 40])
    )
    assert ok is False and fds_ok
    assert "GROWS" in lines[0]
    ok, fds_ok, lines = soak.flat(
        readings([80, 100, 100, 100, 100], [40, 40, 45, 50, 55])
    )
    assert ok and fds_ok is False
    assert "GROW" in lines[1]
    # Too short to judge: neither a pass nor a failure.
    assert soak.flat(readings([80, 100], [40, 40]))[:2] == (None, None)


def test_a_short_soak_loses_nothing_and_its_verdict_catches_losses():
    options = soak.parse_args(
        ["--minutes", "0.2", "--sockets", "10", "--rate", "10", "--interval", "3"]
    )
    assert isinstance(options, argparse.Namespace)
    lines = []
    result = asyncio.run(soak.soak(options, say=lambda *args, **_: lines.append(args)))

    acked = sum(len(s.acks) for s in result.sockets)
    assert acked == int(0.2 * 60 * 10), lines
    assert len(result.readings) == 4
    assert soak.losses(result) == []
    _ok, verdict = soak.verdict(result)
    assert "no loss" in verdict[-1], verdict
    # The closed sockets' descriptors are let go (memory is not judged in seconds).
    assert any(line.endswith("back") for line in verdict), verdict
    # Every socket follows three of the eight streams and got their events.
    assert all(len(s.streams) == 3 and all(s.seqs.values()) for s in result.sockets)

    # An event one socket never received.
    dropped = copy.deepcopy(result)
    socket = dropped.sockets[3]
    stream = socket.streams[0]
    seqs = socket.seqs[stream]
    del seqs[len(seqs) // 2]
    assert any(f"socket 3 on {stream}: 1 missing" in p for p in soak.losses(dropped))
    assert soak.verdict(dropped)[0] is False

    # The same event delivered twice.
    doubled = copy.deepcopy(result)
    doubled.sockets[0].seqs[doubled.sockets[0].streams[1]].append(
        doubled.sockets[0].seqs[doubled.sockets[0].streams[1]][-1]
    )
    assert "1 events delivered twice" in soak.losses(doubled)

    # An acknowledged post missing from the database (its event is kept).
    missing = copy.deepcopy(result)
    missing.database["posts"].pop(5)
    assert "1 acknowledged posts not stored" in soak.losses(missing)

    # An acknowledged post stored twice, under another id.
    twice = copy.deepcopy(result)
    pk, client_id, thread = twice.database["posts"][0]
    twice.database["posts"].append([pk + 100_000, client_id, thread])
    assert "1 acknowledged posts stored more than once" in soak.losses(twice)

    # Descriptors the closed sockets left behind.
    kept = copy.deepcopy(result)
    kept.fds_after = kept.fds_collected = kept.fds_before + soak.FD_SLACK_CLOSED + 1
    ok, verdict = soak.verdict(kept)
    assert ok is False and any(line.endswith("KEPT") for line in verdict)

    # A post whose event the log lacks.
    no_event = copy.deepcopy(result)
    rows = next(rows for rows in no_event.database["events"].values() if rows)
    rows[-1][1] = "post.updated"
    assert "1 acknowledged posts without a post.created event" in soak.losses(no_event)
