"""In an introduction's three-way thread the broker's posts carry an "Innovation desk"
badge beside the name — on the page and in the live fragment — so the two firms know
who introduced them; nobody else's posts do, nor a facilitator's posts elsewhere, nor
the broker's once they are no facilitator any more."""

import re

import pytest
from django.utils import translation

from community import live as community_live
from community.services import threads
from innovation.models import Facilitator
from innovation.services import desk
from live.models import Event
from tests.community.thread_helpers import community_with_thread
from tests.innovation.factories_desk import facilitator, person_of
from tests.support.factories import OrganisationFactory
from tests.support.roles import member_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

BADGE = "data-author-badge"


@pytest.fixture
def introduced():
    first = person_of(OrganisationFactory(name="Politecnico"))
    second = person_of(OrganisationFactory(name="Acciaierie Brianza"))
    broker = facilitator()
    introduction = desk.introduction_create(
        actor=broker,
        first=first.username,
        second=second.username,
        message="You both work on green steel: meet.",
    )
    threads.post_reply(actor=first, thread=introduction.thread, body="Glad to.")
    return introduction, broker, first, second


def _badged_authors(html):
    """The author ids of the posts on a page whose header carries the badge."""
    posts = re.split(r'<li class="post', html)[1:]
    return {
        int(re.search(r'data-author-id="(\d+)"', post).group(1))
        for post in posts
        if BADGE in post.split("</header>")[0]
    }


def _page(client, person, thread):
    client.force_login(person)
    response = client.get(thread.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("reader", ["broker", "first", "second"])
def test_the_brokers_posts_carry_the_desk_badge_for_all_three(
    client, introduced, reader
):
    introduction, broker, first, second = introduced
    person = {"broker": broker, "first": first, "second": second}[reader]
    html = _page(client, person, introduction.thread)

    assert _badged_authors(html) == {broker.pk}
    assert "Innovation desk</span>" in html


def test_the_badge_is_italian_for_italian_readers(client, introduced):
    introduction, _broker, first, _second = introduced
    client.force_login(first)
    with translation.override("it"):
        html = client.get(
            introduction.thread.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="it"
        ).content.decode()
    assert "Sportello innovazione</span>" in html


def test_a_live_reply_of_the_broker_carries_the_badge(introduced):
    introduction, broker, first, _second = introduced
    threads.post_reply(actor=broker, thread=introduction.thread, body="Great.")
    threads.post_reply(actor=first, thread=introduction.thread, body="Thanks.")
    events = list(
        Event.objects.filter(
            stream=f"thread:{introduction.thread.pk}", type="post.created"
        ).order_by("seq")
    )[-2:]
    broker_frame, first_frame = community_live.present_thread_events(events, ["en"])

    assert BADGE in broker_frame["html"]["en"]
    assert BADGE not in first_frame["html"]["en"]


def test_no_badge_once_the_broker_is_no_facilitator(client, introduced):
    introduction, broker, first, _second = introduced
    Facilitator.objects.filter(person=broker).update(is_active=False)

    assert _badged_authors(_page(client, first, introduction.thread)) == set()


def test_a_facilitator_posting_in_an_ordinary_community_has_no_badge(client):
    community, _owner, thread = community_with_thread()
    broker = member_of(community)
    Facilitator.objects.create(person=broker)
    threads.post_reply(actor=broker, thread=thread, body="Hello.")

    assert BADGE not in _page(client, broker, thread)
