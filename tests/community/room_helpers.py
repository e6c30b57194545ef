"""Shared set-up for the room tests: rooms, messages, their addresses and page parts."""

import re
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from community.models import Community, Post
from community.services import rooms, threads
from live.events import event_frames, languages
from live.models import Event
from tests.community.thread_helpers import community_with_thread
from tests.support.factories import MembershipFactory, UserFactory

Visibility = Community.Visibility


def community_with_room(visibility=Visibility.PUBLIC, name="Generale"):
    """A community (with one discussion), its owner, and a room the owner opened."""
    community, owner, _thread = community_with_thread(visibility)
    room = rooms.room_create(actor=owner, community=community, name=name)
    return community, owner, room


def room_url(room, **query):
    url = reverse("community:room-detail", args=[room.community.slug, room.pk])
    if query:
        url += "?" + "&".join(f"{key}={value}" for key, value in query.items())
    return url


def post_url(room):
    return reverse("community:room-post", args=[room.community.slug, room.pk])


def read_url(room):
    return reverse("community:room-read", args=[room.community.slug, room.pk])


def promote_url(post):
    return reverse("community:post-promote", args=[post.pk])


def say(room, author, body, *, minutes_ago=None):
    """A room message through the service; `minutes_ago` backdates it."""
    post = threads.post_reply(actor=author, thread=room, body=body)
    if minutes_ago is not None:
        when = timezone.now() - timedelta(minutes=minutes_ago)
        Post.objects.filter(pk=post.pk).update(created_at=when)
        post.created_at = when
    return post


def events(stream):
    return list(Event.objects.filter(stream=stream).order_by("seq"))


def presented(event):
    """The event's data as live clients receive it (rendered in every language)."""
    (frame,) = event_frames([event], languages())
    return frame["data"]


def message_items(html):
    """(post id, grouped?) for each message of a room page, in page order."""
    return [
        (int(pk), "room-message--grouped" in classes)
        for classes, pk in re.findall(
            r'<li class="(room-message[^"]*)" id="p\d+" data-post="(\d+)"', html
        )
    ]


def day_labels(html):
    return re.findall(r'<h3 class="room-day__label">([^<]*)</h3>', html)


def viewer(client, community, role):
    """Sign `client` in as a new member (`role` "member"), or not at all ("anonymous")."""
    if role == "anonymous":
        return None
    user = UserFactory()
    MembershipFactory(user=user, community=community)
    client.force_login(user)
    return user
