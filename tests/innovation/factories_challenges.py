"""Factories for challenges, proposals and the people around them (helper C)."""

import factory
from factory.django import DjangoModelFactory

from community.models import Organisation
from innovation.models import Challenge, EvaluationCriterion, Facilitator, Proposal
from tests.support.factories import OrganisationFactory, UserFactory
from tests.support.workspaces import person_of


class SeekerOrganisationFactory(OrganisationFactory):
    name = factory.Sequence(lambda n: f"Officine Segrete {n}")
    kind = Organisation.Kind.ENTERPRISE
    sector = "Manifattura"
    size = Organisation.Size.MEDIUM
    region = "Lombardia"


class ChallengeFactory(DjangoModelFactory):
    class Meta:
        model = Challenge

    organisation = factory.SubFactory(SeekerOrganisationFactory)
    title = factory.Sequence(lambda n: f"Riciclo dei compositi {n}")
    summary = "Cerchiamo un processo per riciclare la fibra di carbonio."
    details = "Dettaglio riservato: 40 tonnellate di sfridi ogni anno."
    status = Challenge.Status.OPEN
    collaboration_types = ["joint_development"]
    sectors = ["manufacturing"]


class ProposalFactory(DjangoModelFactory):
    class Meta:
        model = Proposal

    challenge = factory.SubFactory(ChallengeFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    title = factory.Sequence(lambda n: f"Pirolisi a bassa temperatura {n}")
    summary = "Un processo brevettato di pirolisi."


class CriterionFactory(DjangoModelFactory):
    class Meta:
        model = EvaluationCriterion

    challenge = factory.SubFactory(ChallengeFactory)
    name = factory.Sequence(lambda n: f"Criterio {n}")
    weight = 1


def facilitator():
    """An active facilitator of the innovation desk."""
    person = UserFactory()
    Facilitator.objects.create(person=person)
    return person


def staff():
    return UserFactory(is_staff=True)


def people_around(challenge, proposal=None):
    """The six roles of the permission matrix, by name; the solver belongs to the
    proposal's organisation (a new proposal is made when none is given)."""
    from django.contrib.auth.models import AnonymousUser

    proposal = proposal or ProposalFactory(challenge=challenge)
    return {
        "anonymous": AnonymousUser(),
        "stranger": person_of(),
        "solver": person_of(proposal.organisation),
        "seeker": person_of(challenge.organisation, admin=True),
        "facilitator": facilitator(),
        "staff": staff(),
    }, proposal
