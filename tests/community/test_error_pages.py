"""What people see when a page is missing, forbidden, broken or its form has expired."""

import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse

from community.models import Community
from tests.support.factories import (
    CommunityFactory,
    MembershipFactory,
    PostFactory,
    ThreadFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _production_errors(settings):
    settings.DEBUG = False
    settings.LANGUAGE_CODE = "en"


def test_unknown_community_shows_the_site_not_found_page(english):
    response = english.get(reverse("community:community-detail", args=["nope"]))
    page = response.content.decode()
    assert response.status_code == 404
    assert "Page not found" in page
    assert 'class="site-header"' in page
    assert reverse("community:home") in page
    assert reverse("account_login") in page


def test_private_community_looks_missing_to_strangers(english):
    community = CommunityFactory(visibility=Community.Visibility.PRIVATE)
    response = english.get(community.get_absolute_url())
    page = response.content.decode()
    assert response.status_code == 404
    assert "Page not found" in page
    assert community.name not in page


def test_editing_someone_elses_post_says_why_on_the_forbidden_page(english, user):
    post = PostFactory()
    MembershipFactory(user=user, community=post.thread.community)
    english.force_login(user)
    response = english.get(reverse("community:post-edit", args=[post.pk]))
    page = response.content.decode()
    assert response.status_code == 403
    assert "You cannot do this" in page
    assert "You can only edit your own posts." in page
    assert 'class="site-header"' in page


def test_restricted_thread_tells_visitors_it_is_for_members(english):
    thread = ThreadFactory(community__visibility=Community.Visibility.RESTRICTED)
    response = english.get(thread.get_absolute_url())
    page = response.content.decode()
    assert response.status_code == 403
    assert "Only the members of this community can read it." in page
    assert reverse("account_login") in page


def test_expired_form_explains_how_to_send_it_again(user):
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    response = client.post(reverse("community:community-create"), {"name": "X"})
    page = response.content.decode()
    assert response.status_code == 403
    assert "The form has expired" in page
    assert "reload the page" in page


def test_server_error_page_renders_without_a_request():
    page = render_to_string("500.html")
    assert "Something went wrong" in page
    assert "crocevia" in page.lower()
