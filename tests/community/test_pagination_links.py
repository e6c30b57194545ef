"""Long lists show numbered page links around the current page and at both ends."""

import pytest

from tests.support.factories import PostFactory, ThreadFactory

pytestmark = pytest.mark.django_db


def test_long_thread_links_the_nearby_pages_and_both_ends(english, settings):
    settings.POSTS_PER_PAGE = 2
    thread = ThreadFactory()
    for _ in range(40):
        PostFactory(thread=thread)
    response = english.get(thread.get_absolute_url(), {"page": 10})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Page 10 of 20" in page
    assert '<span aria-current="page">10</span>' in page
    for number in (1, 8, 9, 11, 12, 20):
        assert f'href="?page={number}"' in page
    for number in (2, 7, 13, 19):
        assert f'href="?page={number}"' not in page
    assert page.count("…") >= 2
