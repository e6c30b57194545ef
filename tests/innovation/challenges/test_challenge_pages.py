"""Who sees what on the challenge pages: the list, a challenge (summary, details at
the right step), a draft, a proposal, its attachment and the evaluation board —
parametrised over anonymous, a stranger's organisation, the solver, the seeker, a
facilitator and staff; and the funnel through the pages."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from innovation.models import Challenge, ConfidentialDocument, Proposal
from innovation.services import proposals as proposal_services
from tests.innovation.factories_challenges import (
    ChallengeFactory,
    CriterionFactory,
    ProposalFactory,
    people_around,
)
from tests.support.workspaces import person_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

ROLES = ("anonymous", "stranger", "solver", "seeker", "facilitator", "staff")


def page(client, user, url):
    if user.is_authenticated:
        client.force_login(user)
    return client.get(url)


@pytest.fixture
def anonymous_challenge():
    challenge = ChallengeFactory(anonymous=True)
    people, proposal = people_around(challenge)
    return challenge, proposal, people


@pytest.mark.parametrize("role", ROLES)
def test_list_shows_open_challenges_naming_an_anonymous_seeker_only_to_insiders(
    client, anonymous_challenge, role
):
    challenge, _, people = anonymous_challenge
    ChallengeFactory(status=Challenge.Status.DRAFT, title="Bozza segreta")
    html = page(
        client, people[role], reverse("innovation:challenge-list")
    ).content.decode()
    assert challenge.title in html
    assert "Bozza segreta" not in html
    knows = role in ("seeker", "facilitator", "staff")
    assert (challenge.organisation.name in html) == knows
    if not knows:
        assert "a firm in Manifattura, 50-249 people, Lombardia" in html


@pytest.mark.parametrize("role", ROLES)
def test_details_reach_only_the_seeker_the_desk_and_staff_before_shortlisting(
    client, anonymous_challenge, role
):
    challenge, _, people = anonymous_challenge
    response = page(client, people[role], challenge.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert challenge.summary in html
    assert (challenge.details in html) == (role in ("seeker", "facilitator", "staff"))
    assert (challenge.organisation.name in html) == (
        role in ("seeker", "facilitator", "staff")
    )


def test_shortlisting_shows_the_details_to_the_solver_but_not_the_name(
    client, anonymous_challenge
):
    challenge, proposal, people = anonymous_challenge
    proposal_services.proposal_shortlist(actor=people["seeker"], proposal=proposal)
    html = page(client, people["solver"], challenge.get_absolute_url()).content.decode()
    assert challenge.details in html
    assert challenge.organisation.name not in html
    proposal_services.proposal_reveal_seeker(actor=people["seeker"], proposal=proposal)
    html = client.get(challenge.get_absolute_url()).content.decode()
    assert challenge.organisation.name in html


@pytest.mark.parametrize("role", ROLES)
def test_a_draft_is_seen_by_its_seeker_and_staff_only(client, role):
    challenge = ChallengeFactory(status=Challenge.Status.DRAFT)
    people, _ = people_around(challenge)
    response = page(client, people[role], challenge.get_absolute_url())
    expected = 200 if role in ("seeker", "staff") else 404
    assert response.status_code == expected
    assert (challenge.summary in response.content.decode()) == (expected == 200)


@pytest.mark.parametrize("role", ROLES)
def test_the_validation_queue_opens_drafts_in_validation_to_facilitators(client, role):
    challenge = ChallengeFactory(status=Challenge.Status.IN_VALIDATION)
    people, _ = people_around(challenge)
    response = page(client, people[role], challenge.get_absolute_url())
    expected = 200 if role in ("seeker", "facilitator", "staff") else 404
    assert response.status_code == expected


@pytest.mark.parametrize("role", ROLES)
def test_a_proposal_and_its_attachment_reach_both_organisations_and_the_desk(
    client, anonymous_challenge, role, settings
):
    challenge, proposal, people = anonymous_challenge
    ConfidentialDocument.objects.create(
        proposal=proposal,
        title="brevetto.txt",
        file="innovation/proposals/x/brevetto",
        original_name="brevetto.txt",
        kind="text",
        size=5,
        sha256="0" * 64,
    )
    response = page(client, people[role], proposal.get_absolute_url())
    if role == "anonymous":
        assert response.status_code == 302
        return
    sees = role in ("solver", "seeker", "facilitator", "staff")
    assert response.status_code == (200 if sees else 404)
    html = response.content.decode()
    assert (proposal.summary in html) == sees
    if sees:
        assert "brevetto.txt" in html
        assert (challenge.organisation.name in html) == (role != "solver")


@pytest.mark.parametrize("role", ROLES)
def test_the_evaluation_board_is_the_seekers(client, anonymous_challenge, role):
    challenge, proposal, people = anonymous_challenge
    criterion = CriterionFactory(challenge=challenge, weight=3)
    proposal_services.scores_set(
        actor=people["seeker"], proposal=proposal, scores={criterion.pk: 4}
    )
    proposal_services.note_add(
        actor=people["seeker"], proposal=proposal, body="Solida."
    )
    response = page(
        client, people[role], reverse("innovation:challenge-board", args=[challenge.pk])
    )
    if role == "anonymous":
        assert response.status_code == 302
        return
    sees = role in ("seeker", "staff")
    assert response.status_code == (200 if sees else 403)
    html = response.content.decode()
    assert ("Solida." in html) == sees
    assert ("Weighted score 4.0 / 5" in html) == sees


def test_scores_outside_the_scale_are_refused_and_nothing_is_stored(
    client, anonymous_challenge
):
    challenge, proposal, people = anonymous_challenge
    criterion = CriterionFactory(challenge=challenge)
    client.force_login(people["seeker"])
    response = client.post(
        reverse("innovation:proposal-scores", args=[proposal.pk]),
        {f"p{proposal.pk}-c{criterion.pk}": "9"},
        follow=True,
    )
    assert "Scores go from 0 to 5." in response.content.decode()
    assert not proposal.scores.exists()


def test_the_funnel_through_the_pages(client):
    seeker = person_of(admin=True)
    client.force_login(seeker)
    response = client.post(
        reverse("innovation:challenge-create"),
        {
            "title": "Sensori per la vigna",
            "summary": "Misurare l'umidità foglia per foglia.",
            "details": "Budget interno: 80.000 euro.",
            "challenge_type": "technical_solution",
            "collaboration_types": ["licence"],
            "sectors": ["agrifood"],
            "tags": "sensori, vigna",
            "criteria": "Costo | 3\nMaturità",
            "anonymous": "on",
        },
    )
    challenge = Challenge.objects.get()
    assert response.status_code == 302
    assert [(c.name, c.weight) for c in challenge.criteria.all()] == [
        ("Costo", 3),
        ("Maturità", 1),
    ]
    client.post(reverse("innovation:challenge-step", args=[challenge.pk, "submit"]))
    challenge.refresh_from_db()
    assert challenge.status == Challenge.Status.IN_VALIDATION
    challenge.status = Challenge.Status.OPEN
    challenge.save()

    solver = person_of()
    client.force_login(solver)
    response = client.post(
        reverse("innovation:proposal-create", args=[challenge.pk]),
        {
            "title": "Rete LoRa",
            "summary": "Sensori a basso consumo.",
            "attachments": [SimpleUploadedFile("scheda.txt", b"Scheda tecnica\n")],
        },
    )
    proposal = Proposal.objects.get()
    assert response.status_code == 302
    assert proposal.attachments.get().kind == "text"
    assert (
        "Budget interno"
        not in client.get(challenge.get_absolute_url()).content.decode()
    )

    client.force_login(seeker)
    client.post(
        reverse("innovation:proposal-step", args=[proposal.pk, "shortlist"]),
        {"message": "Vi chiamiamo presto."},
    )
    client.force_login(solver)
    assert "Budget interno" in client.get(challenge.get_absolute_url()).content.decode()
    html = client.get(proposal.get_absolute_url()).content.decode()
    assert "Vi chiamiamo presto." in html and "Shortlisted" in html

    client.force_login(seeker)
    response = client.post(
        reverse("innovation:proposal-step", args=[proposal.pk, "accept"]),
        {"message": "Benvenuti."},
    )
    proposal.refresh_from_db()
    assert response.status_code == 302
    assert response["Location"] == proposal.workspace.get_absolute_url()
    client.force_login(solver)
    assert client.get(proposal.workspace.get_absolute_url()).status_code == 200


def test_a_hostile_attachment_is_refused_with_its_reason(client):
    challenge = ChallengeFactory()
    solver = person_of()
    client.force_login(solver)
    response = client.post(
        reverse("innovation:proposal-create", args=[challenge.pk]),
        {
            "title": "Rete",
            "summary": "Sensori.",
            "attachments": [SimpleUploadedFile("x.html", b"<html><script>1</script>")],
        },
    )
    assert response.status_code == 400
    assert "x.html" in response.content.decode()
    assert not Proposal.objects.exists()


def test_a_proposal_needs_a_title_and_a_summary(client):
    challenge = ChallengeFactory()
    client.force_login(person_of())
    response = client.post(
        reverse("innovation:proposal-create", args=[challenge.pk]), {"title": ""}
    )
    assert response.status_code == 400
    assert response.content.decode().count("This field is required.") == 2


def test_the_seeker_answers_a_question_everyone_then_reads(client):
    challenge = ChallengeFactory()
    asker = person_of()
    client.force_login(asker)
    client.post(
        reverse("innovation:question-ask", args=[challenge.pk]),
        {"question": "Che volumi annui?"},
    )
    question = challenge.questions.get()
    seeker = person_of(challenge.organisation)
    client.force_login(seeker)
    client.post(
        reverse("innovation:question-answer", args=[challenge.pk, question.pk]),
        {"answer": "Circa 40 tonnellate."},
    )
    client.logout()
    html = client.get(challenge.get_absolute_url()).content.decode()
    assert "Che volumi annui?" in html and "Circa 40 tonnellate." in html


# Anonymous: the challenges with their organisations and proposal counts, their tags,
# the count of the paginator, the communities to filter by. A member adds the session's user, the navigation and the
# sidebar, whether they are a facilitator, their affiliations and the proposals to
# which an anonymous seeker revealed itself (one statement each for the whole page),
# and may they post a challenge (verified address, organisation, affiliation).
LIST_QUERIES = {"anonymous": 4, "member": 13}


@pytest.mark.parametrize("who", ["anonymous", "member"])
@pytest.mark.parametrize("rows", [3, 12])
def test_the_list_page_costs_the_same_queries_for_few_or_many_challenges(
    client, django_assert_max_num_queries, who, rows
):
    for index in range(rows):
        challenge = ChallengeFactory(anonymous=index % 2 == 0)
        challenge.tags.add(f"tag{index}", "comune")
        ProposalFactory(challenge=challenge)
    if who == "member":
        client.force_login(person_of())
    url = reverse("innovation:challenge-list")
    client.get(url)
    with django_assert_max_num_queries(LIST_QUERIES[who]):
        response = client.get(url)
    assert (
        response.content.decode().count('class="card org-card challenge-card"') == rows
    )


def test_the_challenge_form_says_what_is_missing_or_wrong_and_saves_nothing(client):
    client.force_login(person_of())
    response = client.post(
        reverse("innovation:challenge-create"),
        {
            "title": "",
            "summary": "",
            "challenge_type": "technical_solution",
            "deadline": "2001-01-01",
            "criteria": "Costo | 3\ncosto",
        },
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert html.count("This field is required.") == 2
    assert not Challenge.objects.exists()
    response = client.post(
        reverse("innovation:challenge-create"),
        {
            "title": "T",
            "summary": "S",
            "challenge_type": "technical_solution",
            "deadline": "2001-01-01",
        },
    )
    assert "The deadline cannot be in the past." in response.content.decode()
    response = client.post(
        reverse("innovation:challenge-create"),
        {
            "title": "T",
            "summary": "S",
            "challenge_type": "technical_solution",
            "criteria": "Costo | 3\ncosto",
        },
    )
    assert "The criterion costo appears twice." in response.content.decode()
    assert not Challenge.objects.exists()


def test_a_person_without_an_organisation_cannot_post_a_challenge(client):
    from tests.support.factories import UserFactory

    client.force_login(UserFactory())
    response = client.get(reverse("innovation:challenge-create"))
    assert response.status_code == 403
    assert (
        "Challenges are posted by verified people on behalf of their organisation."
        in response.content.decode()
    )


def test_my_organisations_challenges_are_paginated(client, settings):
    settings.DIRECTORY_PAGE_SIZE = 2
    seeker = person_of()
    for index in range(3):
        ChallengeFactory(
            organisation=seeker.organisation, title=f"Sfida numero {index}"
        )
    client.force_login(seeker)
    first = client.get(reverse("innovation:challenge-mine")).content.decode()
    second = client.get(
        reverse("innovation:challenge-mine"), {"page": 2}
    ).content.decode()
    assert first.count("Sfida numero") == 2
    assert second.count("Sfida numero") == 1
