"""The demo network: believable, complete, created through services, and idempotent."""

import pytest
from django.core.management import call_command

from community.models import (
    Affiliation,
    Community,
    Event,
    Membership,
    Organisation,
    Thread,
    User,
)


@pytest.mark.django_db
def test_seed_demo_builds_the_network_once_and_prints_logins(capsys):
    call_command("seed_demo", "--first-start")
    output = capsys.readouterr().out
    assert "giulia@demo.crocevia.it" in output and "crocevia-demo" in output

    assert User.objects.count() == 30
    assert Organisation.objects.count() == 12
    assert set(Organisation.objects.values_list("kind", flat=True)) == set(Organisation.Kind.values)
    assert Community.objects.count() == 8
    assert Community.objects.filter(visibility="private").count() == 1
    assert Community.objects.filter(visibility="restricted").count() == 1
    discussions = Thread.objects.filter(kind="discussion")
    assert discussions.count() == 60
    assert all(t.post_count >= 1 for t in discussions)
    assert discussions.filter(post_count__gt=1).count() > 40
    rooms = Thread.objects.filter(kind="room")
    assert rooms.count() == 3 and all(room.post_count >= 2 for room in rooms)
    # Counters kept by the services match the rows.
    for community in Community.objects.all():
        assert community.thread_count == community.threads.filter(kind="discussion").count()
        assert community.member_count == community.memberships.filter(state="active").count()
    assert Membership.objects.filter(state="pending").exists()
    assert Membership.objects.filter(state="invited").exists()
    assert Affiliation.objects.filter(state="pending").exists()
    # Services wrote the live log along the way.
    assert Event.objects.filter(type="post.created").count() == sum(
        t.post_count for t in Thread.objects.all()
    )

    events = Event.objects.count()
    call_command("seed_demo")
    assert "already present" in capsys.readouterr().out
    assert User.objects.count() == 30 and Event.objects.count() == events


@pytest.mark.django_db
def test_first_start_leaves_a_database_in_use_alone(capsys, user):
    call_command("seed_demo", "--first-start")
    assert "not added" in capsys.readouterr().out
    assert not Community.objects.exists()
