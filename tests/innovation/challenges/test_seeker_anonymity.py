"""An anonymous seeker's name appears nowhere an unrelated person looks — the
innovation index, the list, the challenge page, search results and their
notifications — while the description stands in for it; and every page a person
of the funnel opens renders."""

import pytest
from django.urls import reverse

from innovation.anonymity import anonymous_description, seeker_shown
from innovation.services import challenges, proposals, validation
from tests.innovation.factories_challenges import (
    ChallengeFactory,
    SeekerOrganisationFactory,
    facilitator,
)
from tests.support.workspaces import person_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def test_the_seekers_name_appears_nowhere_for_an_unrelated_viewer(
    client, django_capture_on_commit_callbacks
):
    organisation = SeekerOrganisationFactory(name="Acciaierie Invisibili")
    seeker = person_of(organisation, admin=True)
    stranger = person_of()
    with django_capture_on_commit_callbacks(execute=True):
        challenge = challenges.challenge_create(
            actor=seeker,
            title="Tempra a induzione",
            summary="Riduzione dei consumi della tempra.",
            anonymous=True,
            tags=["tempra"],
        )
        challenges.challenge_submit_for_validation(actor=seeker, challenge=challenge)
        validation.item_publish(actor=facilitator(), item=challenge)
        question = challenges.question_ask(
            actor=stranger, challenge=challenge, question="Quali acciai?"
        )
        challenges.question_answer(actor=seeker, question=question, answer="C45.")
    client.force_login(stranger)
    pages = [
        reverse("innovation:index"),
        reverse("innovation:challenge-list"),
        challenge.get_absolute_url(),
        reverse("search:search") + "?q=tempra",
        reverse("notifications:list"),
        reverse("notifications:latest"),
    ]
    for url in pages:
        html = client.get(url).content.decode()
        assert "Acciaierie Invisibili" not in html, url
        assert seeker.name not in html, url
    # The stand-in is there where the seeker is named.
    for url in pages[:3] + pages[4:5]:
        assert (
            "a firm in Manifattura, 50-249 people, Lombardia"
            in client.get(url).content.decode()
        ), url


def test_the_description_is_translated_and_keeps_only_the_parts_it_has():
    from django.utils import translation

    organisation = SeekerOrganisationFactory(size="", sector="")
    with translation.override("it"):
        assert anonymous_description(organisation) == "un'impresa, Lombardia"
    challenge = ChallengeFactory(organisation=organisation, anonymous=False)
    from django.contrib.auth.models import AnonymousUser

    assert seeker_shown(challenge, AnonymousUser()) == organisation.name


def test_every_page_of_the_funnel_renders_for_its_people(client):
    seeker = person_of(admin=True)
    challenge = ChallengeFactory(organisation=seeker.organisation)
    solver = person_of()
    proposal = proposals.proposal_submit(
        actor=solver, challenge=challenge, title="Idea", summary="Sintesi."
    )
    client.force_login(seeker)
    for url in (
        reverse("innovation:index"),
        reverse("innovation:challenge-mine"),
        reverse("innovation:challenge-create"),
        reverse("innovation:challenge-board", args=[challenge.pk]),
        proposal.get_absolute_url(),
    ):
        assert client.get(url).status_code == 200, url
    client.force_login(solver)
    html = client.get(reverse("innovation:challenge-mine")).content.decode()
    assert "Idea" in html and "Submitted" in html
    assert client.get(reverse("innovation:challenge-create")).status_code == 200
    html = client.get(challenge.get_absolute_url()).content.decode()
    assert "Your organisation's proposal: Submitted." in html
