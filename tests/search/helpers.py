"""Shared set-up for the search tests: content written through the services, with
their after-commit subscribers run, and the search page read as a person."""

import re

from django.urls import reverse

from community.models import Community
from community.services import threads
from tests.community.thread_helpers import login
from tests.support.factories import CommunityFactory
from tests.support.roles import person_in

Visibility = Community.Visibility


def search_url(q, **extra):
    from urllib.parse import urlencode

    return reverse("search:search") + "?" + urlencode({"q": q, **extra})


def search_page(client, user, q, **extra):
    """The search page for `q` as `user` (None: a visitor); its HTML."""
    client.logout()
    response = login(client, user).get(search_url(q, **extra))
    assert response.status_code == 200
    return response.content.decode()


def result_count(html):
    """The number of results the page announces (0 when it says nothing was found)."""
    match = re.search(r"(\d+) results?", html)
    return int(match.group(1)) if match else 0


def community_with(commit, visibility=Visibility.PUBLIC, *, title, body, tags=()):
    """A community, its owner and a thread started through the service (indexed)."""
    community = CommunityFactory(visibility=visibility)
    owner = person_in(community, "owner")
    with commit(execute=True):
        thread = threads.thread_create(
            actor=owner, community=community, title=title, body=body, tags=tags
        )
    return community, owner, thread
