"""The funnel end to end through the services: draft, validation, publication, a
proposal, shortlisting (details now visible), acceptance and its workspace."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from community.models import Post
from innovation import permissions
from innovation.models import Challenge, Proposal, StatusChange
from innovation.services import challenges, proposals, validation
from tests.innovation.factories_challenges import facilitator
from tests.support.workspaces import person_of
from workspaces.models import Participant, Partner

pytestmark = pytest.mark.django_db


def test_draft_to_workspace_with_both_organisations_and_an_introduction():
    seeker = person_of(admin=True)
    challenge = challenges.challenge_create(
        actor=seeker,
        title="Compositi riciclati",
        summary="Riciclare la fibra di carbonio.",
        details="Quaranta tonnellate l'anno.",
        collaboration_types=["licence"],
        sectors=["manufacturing"],
        tags=["compositi"],
        criteria=[("Costo", 3), ("Maturità", 1)],
        anonymous=True,
    )
    assert challenge.status == Challenge.Status.DRAFT
    assert [c.name for c in challenge.criteria.all()] == ["Costo", "Maturità"]
    challenges.challenge_submit_for_validation(actor=seeker, challenge=challenge)
    desk = facilitator()
    with pytest.raises(PermissionDenied):
        validation.item_publish(actor=seeker, item=challenge)
    validation.item_publish(actor=desk, item=challenge)
    assert challenge.status == Challenge.Status.OPEN and challenge.published_at

    solver = person_of()
    proposal = proposals.proposal_submit(
        actor=solver, challenge=challenge, title="Pirolisi", summary="Un processo."
    )
    assert not permissions.can_read_details(solver, challenge)
    with pytest.raises(PermissionDenied):
        proposals.proposal_submit(
            actor=person_of(solver.organisation),
            challenge=challenge,
            title="Ancora",
            summary="Un altro.",
        )
    proposals.proposal_shortlist(actor=seeker, proposal=proposal, message="Ci piace.")
    assert permissions.can_read_details(solver, challenge)

    proposals.proposal_accept(actor=seeker, proposal=proposal, message="Partiamo.")
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.ACCEPTED
    assert proposal.seeker_revealed
    workspace = proposal.workspace
    assert set(
        Partner.objects.filter(workspace=workspace).values_list(
            "organisation", flat=True
        )
    ) == {seeker.organisation_id, solver.organisation_id}
    assert set(
        Participant.objects.filter(workspace=workspace).values_list("user", flat=True)
    ) == {seeker.pk, solver.pk}
    intro = (
        Post.objects.filter(thread__community=workspace.community)
        .order_by("pk")
        .first()
        .body
    )
    assert seeker.name in intro and solver.name in intro
    assert solver.organisation.name in intro
    pinned = workspace.community.threads.get(is_pinned=True)
    body = pinned.posts.first().body
    assert "Riciclare la fibra di carbonio." in body and "Un processo." in body
    assert [s.message for s in StatusChange.objects.filter(proposal=proposal)] == [
        "",
        "Ci piace.",
        "Partiamo.",
    ]


def test_refused_challenge_returns_to_draft_with_its_reason():
    seeker = person_of()
    challenge = challenges.challenge_create(actor=seeker, title="T", summary="S")
    challenges.challenge_submit_for_validation(actor=seeker, challenge=challenge)
    with pytest.raises(ValidationError):
        validation.item_refuse(
            actor=facilitator(), item=challenge, reason=" "
        )
    validation.item_refuse(
        actor=facilitator(), item=challenge, reason="Manca il budget."
    )
    challenge.refresh_from_db()
    assert challenge.status == Challenge.Status.DRAFT
    assert challenge.refusal_reason == "Manca il budget."


def test_validation_errors_name_the_fields():
    seeker = person_of()
    with pytest.raises(ValidationError) as error:
        challenges.challenge_create(actor=seeker, title="", summary="")
    assert {"title", "summary"} <= set(error.value.message_dict)
    with pytest.raises(ValidationError) as error:
        challenges.challenge_create(
            actor=seeker, title="T", summary="S", criteria=[("A", 1), ("a", 2)]
        )
    assert "criteria" in error.value.message_dict
    assert not Challenge.objects.exists()
