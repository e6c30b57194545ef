"""The header box's suggestions: the first few results of each kind as JSON, only
what the asker may see, plain text (the page escapes it); and the results page reads
a bounded number of queries whatever its results."""

import pytest
from django.urls import reverse

from community.models import Community
from community.services import threads
from tests.search.helpers import community_with, search_url
from tests.support.factories import UserFactory
from tests.support.roles import person_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
Visibility = Community.Visibility


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    return django_capture_on_commit_callbacks


def suggestions(client, user, q):
    client.logout()
    if user is not None:
        client.force_login(user)
    response = client.get(reverse("search:suggestions"), {"q": q})
    assert response.status_code == 200
    return response.json()


def test_a_few_of_each_kind_newest_titles_first_with_a_link_to_all(client, commit):
    community, owner, thread = community_with(
        commit, title="Turbina <eolica>", body="Pale"
    )
    with commit(execute=True):
        for number in range(5):
            threads.post_reply(actor=owner, thread=thread, body=f"eolica risposta {number}")

    answer = suggestions(client, None, "eolica")

    groups = {group["kind"]: group for group in answer["groups"]}
    assert set(groups) == {"thread", "post"}
    assert groups["thread"]["items"][0]["title"] == "Turbina <eolica>"  # plain text
    assert groups["thread"]["items"][0]["url"] == thread.get_absolute_url()
    assert groups["thread"]["items"][0]["context"] == community.name
    assert len(groups["post"]["items"]) == 3
    assert groups["post"]["label"] == "Replies"
    assert answer["all"] == search_url("eolica")


@pytest.mark.parametrize("role", ["anonymous", "outsider", "member", "banned", "staff"])
def test_suggestions_never_name_what_the_asker_cannot_read(client, commit, role):
    community, owner, thread = community_with(
        commit, Visibility.PRIVATE, title="Piano segreto", body="Budget riservatissimo"
    )
    person = person_in(community, role)

    answer = suggestions(client, person, "riservatissimo")

    reads = role in ("member", "staff")
    assert bool(answer["groups"]) is reads
    assert ("Piano segreto" in str(answer)) is reads


def test_an_empty_or_malformed_query_suggests_nothing(client):
    assert suggestions(client, None, "")["groups"] == []
    assert suggestions(client, None, "after:ieri")["groups"] == []


def test_the_results_page_reads_a_bounded_number_of_queries(
    client, commit, django_assert_max_num_queries
):
    owner = UserFactory()
    community, owner, thread = community_with(commit, title="Vela", body="vela")
    with commit(execute=True):
        for number in range(25):
            threads.post_reply(actor=owner, thread=thread, body=f"vela {number}")
    client.force_login(owner)

    # session and user, counts per kind, the page's rows, their authors, their
    # threads, the navigation: the same for 20 results as for 2.
    with django_assert_max_num_queries(9):
        response = client.get(search_url("vela"))
    assert response.status_code == 200
    assert response.content.decode().count(owner.name) >= 20
    with django_assert_max_num_queries(9):
        client.get(search_url("vela", page=2))
