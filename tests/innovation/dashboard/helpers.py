"""A small funnel for the dashboard's tests: a firm's challenge, a university's question
and proposal accepted into a workspace, an offer with an expression of interest."""

from django.utils import timezone

from innovation.models import (
    Challenge,
    ChallengeQuestion,
    ExpressionOfInterest,
    Proposal,
    TechnologyOffer,
)
from tests.support.factories import OrganisationFactory
from tests.support.workspaces import add_participant, make_workspace, person_of


def firm(**fields):
    fields.setdefault("kind", "enterprise")
    fields.setdefault("size", "small")
    fields.setdefault("province", "BG")
    return OrganisationFactory(**fields)


def university(**fields):
    fields.setdefault("kind", "university")
    fields.setdefault("size", "large")
    fields.setdefault("province", "PV")
    return OrganisationFactory(**fields)


def open_challenge(organisation, **fields):
    fields.setdefault("title", "Sensori per la tracciabilità del latte")
    fields.setdefault("summary", "Cerchiamo sensori a basso costo.")
    fields.setdefault("sectors", ["agrifood", "ict"])
    return Challenge.objects.create(
        organisation=organisation,
        status=Challenge.Status.OPEN,
        published_at=timezone.now(),
        **fields,
    )


def proposal_to(challenge, solver_person, **fields):
    fields.setdefault("title", "Biosensori stampati")
    fields.setdefault("summary", "Una soluzione già provata in laboratorio.")
    return Proposal.objects.create(
        challenge=challenge,
        organisation=solver_person.organisation,
        created_by=solver_person,
        **fields,
    )


def question_on(challenge, person, text="Quale volume annuo?"):
    return ChallengeQuestion.objects.create(challenge=challenge, asked_by=person, question=text)


def accepted_into_workspace(proposal, seeker_admin):
    """The proposal accepted: a workspace led by the seeker, the solver's author in it."""
    workspace = make_workspace(lead=seeker_admin, name=f"Accordo {proposal.pk}")
    add_participant(workspace, proposal.created_by)
    proposal.status = Proposal.Status.ACCEPTED
    proposal.workspace = workspace
    proposal.save(update_fields=["status", "workspace"])
    return workspace


def published_offer(organisation, **fields):
    fields.setdefault("title", "Brevetto per leghe leggere")
    fields.setdefault("summary", "Lega di alluminio riciclato ad alta resistenza.")
    fields.setdefault("sectors", ["materials"])
    return TechnologyOffer.objects.create(
        organisation=organisation,
        trl=5,
        ip_status=TechnologyOffer.IpStatus.GRANTED_PATENT,
        patent_number="IT102024000001",
        status=TechnologyOffer.Status.PUBLISHED,
        published_at=timezone.now(),
        **fields,
    )


def interest_in(offer, person):
    return ExpressionOfInterest.objects.create(
        offer=offer,
        organisation=person.organisation,
        created_by=person,
        who_we_are="Una PMI bergamasca.",
        intended_use="Telai per biciclette.",
        cooperation="Licenza non esclusiva.",
        collaboration_type="licence",
    )


def funnel():
    """People and rows of a small funnel; returns a namespace of them."""
    from types import SimpleNamespace

    seeker = firm(name="Caseificio Orobico")
    solver = university(name="Università di Pavia")
    seeker_admin = person_of(seeker, admin=True)
    solver_person = person_of(solver)
    challenge = open_challenge(seeker)
    question = question_on(challenge, solver_person)
    proposal = proposal_to(challenge, solver_person)
    workspace = accepted_into_workspace(proposal, seeker_admin)
    return SimpleNamespace(
        seeker=seeker,
        solver=solver,
        seeker_admin=seeker_admin,
        solver_person=solver_person,
        challenge=challenge,
        question=question,
        proposal=proposal,
        workspace=workspace,
    )
