"""The people of the desk's permission matrices, built around one firm's item."""

from community.models import Affiliation
from innovation.models import Facilitator
from tests.innovation.factories_desk import FacilitatorFactory, facilitator, person_of
from tests.support.factories import OrganisationFactory, UserFactory

ROLES = [
    "anonymous",
    "unrelated",
    "firm_admin",
    "firm_member",
    "facilitator",
    "revoked_facilitator",
    "staff",
]


def person(role, item):
    """The person playing `role` about `item` (a challenge or an offer); None for
    anonymous."""
    if role == "anonymous":
        return None
    if role == "unrelated":
        return person_of(OrganisationFactory())
    if role == "firm_admin":
        return person_of(item.organisation, Affiliation.Role.ADMIN)
    if role == "firm_member":
        return person_of(item.organisation)
    if role == "facilitator":
        return facilitator()
    if role == "revoked_facilitator":
        return FacilitatorFactory(is_active=False).person
    if role == "staff":
        return UserFactory(is_staff=True)
    raise ValueError(role)


def login(client, someone):
    if someone is not None:
        client.force_login(someone)
    return client


__all__ = ["ROLES", "person", "login", "Facilitator"]
