"""What match suggestions never show (own items, answered items, dismissed items,
anything not public) and how a dismissal lowers similar items."""

import datetime

import pytest
from django.utils import timezone

from innovation import matching
from innovation.matching import fulltext
from innovation.models import (
    Challenge,
    DismissedSuggestion,
    ExpressionOfInterest,
    Proposal,
    TechnologyOffer,
)
from innovation.services import suggestions as services
from tests.innovation.factories_matching import (
    ChallengeFactory,
    FundingCallFactory,
    OfferFactory,
)
from tests.support.factories import AffiliationFactory, OrganisationFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

TAGS = ["idrogeno", "elettrolizzatori"]


@pytest.fixture
def firm():
    organisation = OrganisationFactory(kind="enterprise", sector="Energia")
    organisation.competences.add("idrogeno")
    organisation.interests.add("elettrolizzatori", "accumulo")
    return organisation


@pytest.fixture
def member(firm):
    return AffiliationFactory(organisation=firm).user


def keys(found):
    return {(s.kind, s.object.pk) for items in found.values() for s in items}


def test_own_and_answered_items_are_never_suggested(firm):
    own_challenge = ChallengeFactory(organisation=firm, tags=TAGS)
    own_offer = OfferFactory(organisation=firm, tags=TAGS)
    answered = ChallengeFactory(tags=TAGS)
    Proposal.objects.create(challenge=answered, organisation=firm, title="P", summary="S")
    interested = OfferFactory(tags=TAGS)
    ExpressionOfInterest.objects.create(
        offer=interested, organisation=firm, who_we_are="w", intended_use="u",
        cooperation="c", collaboration_type="licence",
    )
    fresh_challenge = ChallengeFactory(tags=TAGS)
    fresh_offer = OfferFactory(tags=TAGS)

    found = keys(fulltext.suggestions(firm))

    assert ("challenge", fresh_challenge.pk) in found
    assert ("offer", fresh_offer.pk) in found
    for hidden in (("challenge", own_challenge.pk), ("offer", own_offer.pk),
                   ("challenge", answered.pk), ("offer", interested.pk),
                   ("organisation", firm.pk)):
        assert hidden not in found


@pytest.mark.parametrize(
    "make",
    [
        lambda: ChallengeFactory(tags=TAGS, status=Challenge.Status.DRAFT, published_at=None),
        lambda: ChallengeFactory(tags=TAGS, status=Challenge.Status.IN_VALIDATION, published_at=None),
        lambda: ChallengeFactory(tags=TAGS, status=Challenge.Status.CLOSED),
        lambda: ChallengeFactory(tags=TAGS, status=Challenge.Status.AWARDED),
        lambda: ChallengeFactory(
            tags=TAGS, deadline=timezone.localdate() - datetime.timedelta(days=1)
        ),
        lambda: OfferFactory(tags=TAGS, status=TechnologyOffer.Status.DRAFT, published_at=None),
        lambda: OfferFactory(tags=TAGS, status=TechnologyOffer.Status.WITHDRAWN),
        lambda: OfferFactory(
            tags=TAGS, expires_at=timezone.now() - datetime.timedelta(minutes=1)
        ),
        lambda: FundingCallFactory(tags=TAGS, status="withdrawn"),
        lambda: FundingCallFactory(
            tags=TAGS, deadline=timezone.localdate() - datetime.timedelta(days=1)
        ),
        lambda: FundingCallFactory(tags=TAGS, eligible_kinds=["university"]),
    ],
    ids=[
        "draft challenge", "challenge in validation", "closed challenge",
        "awarded challenge", "challenge past its deadline", "draft offer",
        "withdrawn offer", "expired offer", "withdrawn call", "past call",
        "call for universities only",
    ],
)
def test_what_is_not_public_to_the_organisation_is_never_suggested(firm, make):
    hidden = make()
    visible = ChallengeFactory(tags=TAGS)
    found = {s.object for items in fulltext.suggestions(firm).values() for s in items}
    assert visible in found
    assert hidden not in found


def test_organisations_are_suggested_across_the_divide(firm):
    university = OrganisationFactory(kind="university", sector="Energia")
    university.competences.add("idrogeno", "accumulo")
    other_firm = OrganisationFactory(kind="enterprise")
    other_firm.competences.add("idrogeno", "elettrolizzatori")
    for index, tag in enumerate(["vernici", "tessuti", "genomica", "robotica"]):
        kind = "research_centre" if index % 2 else "startup"
        OrganisationFactory(kind=kind, sector="Moda").competences.add(tag)
    found = fulltext.suggestions(firm)["organisation"]
    assert [s.object for s in found] == [university]
    assert found[0].tags == ["accumulo", "idrogeno"]
    back = fulltext.suggestions(university)["organisation"]
    assert {s.object for s in back} == {firm, other_firm}


