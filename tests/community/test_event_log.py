"""The event log: gap-free sequence numbers per stream, written with the change or not at all."""

import pytest
from django.db import transaction

from live.events import event_record, group_name, stream_name
from live.models import Event


@pytest.mark.django_db
def test_sequence_numbers_are_per_stream_and_gap_free():
    with transaction.atomic():
        for _ in range(3):
            event_record(stream="thread:1", type="post.created", payload={})
        event_record(stream="thread:2", type="post.created", payload={})
    assert list(
        Event.objects.filter(stream="thread:1").values_list("seq", flat=True)
    ) == [1, 2, 3]
    assert list(Event.objects.filter(stream="thread:2").values_list("seq", flat=True)) == [1]


@pytest.mark.django_db
def test_rolled_back_change_leaves_no_event_and_no_gap():
    with transaction.atomic():
        event_record(stream="thread:7", type="post.created", payload={})
    with pytest.raises(RuntimeError), transaction.atomic():
        event_record(stream="thread:7", type="post.created", payload={})
        raise RuntimeError("validation failed after the event was recorded")
    with transaction.atomic():
        event_record(stream="thread:7", type="post.edited", payload={})
    assert list(Event.objects.filter(stream="thread:7").values_list("seq", "type")) == [
        (1, "post.created"),
        (2, "post.edited"),
    ]


@pytest.mark.django_db(transaction=True)
def test_recording_outside_a_transaction_is_refused():
    with pytest.raises(RuntimeError):
        event_record(stream="thread:1", type="post.created", payload={})
    assert not Event.objects.exists()


@pytest.mark.django_db
def test_broadcast_happens_only_after_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        with transaction.atomic():
            event_record(stream="community:3", type="member.joined", payload={"x": 1})
    assert len(callbacks) == 1


@pytest.mark.parametrize("bad", ["thread:abc", "thread:1:2", "Thread:1", "live.x", "thread:"])
def test_group_names_accept_only_kind_and_integer_id(bad):
    with pytest.raises(ValueError):
        group_name(bad)


def test_stream_and_group_names():
    assert stream_name("thread", "42") == "thread:42"
    assert group_name("thread:42") == "live.thread.42"


@pytest.mark.django_db
def test_prune_events_keeps_recent_ones_and_catch_up_then_asks_for_resync(capsys):
    import datetime

    from django.core.management import call_command
    from django.utils import timezone

    from live.catchup import events_after

    with transaction.atomic():
        for _ in range(3):
            event_record(stream="thread:5", type="post.created", payload={})
    Event.objects.filter(seq__lte=2).update(
        created_at=timezone.now() - datetime.timedelta(days=40)
    )
    call_command("prune_events", "--days", "30")
    assert "Deleted 2 events" in capsys.readouterr().out
    assert list(Event.objects.values_list("seq", flat=True)) == [3]
    assert events_after("thread:5", 2, 100)[1] is True
    assert events_after("thread:5", 0, 100) == ([], False)
