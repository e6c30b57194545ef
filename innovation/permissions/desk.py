"""The innovation desk's rules: who is a facilitator, who reads the validation queue,
who may edit a draft, who reads an introduction, who manages funding calls."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from community import permissions as community_permissions
from community.models import Affiliation

from ..anonymity import is_active_facilitator
from ..models import Challenge, Facilitator, FundingCall, Introduction, TechnologyOffer

__all__ = [
    "FACILITATOR_REFUSAL",
    "is_facilitator",
    "require_facilitator",
    "require_staff",
    "can_validate",
    "require_validate",
    "can_read_draft",
    "can_edit_draft",
    "can_request_help",
    "can_take_draft",
    "can_release_draft",
    "can_read_introduction",
    "access_introduction",
    "introduction_brokers",
    "can_manage_funding_calls",
    "funding_calls_visible_to",
    "access_funding_call",
    "active_facilitator_ids",
    "acting_organisation",
    "ITEM_MODELS",
]

FACILITATOR_REFUSAL = _("Only the innovation desk's facilitators may do this.")


def _signed_in(user):
    return user is not None and user.is_authenticated and user.is_active


def is_facilitator(user):
    """An active facilitator of the desk, or site staff."""
    if not _signed_in(user):
        return False
    return community_permissions.is_site_staff(user) or is_active_facilitator(user)


def is_assigned_facilitator(user, item):
    """The facilitator assigned to help with `item` (a challenge or an offer), while
    still on the desk: a revoked facilitator keeps nothing of the items they helped."""
    return (
        _signed_in(user)
        and item.facilitator_id is not None
        and item.facilitator_id == user.pk
        and is_facilitator(user)
    )


def active_facilitator_ids(user_ids):
    """The ids among `user_ids` of active facilitators (for the badge, one query)."""
    return set(
        Facilitator.objects.filter(person_id__in=user_ids, is_active=True).values_list(
            "person_id", flat=True
        )
    )


def require_facilitator(user):
    if not is_facilitator(user):
        raise PermissionDenied(str(FACILITATOR_REFUSAL))


def require_staff(user):
    """Granting the facilitator role is for site staff only."""
    if not (_signed_in(user) and community_permissions.is_site_staff(user)):
        raise PermissionDenied(str(_("Only site staff may grant or revoke the role.")))


def can_validate(user, item):
    """A facilitator decides on a challenge or an offer waiting for validation."""
    return is_facilitator(user) and item.status == item.Status.IN_VALIDATION


def require_validate(user, item):
    if not is_facilitator(user):
        raise PermissionDenied(str(FACILITATOR_REFUSAL))
    if item.status != item.Status.IN_VALIDATION:
        raise PermissionDenied(
            str(_("This item is not waiting for validation any more."))
        )


def _of_organisation(user, item, *, admin=False):
    affiliation = community_permissions.affiliation_of(user, item.organisation)
    if affiliation is None or affiliation.state != Affiliation.State.ACTIVE:
        return False
    return not admin or affiliation.role == Affiliation.Role.ADMIN


def can_read_draft(user, item):
    """The firm's people, the assigned facilitator, the desk while the item waits for
    it (validation, a request for help), staff."""
    if not _signed_in(user):
        return False
    if community_permissions.is_site_staff(user):
        return True
    if _of_organisation(user, item):
        return True
    if is_assigned_facilitator(user, item):
        return True
    # The desk reads what waits for it: items to validate, drafts asking for help.
    waiting = item.status == item.Status.IN_VALIDATION or (
        item.status == item.Status.DRAFT
        and item.facilitator_id is None
        and item.help_requested_at is not None
    )
    return waiting and is_facilitator(user)


def can_edit_draft(user, item):
    """A draft is edited by the firm's people and by the facilitator assigned to help
    (while still active); a facilitator who is not assigned may not."""
    if not _signed_in(user) or item.status != item.Status.DRAFT:
        return False
    if _of_organisation(user, item):
        return True
    return is_assigned_facilitator(user, item)


def can_request_help(user, item):
    """The firm's admins ask the desk for help on a draft nobody helps with yet."""
    return (
        _signed_in(user)
        and item.status == item.Status.DRAFT
        and item.facilitator_id is None
        and _of_organisation(user, item, admin=True)
    )


def can_take_draft(user, item):
    """A facilitator takes a draft the firm asked help for (nobody else helping)."""
    return (
        is_facilitator(user)
        and item.status == item.Status.DRAFT
        and item.facilitator_id is None
    )


def can_release_draft(user, item):
    """The assigned facilitator, the firm's admins or staff end the help."""
    if not _signed_in(user) or item.facilitator_id is None:
        return False
    return (
        item.facilitator_id == user.pk
        or community_permissions.is_site_staff(user)
        or _of_organisation(user, item, admin=True)
    )


def can_read_introduction(user, introduction):
    """The three people of an introduction, and staff."""
    if not _signed_in(user):
        return False
    return user.pk in (
        introduction.facilitator_id,
        introduction.first_person_id,
        introduction.second_person_id,
    ) or community_permissions.is_site_staff(user)


def access_introduction(user, pk):
    """The introduction if `user` may read it, else Http404 (missing or private)."""
    introduction = (
        Introduction.objects.select_related(
            "facilitator",
            "first_person",
            "second_person",
            "first_organisation",
            "second_organisation",
            "thread__community",
        )
        .filter(pk=pk)
        .first()
    )
    if introduction is None or not can_read_introduction(user, introduction):
        raise Http404
    return introduction


def introduction_brokers(community, author_ids):
    """The ids among `author_ids` of the facilitator who made the introduction held
    in `community` (its conversation's community), while still an active facilitator:
    the two firms read who the broker is by the badge beside their name. One query."""
    return set(
        Introduction.objects.filter(
            thread__community_id=community.pk,
            facilitator_id__in=author_ids,
            facilitator__facilitator__is_active=True,
        ).values_list("facilitator_id", flat=True)
    )


def can_manage_funding_calls(user):
    return is_facilitator(user)


def funding_calls_visible_to(user):
    """Published calls for everyone; withdrawn ones for the desk too."""
    calls = FundingCall.objects.all()
    if can_manage_funding_calls(user):
        return calls
    return calls.filter(status=FundingCall.Status.PUBLISHED)


def access_funding_call(user, pk):
    call = funding_calls_visible_to(user).filter(pk=pk).first()
    if call is None:
        raise Http404
    return call


def acting_organisation(user):
    """The organisation `user` shows beside their name if the affiliation is active."""
    if not _signed_in(user) or user.organisation_id is None:
        return None
    return (
        user.organisation
        if community_permissions.is_organisation_member(user, user.organisation)
        else None
    )


# The models the desk works on, by the name used in URLs.
ITEM_MODELS = {"challenge": Challenge, "offer": TechnologyOffer}