def test_a_dismissal_hides_the_item_and_lowers_those_sharing_its_tags(firm, member):
    dismissed = OfferFactory(tags=["idrogeno", "accumulo", "membrane"])
    similar = OfferFactory(
        tags=["idrogeno", "membrane", "elettrolizzatori"], sectors=["energy"]
    )
    unrelated = OfferFactory(tags=["elettrolizzatori", "catalisi"], sectors=["energy"])
    ChallengeFactory.create_batch(3, tags=["vernici"])  # make the tags rarer
    before = {s.object: s.score for s in fulltext.suggestions(firm)["offer"]}

    services.suggestion_dismiss(actor=member, kind="offer", object_id=dismissed.pk)

    after = {s.object: s for s in fulltext.suggestions(firm)["offer"]}
    assert dismissed not in after
    assert after[similar].score < before[similar]
    assert after[similar].penalty > 0
    assert after[unrelated].score == before[unrelated]
    # A colleague sees the same: the dismissal is the organisation's.
    colleague = AffiliationFactory(organisation=firm).user
    assert DismissedSuggestion.objects.filter(organisation=firm).count() == 1
    services.suggestion_dismiss(actor=colleague, kind="offer", object_id=dismissed.pk)
    assert DismissedSuggestion.objects.filter(organisation=firm).count() == 1

    assert services.suggestion_restore(actor=member, kind="offer", object_id=dismissed.pk)
    assert dismissed in {s.object for s in fulltext.suggestions(firm)["offer"]}


def test_the_why_names_the_shared_tags_rarest_first_and_the_sectors(firm):
    ChallengeFactory.create_batch(3, tags=["idrogeno"])
    offer = OfferFactory(tags=["idrogeno", "elettrolizzatori", "fotonica"], sectors=["energy"])
    suggestion = next(s for s in fulltext.suggestions(firm)["offer"] if s.object == offer)
    assert suggestion.tags == ["elettrolizzatori", "idrogeno"]
    assert suggestion.sectors == ["Energy and environment"]


def test_dismissing_needs_an_active_affiliation_and_a_real_item(firm):
    from django.core.exceptions import PermissionDenied, ValidationError

    from tests.support.factories import UserFactory

    offer = OfferFactory(tags=TAGS)
    with pytest.raises(PermissionDenied):
        services.suggestion_dismiss(actor=UserFactory(), kind="offer", object_id=offer.pk)
    pending = AffiliationFactory(organisation=firm, state="pending").user
    with pytest.raises(PermissionDenied):
        services.suggestion_dismiss(actor=pending, kind="offer", object_id=offer.pk)
    member = AffiliationFactory(organisation=firm).user
    with pytest.raises(ValidationError):
        services.suggestion_dismiss(actor=member, kind="offer", object_id=offer.pk + 99)
    with pytest.raises(ValidationError):
        services.suggestion_dismiss(actor=member, kind="thread", object_id=offer.pk)
    assert not DismissedSuggestion.objects.exists()


def test_an_organisations_sectors_never_come_from_its_drafts_or_anonymous_challenges(firm):
    university = OrganisationFactory(kind="university", sector="")
    university.competences.add("idrogeno", "elettrolizzatori")
    ChallengeFactory(organisation=university, anonymous=True, sectors=["energy"])
    ChallengeFactory(
        organisation=university, status=Challenge.Status.DRAFT, sectors=["energy"],
        published_at=None,
    )
    (suggestion,) = fulltext.suggestions(firm)["organisation"]
    assert suggestion.object == university
    assert suggestion.sectors == []
    OfferFactory(organisation=university, sectors=["energy"])
    (suggestion,) = fulltext.suggestions(firm)["organisation"]
    assert suggestion.sectors == ["Energy and environment"]


def test_finding_the_organisations_a_new_item_matches_costs_the_same_for_more(firm):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    offer = OfferFactory(tags=["idrogeno", "elettrolizzatori"], sectors=["energy"])
    ChallengeFactory(tags=["vernici"])  # (an empty `in` costs no query: start with one)

    def count():
        with CaptureQueriesContext(connection) as queries:
            matching.organisations_for("offer", offer.pk)
        return len(queries)

    few = count()
    for _ in range(10):
        OrganisationFactory(kind="enterprise").interests.add("idrogeno", "vernici")
        ChallengeFactory(tags=["vernici"])
    assert count() == few <= matching.QUERY_BUDGET
