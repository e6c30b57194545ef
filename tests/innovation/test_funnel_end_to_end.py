"""The whole funnel, as the issue lists it: a challenge drafted, validated by the desk,
answered by a university, shortlisted; the solver accepts the NDA and reads the
confidential documents; the seeker accepts the proposal, which opens a workspace for
both; a lead records the outcome; the regional dashboard counts it."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from innovation.models import Facilitator, NdaAcceptance, Outcome
from innovation.services import challenges, disclosure, outcomes, proposals, validation
from tests.innovation.dashboard.helpers import firm, university
from tests.support.workspaces import person_of
from tests.workspaces.hostile_files import pdf
from workspaces.models import Partner

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def row(html, header):
    match = re.search(rf"<tr><th scope=\"row\">{re.escape(header)}</th>(.*?)</tr>", html)
    assert match, header
    return [int(cell) for cell in re.findall(r"<td>(\d+)%?</td>", match.group(1))]


def test_from_a_draft_to_an_agreement_the_dashboard_counts(client, django_capture_on_commit_callbacks):
    seeker_org = firm(name="Officine Lario", province="LC")
    solver_org = university(name="Politecnico Adda", province="MI")
    seeker = person_of(seeker_org, admin=True)
    solver = person_of(solver_org, admin=True)
    desk = person_of()
    Facilitator.objects.create(person=desk)

    with django_capture_on_commit_callbacks(execute=True):
        challenge = challenges.challenge_create(
            actor=seeker,
            title="Giunti saldati senza cricche",
            summary="Cerchiamo un controllo in linea delle saldature.",
            details="Volumi: 12.000 giunti al mese.",
            challenge_type="technical_solution",
            collaboration_types=["rd_contract"],
            sectors=["manufacturing"],
            nda_text="Le informazioni restano riservate per due anni.",
            tags=["saldatura"],
        )
        challenges.challenge_submit_for_validation(actor=seeker, challenge=challenge)
        validation.item_publish(actor=desk, item=challenge)
        disclosure.document_upload(
            actor=seeker,
            subject=challenge,
            file=SimpleUploadedFile("linea.pdf", pdf("Linea")),
            title="Disegni della linea",
        )
        proposal = proposals.proposal_submit(
            actor=solver,
            challenge=challenge,
            title="Termografia attiva",
            summary="Una telecamera termica e un modello addestrato sui difetti.",
        )
        proposals.proposal_shortlist(actor=seeker, proposal=proposal, message="Ci piace.")

    client.force_login(solver)
    page = client.get(challenge.get_absolute_url()).content.decode()
    assert "Volumi: 12.000 giunti al mese." in page  # the details, once shortlisted
    documents = reverse("innovation:disclosure-documents", args=["challenge", challenge.pk])
    assert "Disegni della linea" not in client.get(documents).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        disclosure.nda_accept(actor=solver, subject=challenge)
    assert NdaAcceptance.objects.get(challenge=challenge).organisation == solver_org
    assert "Disegni della linea" in client.get(documents).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        proposals.proposal_accept(actor=seeker, proposal=proposal, message="Firmiamo.")
    proposal.refresh_from_db()
    workspace = proposal.workspace
    assert set(Partner.objects.filter(workspace=workspace).values_list("organisation__name", flat=True)) == {
        "Officine Lario",
        "Politecnico Adda",
    }
    assert client.get(workspace.get_absolute_url()).status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        outcomes.outcome_record(
            actor=seeker, workspace=workspace, result="rd_contract", value_band="50k_250k"
        )
    assert Outcome.objects.get(workspace=workspace).result == "rd_contract"

    client.force_login(desk)
    html = client.get(reverse("innovation:dashboard")).content.decode()
    assert row(html, "Contacts") == [1, 100]
    assert row(html, "Workspaces opened") == [1, 100]
    assert row(html, "Agreements") == [1, 100]
    assert row(html, "Milano") == [1, 1, 1, 1]
