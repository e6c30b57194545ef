"""Who may see match suggestions and dismiss them: a person with an active
affiliation, for that organisation (suggestions are the organisation's, shared by its
people). Facilitators and staff see the desk's pages, not an organisation's
suggestions: they act for no organisation here."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from community.models import Affiliation

NO_AFFILIATION_REFUSAL = _(
    "Match suggestions are made for an organisation: join yours (from your profile) "
    "to see them."
)


def suggestions_organisation(user):
    """The organisation `user` sees suggestions for (its active affiliation), or None."""
    if not getattr(user, "is_authenticated", False):
        return None
    affiliation = (
        Affiliation.objects.select_related("organisation")
        .filter(user=user, state=Affiliation.State.ACTIVE)
        .first()
    )
    return affiliation.organisation if affiliation else None


def can_dismiss_suggestion(user, organisation):
    """Marking a suggestion "not relevant" is for the organisation's active members."""
    return (
        organisation is not None
        and getattr(user, "is_authenticated", False)
        and Affiliation.objects.filter(
            user=user, organisation=organisation, state=Affiliation.State.ACTIVE
        ).exists()
    )


def require_suggestions_organisation(user):
    organisation = suggestions_organisation(user)
    if organisation is None:
        raise PermissionDenied(str(NO_AFFILIATION_REFUSAL))
    return organisation
