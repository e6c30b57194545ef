"""The demo network: believable, complete, created through services, and idempotent."""

import datetime

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from community.models import (
    Affiliation,
    AuditEntry,
    Community,
    HeldPost,
    Membership,
    ModerationNotice,
    Organisation,
    Post,
    ReviewItem,
    Thread,
    User,
)
from live.models import Event


@pytest.mark.django_db
def test_seed_demo_builds_the_network_once_and_prints_logins(capsys):
    call_command("seed_demo", "--first-start")
    output = capsys.readouterr().out
    assert "giulia@demo.crocevia.it" in output and "crocevia-demo" in output

    assert User.objects.count() == 30
    assert Organisation.objects.count() == 12
    assert set(Organisation.objects.values_list("kind", flat=True)) == set(Organisation.Kind.values)
    # Eight communities, and the discussions of the two demo workspaces and of two
    # past deals (innovation's demo: archived, their outcomes recorded).
    assert Community.objects.filter(kind="community").count() == 8
    assert Community.objects.filter(kind="workspace").count() == 4
    from innovation.models import Outcome

    assert sorted(Outcome.objects.values_list("result", flat=True)) == [
        "no_agreement",
        "rd_contract",
    ]
    assert all(outcome.workspace.is_archived for outcome in Outcome.objects.all())
    # The innovation history is written without events: the search index is rebuilt
    # at the end, so its public challenges and offers are found like the rest.
    from search.models import Entry

    assert Entry.objects.filter(kind="challenge").exists()
    assert Entry.objects.filter(kind="offer").exists()
    assert Community.objects.filter(kind="community", visibility="private").count() == 1
    assert Community.objects.filter(kind="community", visibility="restricted").count() == 1
    discussions = Thread.objects.filter(kind="discussion", community__kind="community")
    assert discussions.count() == 60
    assert all(t.post_count >= 1 for t in discussions)
    assert discussions.filter(post_count__gt=1).count() > 40
    rooms = Thread.objects.filter(kind="room", community__kind="community")
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


@pytest.mark.django_db
def test_demo_people_join_before_they_post_and_sign_up_before_they_join():
    call_command("seed_demo")

    memberships = Membership.objects.filter(state="active").select_related(
        "community", "user"
    )
    assert memberships.count() > 50
    for membership in memberships:
        community, person = membership.community, membership.user
        posts = Post.objects.filter(thread__community=community, author=person)
        early = posts.filter(created_at__lt=membership.created_at)
        assert not early.exists(), (person.username, community.slug, early.first())
        assert community.created_at <= membership.created_at
        assert person.date_joined <= membership.created_at
        if membership.role == "owner":
            assert membership.created_at == community.created_at
    for community in Community.objects.all():
        assert not community.threads.filter(created_at__lt=community.created_at)
    for affiliation in Affiliation.objects.filter(state="active").select_related(
        "user", "organisation"
    ):
        assert affiliation.user.date_joined <= affiliation.decided_at
        assert affiliation.organisation.created_at <= affiliation.decided_at
    # The history is in the past, and what still waits for an answer is recent.
    assert not User.objects.filter(date_joined__gt=timezone.now()).exists()
    waiting = Membership.objects.exclude(state="active")
    assert waiting.exists() and all(
        timezone.now() - m.created_at < datetime.timedelta(minutes=5) for m in waiting
    )


@pytest.mark.django_db
def test_a_new_moderator_finds_a_working_queue(client, capsys):
    """marco (moderator of Manifattura avanzata) signs in to reports waiting, one post
    hidden by reports, a silenced and a warned member, and an audit log to read; the
    printed logins name the warned and the silenced member."""
    call_command("seed_demo")
    printed = capsys.readouterr().out
    community = Community.objects.get(slug="manifattura-avanzata")
    open_items = ReviewItem.objects.filter(community=community, status="open")
    assert open_items.count() == 2
    assert sorted(item.reports.count() for item in open_items) == [2, 3]
    hidden = open_items.get(hidden_by_reports=True)
    assert hidden.post.is_hidden
    closed = ReviewItem.objects.get(community=community, status="closed")
    assert closed.decision == "silenced" and closed.decided_by.username == "marco"
    silenced = Membership.objects.get(community=community, user=closed.post.author)
    assert silenced.muted_until > timezone.now()
    warning = ModerationNotice.objects.get(kind="warning")
    assert warning.community == community and warning.reason
    # The logins printed at start say who shows what.
    logins = {
        line.split()[0]: line for line in printed.splitlines() if "@demo.crocevia.it" in line
    }
    assert closed.post.author.username == "luca"
    assert "silenced in Manifattura avanzata" in logins["luca@demo.crocevia.it"]
    assert warning.user.username == "alessandro"
    assert "warned in Manifattura avanzata" in logins["alessandro@demo.crocevia.it"]
    actions = set(
        AuditEntry.objects.filter(community=community).values_list("action", flat=True)
    )
    assert {
        "member.promoted",
        "post.hidden_by_reports",
        "member.silenced",
        "member.warned",
        "settings.changed",
    } <= actions

    client.force_login(User.objects.get(username="marco"))
    queue = client.get(reverse("community:review-queue", args=[community.slug]))
    page = queue.content.decode()
    assert page.count('class="review-item"') == 2
    # Two reported posts and one held first post wait for a moderator.
    assert 'data-review-open>3<' in page
    held = HeldPost.objects.get(community=community)
    assert held.is_held and held.why == "first_posts"
    assert not Membership.objects.filter(
        community=community, user=held.author, role__in=("owner", "moderator")
    ).exists()
    assert not Post.objects.filter(author=held.author, thread__community=community)
    held_page = client.get(reverse("community:held-posts", args=[community.slug]))
    assert held.body[:40] in held_page.content.decode()
    members = client.get(reverse("community:moderation-members", args=[community.slug]))
    assert members.status_code == 200
    # Nobody else reads it on the thread's page; its author sees it waiting.
    text = held.body[:40].replace("'", "&#x27;")
    client.force_login(User.objects.get(username="silvia"))
    assert text not in client.get(held.thread.get_absolute_url()).content.decode()
    client.force_login(held.author)
    assert text in client.get(held.thread.get_absolute_url()).content.decode()
