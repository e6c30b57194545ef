"""Factories for technology offers, expressions of interest and the people around
them (helper O's area), and the roles of the offers' permission matrices."""

from dataclasses import dataclass
from datetime import timedelta

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from community.models import Affiliation
from innovation.models import (
    Challenge,
    ExpressionOfInterest,
    Facilitator,
    Proposal,
    TechnologyOffer,
)
from tests.support.factories import AffiliationFactory, OrganisationFactory, UserFactory


class OfferFactory(DjangoModelFactory):
    class Meta:
        model = TechnologyOffer
        skip_postgeneration_save = True

    organisation = factory.SubFactory(OrganisationFactory)
    title = factory.Sequence(lambda n: f"Self-healing coating {n}")
    summary = "A polymer coating that closes scratches at room temperature."
    details = "SECRET-DETAILS: the catalyst is microencapsulated dicyclopentadiene."
    trl = 5
    ip_status = TechnologyOffer.IpStatus.GRANTED_PATENT
    patent_number = "EP1234567"
    licensing_terms = "Non-exclusive licence per field of use."
    collaboration_types = ["licence", "joint_development"]
    sectors = ["materials"]
    nda_text = "The recipient keeps every document confidential for five years."
    status = TechnologyOffer.Status.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=200))


class InterestFactory(DjangoModelFactory):
    class Meta:
        model = ExpressionOfInterest

    offer = factory.SubFactory(OfferFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    who_we_are = "A coatings SME from Brescia."
    intended_use = "Protect agricultural machinery."
    cooperation = "A licence for our sector."
    collaboration_type = "licence"


class ChallengeFactory(DjangoModelFactory):
    class Meta:
        model = Challenge

    organisation = factory.SubFactory(OrganisationFactory)
    title = factory.Sequence(lambda n: f"Lighter gearbox housing {n}")
    summary = "We need a lighter housing for an industrial gearbox."
    details = "SECRET-CHALLENGE-DETAILS"
    status = Challenge.Status.OPEN
    nda_text = "Keep our drawings confidential."


class ProposalFactory(DjangoModelFactory):
    class Meta:
        model = Proposal

    challenge = factory.SubFactory(ChallengeFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    title = "Magnesium casting"
    summary = "We cast magnesium housings."
    status = Proposal.Status.SHORTLISTED


def person_of(organisation, *, admin=False, **kwargs):
    """A person with an active affiliation to `organisation`."""
    person = UserFactory(organisation=organisation, **kwargs)
    AffiliationFactory(
        user=person,
        organisation=organisation,
        role=Affiliation.Role.ADMIN if admin else Affiliation.Role.MEMBER,
    )
    return person


def facilitator():
    person = UserFactory()
    Facilitator.objects.create(person=person)
    return person


# Everyone the offers' pages meet.
ROLES = ("anonymous", "unrelated", "sender", "owner", "facilitator", "staff")


@dataclass
class OfferWorld:
    offer: TechnologyOffer
    interest: ExpressionOfInterest
    people: dict

    def person(self, role):
        return self.people.get(role)


def offer_world(
    *, interest_status=ExpressionOfInterest.Status.ACCEPTED, **offer_fields
):
    """A published offer, an owner admin, a sender whose organisation's interest has
    `interest_status`, a member of an unrelated organisation, a facilitator, staff."""
    owner_org = OrganisationFactory(name="Politecnico Demo")
    sender_org = OrganisationFactory(name="Officine Sender")
    offer = OfferFactory(organisation=owner_org, **offer_fields)
    owner = person_of(owner_org, admin=True)
    sender = person_of(sender_org, admin=True)
    interest = InterestFactory(
        offer=offer, organisation=sender_org, created_by=sender, status=interest_status
    )
    people = {
        "anonymous": None,
        "unrelated": person_of(OrganisationFactory(name="Unrelated Srl")),
        "sender": sender,
        "owner": owner,
        "facilitator": facilitator(),
        "staff": UserFactory(is_staff=True),
    }
    return OfferWorld(offer=offer, interest=interest, people=people)


def login(client, person):
    if person is not None:
        client.force_login(person)
    return client


def committed(capture):
    """`with committed(django_capture_on_commit_callbacks):` runs what commits inside
    and then its after-commit work (notifications, search) as a server would."""
    return capture(execute=True)
