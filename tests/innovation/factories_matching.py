"""Factories for the items match suggestions are made of (the matching area's own)."""

import datetime

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from innovation.models import Challenge, FundingCall, TechnologyOffer
from tests.support.factories import OrganisationFactory


class ChallengeFactory(DjangoModelFactory):
    class Meta:
        model = Challenge
        skip_postgeneration_save = True

    organisation = factory.SubFactory(OrganisationFactory)
    title = factory.Sequence(lambda n: f"Challenge {n}")
    summary = "A need of ours."
    status = Challenge.Status.OPEN
    published_at = factory.LazyFunction(timezone.now)
    deadline = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=30))

    @factory.post_generation
    def tags(self, create, extracted, **kwargs):
        if create and extracted:
            self.tags.add(*extracted)


class OfferFactory(DjangoModelFactory):
    class Meta:
        model = TechnologyOffer
        skip_postgeneration_save = True

    organisation = factory.SubFactory(
        OrganisationFactory, kind="university", sector="Ingegneria"
    )
    title = factory.Sequence(lambda n: f"Offer {n}")
    summary = "A technology of ours."
    trl = 5
    ip_status = TechnologyOffer.IpStatus.KNOW_HOW
    status = TechnologyOffer.Status.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)
    expires_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=90))

    @factory.post_generation
    def tags(self, create, extracted, **kwargs):
        if create and extracted:
            self.tags.add(*extracted)


class FundingCallFactory(DjangoModelFactory):
    class Meta:
        model = FundingCall
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Call {n}")
    body = "Grants."
    deadline = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=60))
    eligible_kinds = ["enterprise", "startup"]
    link = "https://example.org/call"

    @factory.post_generation
    def tags(self, create, extracted, **kwargs):
        if create and extracted:
            self.tags.add(*extracted)
