"""The review queue lives: reports and decisions are announced (ids only) on the
community's `moderation:<id>` stream and on staff's `review:1`, which only they may
follow; the navigation's count comes from an endpoint obeying the same rules."""

import pytest
from asgiref.sync import sync_to_async
from django.urls import reverse

from community.models import Report, ReviewItem
from community.services import reports, threads
from live.models import Event
from tests.community.thread_helpers import community_with_thread
from tests.live.sockets import connect, frames, subscribe
from tests.support.factories import CommunityFactory, UserFactory
from tests.support.roles import member_of, person_in


def _reported_post():
    community, owner, thread = community_with_thread()
    author = member_of(community)
    post = threads.post_reply(actor=author, thread=thread, body="Offerta SPAM")
    return community, owner, post


def _report(post, community):
    return reports.post_report(
        actor=member_of(community), post=post, reason=Report.Reason.SPAM
    )


def _types(stream):
    return list(
        Event.objects.filter(stream=stream)
        .order_by("seq")
        .values_list("type", "payload")
    )


@pytest.mark.django_db
def test_reports_claims_and_decisions_are_announced_to_moderators_and_staff():
    community, owner, post = _reported_post()
    _report(post, community)
    _report(post, community)
    item = ReviewItem.objects.get(post=post)
    reports.review_claim(actor=owner, item=item)
    reports.review_decide(actor=owner, item=item, decision="dismissed")
    expected = [
        ("review.opened", {"item": item.pk, "community": community.pk}),
        ("review.reported", {"item": item.pk, "community": community.pk}),
        ("review.claimed", {"item": item.pk, "community": community.pk}),
        ("review.closed", {"item": item.pk, "community": community.pk}),
    ]
    assert [
        (type, payload)
        for type, payload in _types(f"moderation:{community.pk}")
        if type.startswith("review.")
    ] == expected
    assert _types("review:1") == expected


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "status", "streams"),
    [
        ("member", 403, None),
        ("other_moderator", 200, "other"),
        ("moderator", 200, "own"),
        ("staff", 200, ["review:1"]),
    ],
)
def test_the_live_count_endpoint(client, role, status, streams):
    community, _owner, post = _reported_post()
    _report(post, community)
    other = CommunityFactory()
    viewer = (
        person_in(other, "moderator")
        if role == "other_moderator"
        else person_in(community, role)
    )
    client.force_login(viewer)
    response = client.get(reverse("community:review-live"))
    assert response.status_code == status
    if status != 200:
        return
    data = response.json()
    if streams == "own":
        assert data == {"pending": 1, "streams": [f"moderation:{community.pk}"]}
    elif streams == "other":
        assert data == {"pending": 0, "streams": [f"moderation:{other.pk}"]}
    else:
        assert data == {"pending": 1, "streams": streams}


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("role", "allowed"),
    [("member", False), ("moderator", False), ("owner", False), ("staff", True)],
)
async def test_only_staff_follow_the_staff_stream(role, allowed):
    community, _owner, _post = await sync_to_async(_reported_post)()
    viewer = await sync_to_async(person_in)(community, role)
    socket = await connect(viewer)
    answer = await subscribe(socket, "review:1")
    await socket.disconnect()
    assert (answer[0]["op"] == "subscribed") is allowed, answer


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_a_moderators_socket_hears_a_new_report_at_once():
    community, owner, post = await sync_to_async(_reported_post)()
    moderator = await sync_to_async(person_in)(community, "moderator")
    member = await sync_to_async(member_of)(community)
    watching = await connect(moderator)
    assert (await subscribe(watching, f"moderation:{community.pk}"))[0][
        "op"
    ] == "subscribed"
    outsider = await connect(member)
    refused = await subscribe(outsider, f"moderation:{community.pk}")
    assert refused[0]["op"] == "error"

    await sync_to_async(_report)(post, community)

    heard = [frame for frame in await frames(watching) if frame["op"] == "event"]
    nothing = [frame for frame in await frames(outsider) if frame["op"] == "event"]
    await watching.disconnect()
    await outsider.disconnect()
    assert [frame["type"] for frame in heard] == ["review.opened"]
    assert "SPAM" not in str(heard)
    assert nothing == []


@pytest.mark.django_db
def test_the_navigation_badge_is_always_there_for_moderators_to_fill(client):
    community, owner, _post = _reported_post()
    client.force_login(owner)
    page = client.get(reverse("community:home")).content.decode()
    assert "data-review-open hidden>0<" in page
    assert "js/review_live" in page
    client.force_login(UserFactory())
    page = client.get(reverse("community:home")).content.decode()
    assert "review_live" not in page


@pytest.mark.django_db
@pytest.mark.parametrize("combined", [False, True])
def test_the_queue_script_gets_the_list_alone_as_json(client, settings, combined):
    settings.LANGUAGE_CODE = "en"
    community, owner, post = _reported_post()
    _report(post, community)
    client.force_login(owner)
    url = (
        reverse("community:review-combined")
        if combined
        else reverse("community:review-queue", args=[community.slug])
    )
    answer = client.get(url, headers={"X-Requested-With": "fetch"})
    assert answer["Content-Type"] == "application/json"
    assert "X-Requested-With" in answer["Vary"]
    data = answer.json()
    assert data["pending"] == 1
    assert "Offerta SPAM" in data["html"] and "1 report" in data["html"]
    assert "<html" not in data["html"]
    client.force_login(member_of(community))
    refused = client.get(url, headers={"X-Requested-With": "fetch"})
    assert refused.status_code == 403
    assert "Offerta SPAM" not in refused.content.decode()
