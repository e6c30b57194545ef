"""Reads for organisations: the directory, its filters, members and pending requests."""

from django.db.models import Count, Exists, OuterRef, Q
from taggit.models import Tag

from ..models import (
    Affiliation,
    Organisation,
    OrganisationCompetence,
    OrganisationInterest,
)

__all__ = [
    "organisation_cities",
    "organisation_directory",
    "organisation_members",
    "organisation_pending_affiliations",
    "organisation_tag",
]


def organisation_directory(*, q="", kind="", tag="", city=""):
    """Organisations matching the directory filters, each with `active_member_count`.

    Filters combine: `q` searches name and description (case-insensitive), `kind` is
    a Kind value, `tag` a competence or interest tag slug, `city` a city name (any
    case). Competences are prefetched so cards cost no query per row.
    """
    organisations = Organisation.objects.annotate(
        active_member_count=Count(
            "affiliations", filter=Q(affiliations__state=Affiliation.State.ACTIVE)
        )
    ).prefetch_related("competences")
    if q:
        organisations = organisations.filter(
            Q(name__icontains=q) | Q(description__icontains=q)
        )
    if kind:
        organisations = organisations.filter(kind=kind)
    if city:
        organisations = organisations.filter(city__iexact=city)
    if tag:
        # Exists keeps one row per organisation (no join to multiply the count).
        competence = OrganisationCompetence.objects.filter(
            content_object=OuterRef("pk"), tag__slug=tag
        )
        interest = OrganisationInterest.objects.filter(
            content_object=OuterRef("pk"), tag__slug=tag
        )
        organisations = organisations.filter(Exists(competence) | Exists(interest))
    return organisations.order_by("name", "pk")


def organisation_cities():
    """The cities where organisations are, for the directory filter (one per spelling)."""
    cities = {}
    values = (
        Organisation.objects.exclude(city="")
        .values_list("city", flat=True)
        .distinct()
        .order_by("city")
    )
    for city in values:
        cities.setdefault(city.casefold(), city)
    return sorted(cities.values(), key=str.casefold)


def organisation_tag(slug):
    """The tag behind a `?tag=` slug (to show its name), or None."""
    if not slug:
        return None
    return Tag.objects.filter(slug=slug).first()


def organisation_members(organisation):
    """Active affiliations, admins first, with each person and their organisation."""
    return (
        organisation.affiliations.filter(state=Affiliation.State.ACTIVE)
        .select_related("user__organisation")
        # "admin" sorts before "member".
        .order_by("role", "user__display_name", "user__username")
    )


def organisation_pending_affiliations(organisation):
    """Requests waiting for an admin's decision, oldest first."""
    return (
        organisation.affiliations.filter(state=Affiliation.State.PENDING)
        .select_related("user__organisation")
        .order_by("created_at", "pk")
    )
