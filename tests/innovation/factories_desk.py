"""Factories for the innovation desk's tests: challenges and offers in any status,
facilitators, funding calls, and the people of the permission matrix."""

import datetime

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from community.models import Affiliation
from innovation.models import Challenge, Facilitator, FundingCall, TechnologyOffer
from tests.support.factories import AffiliationFactory, OrganisationFactory, UserFactory


def person_of(organisation, role=Affiliation.Role.MEMBER):
    """A verified person acting for `organisation` (active affiliation, shown org)."""
    person = UserFactory(organisation=organisation)
    AffiliationFactory(user=person, organisation=organisation, role=role)
    return person


class ChallengeFactory(DjangoModelFactory):
    class Meta:
        model = Challenge

    organisation = factory.SubFactory(OrganisationFactory)
    title = factory.Sequence(lambda n: f"Recycled carbon fibre {n}")
    summary = "Recover carbon fibre from end-of-life composite parts."
    details = "Confidential process constraints: 180 °C, 3 bar."
    sectors = ["manufacturing", "materials"]
    status = Challenge.Status.IN_VALIDATION


class OfferFactory(DjangoModelFactory):
    class Meta:
        model = TechnologyOffer

    organisation = factory.SubFactory(OrganisationFactory)
    title = factory.Sequence(lambda n: f"Graphene coating {n}")
    summary = "An anti-corrosion graphene coating for steel."
    details = "Recipe kept for licensees."
    trl = 6
    ip_status = TechnologyOffer.IpStatus.GRANTED_PATENT
    sectors = ["materials"]
    status = TechnologyOffer.Status.IN_VALIDATION


class FacilitatorFactory(DjangoModelFactory):
    class Meta:
        model = Facilitator

    person = factory.SubFactory(UserFactory)
    is_active = True


def facilitator():
    return FacilitatorFactory().person


class FundingCallFactory(DjangoModelFactory):
    class Meta:
        model = FundingCall
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Bando Innovazione {n}")
    body = "Grants for **SMEs** investing in research."
    deadline = factory.LazyFunction(
        lambda: timezone.localdate() + datetime.timedelta(days=30)
    )
    eligible_kinds = ["enterprise", "startup"]
    sectors = ["manufacturing"]
    link = "https://www.regione.lombardia.it/bandi/1"

    @factory.post_generation
    def tags(self, create, extracted, **kwargs):
        if create and extracted:
            self.tags.set(extracted)
