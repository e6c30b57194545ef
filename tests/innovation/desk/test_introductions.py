"""Introductions: a facilitator opens a private three-way conversation between two
people of two organisations; only the three (and staff) read it."""

import pytest
from django.urls import reverse

from community.services import threads
from innovation.models import Introduction
from innovation.services import desk
from live.models import Event
from tests.innovation.factories_desk import FacilitatorFactory, facilitator, person_of
from tests.support.factories import OrganisationFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def introduced():
    first = person_of(OrganisationFactory(name="Politecnico"))
    second = person_of(OrganisationFactory(name="Acciaierie Brianza"))
    introducer = facilitator()
    introduction = desk.introduction_create(
        actor=introducer,
        first=first.username,
        second=second.username,
        message="You both work on green steel: meet.",
    )
    return introduction, introducer, first, second


def test_the_form_introduces_two_people_and_both_are_told(client):
    first = person_of(OrganisationFactory())
    second = person_of(OrganisationFactory())
    client.force_login(facilitator())

    response = client.post(
        reverse("innovation:introduction-create"),
        {"first": first.username, "second": "@" + second.username, "message": "Meet."},
    )

    introduction = Introduction.objects.get()
    assert response.status_code == 302
    assert {introduction.first_person, introduction.second_person} == {first, second}
    for person in (first, second):
        assert Event.objects.filter(
            stream=f"user:{person.pk}", type="desk.introduced"
        ).exists()


@pytest.mark.parametrize("who", ["facilitator", "first", "second", "staff", "outsider"])
def test_only_the_three_and_staff_read_the_introduction_and_its_conversation(
    client, introduced, who
):
    introduction, introducer, first, second = introduced
    someone = {
        "facilitator": introducer,
        "first": first,
        "second": second,
        "staff": UserFactory(is_staff=True),
        "outsider": person_of(OrganisationFactory()),
    }[who]
    client.force_login(someone)

    detail = client.get(
        reverse("innovation:introduction-detail", args=[introduction.pk])
    )
    conversation = client.get(introduction.thread.get_absolute_url())
    mine = client.get(reverse("innovation:introduction-list")).content.decode()

    if who == "outsider":
        assert detail.status_code == 404 and conversation.status_code == 404
        assert "green steel" not in mine
    else:
        assert "green steel" in detail.content.decode()
        assert (
            conversation.status_code == 200
            and "green steel" in conversation.content.decode()
        )
        assert ("green steel" in mine) is (who != "staff")


def test_the_two_people_reply_in_the_conversation(introduced):
    introduction, _introducer, first, _second = introduced
    post = threads.post_reply(
        actor=first, thread=introduction.thread, body="Happy to meet!"
    )
    assert post.thread_id == introduction.thread_id


def test_the_conversation_stays_out_of_community_lists(client, introduced):
    introduction, _introducer, first, _second = introduced
    client.force_login(first)
    page = client.get(reverse("community:community-list")).content.decode()
    assert introduction.thread.community.name not in page


@pytest.mark.parametrize(
    "change, message",
    [
        ({"second": "nobody-here"}, "Nobody has this username."),
        (
            {"second": "SAME_ORG"},
            "The two people must be of two different organisations.",
        ),
        ({"message": ""}, "This field is required."),
    ],
)
def test_a_wrong_introduction_says_why_and_creates_nothing(client, change, message):
    organisation = OrganisationFactory()
    first = person_of(organisation)
    data = {
        "first": first.username,
        "second": person_of(OrganisationFactory()).username,
        "message": "Meet.",
    }
    data.update(change)
    if data["second"] == "SAME_ORG":
        data["second"] = person_of(organisation).username
    client.force_login(facilitator())

    page = client.post(reverse("innovation:introduction-create"), data)

    assert message in page.content.decode()
    assert not Introduction.objects.exists()


@pytest.mark.parametrize("role", ["anonymous", "member", "revoked"])
def test_only_facilitators_introduce(client, role):
    if role == "member":
        client.force_login(person_of(OrganisationFactory()))
    elif role == "revoked":
        client.force_login(FacilitatorFactory(is_active=False).person)
    first = person_of(OrganisationFactory())
    second = person_of(OrganisationFactory())
    response = client.post(
        reverse("innovation:introduction-create"),
        {"first": first.username, "second": second.username, "message": "Meet."},
    )
    assert response.status_code in (302, 403)
    assert not Introduction.objects.exists()
