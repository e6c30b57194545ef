"""Who may see match suggestions and dismiss them: a person with an active
affiliation, for that organisation (suggestions are the organisation's, shared by its
people). Facilitators and staff see the desk's pages, not an organisation's
suggestions: they act for no organisation here."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from community.models import Affiliation

from .funnel import acting_organisation

NO_AFFILIATION_REFUSAL = _(
    "Match suggestions are made for an organisation: join yours (from your profile) "
    "to see them."
)


def suggestions_organisation(user):
    """The organisation `user` sees suggestions for (its active affiliation), or None."""
    return acting_organisation(user)


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


def can_see_match(user, event_type, item_id):
    """A "new match" notification stays visible while its item is public (an open
    challenge, a published offer not expired) and `user` still belongs to an
    organisation other than the item's."""
    from django.utils import timezone

    from ..models import Challenge, TechnologyOffer

    organisation = suggestions_organisation(user)
    if organisation is None or item_id is None:
        return False
    if event_type.startswith("challenge"):
        items = Challenge.objects.filter(pk=item_id, status=Challenge.Status.OPEN)
    elif event_type.startswith("offer"):
        items = TechnologyOffer.objects.filter(
            pk=item_id,
            status=TechnologyOffer.Status.PUBLISHED,
            expires_at__gt=timezone.now(),
        )
    else:
        return False
    return items.exclude(organisation=organisation).exists()
