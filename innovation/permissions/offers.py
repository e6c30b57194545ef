"""Who may see, read, edit, renew technology offers and send, see and decide the
expressions of interest about them."""

from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from community import permissions as community_permissions

from ..anonymity import is_active_facilitator
from ..models import ExpressionOfInterest, TechnologyOffer
from .desk import is_assigned_facilitator, is_facilitator
from .funnel import acting_organisation

Status = TechnologyOffer.Status
EoiStatus = ExpressionOfInterest.Status

# An owner may renew an offer this many days before it expires (or once expired).
RENEWAL_WINDOW_DAYS = 30


# --- who the user is -------------------------------------------------------------------


def _of_owner(user, offer):
    organisation = acting_organisation(user)
    return organisation is not None and organisation.pk == offer.organisation_id


# --- offers ----------------------------------------------------------------------------


def is_live(offer, now=None):
    """Published and not expired: listed, searchable, open to interest."""
    now = now or timezone.now()
    return offer.status == Status.PUBLISHED and (
        offer.expires_at is None or offer.expires_at > now
    )


def is_expired(offer, now=None):
    now = now or timezone.now()
    return (
        offer.status == Status.PUBLISHED
        and offer.expires_at is not None
        and offer.expires_at <= now
    )


def live_offers_condition(now=None):
    """The Q of published, unexpired offers (lists, search, suggestions)."""
    now = now or timezone.now()
    return Q(status=Status.PUBLISHED) & (
        Q(expires_at__isnull=True) | Q(expires_at__gt=now)
    )


def can_see_offer(user, offer):
    """Published and unexpired: everyone, anonymous visitors included. Otherwise the
    owner's people, its facilitator, staff; and facilitators while it awaits
    validation."""
    if is_live(offer):
        return True
    if (
        community_permissions.is_site_staff(user)
        or _of_owner(user, offer)
        or is_assigned_facilitator(user, offer)
    ):
        return True
    # The validation queue is the whole desk's.
    return offer.status == Status.IN_VALIDATION and is_active_facilitator(user)


def offers_visible_to(user, queryset=None):
    """The offers `user` may see (consistent with `can_see_offer`)."""
    queryset = TechnologyOffer.objects.all() if queryset is None else queryset
    if community_permissions.is_site_staff(user):
        return queryset
    condition = live_offers_condition()
    organisation = acting_organisation(user)
    if organisation is not None:
        condition |= Q(organisation_id=organisation.pk)
    if is_active_facilitator(user):
        condition |= Q(facilitator_id=user.pk) | Q(status=Status.IN_VALIDATION)
    return queryset.filter(condition)


def access_offer(user, pk):
    """The offer `pk` if `user` may see it; Http404 for missing and invisible alike."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404("No such offer.") from None
    offer = (
        TechnologyOffer.objects.select_related("organisation", "facilitator")
        .filter(pk=pk)
        .first()
    )
    if offer is None or not can_see_offer(user, offer):
        raise Http404("No such offer.")
    return offer


def has_accepted_interest(user, offer):
    """The user's organisation sent an interest the owner accepted."""
    organisation = acting_organisation(user)
    if organisation is None:
        return False
    return ExpressionOfInterest.objects.filter(
        offer_id=offer.pk, organisation_id=organisation.pk, status=EoiStatus.ACCEPTED
    ).exists()


def can_read_offer_details(user, offer):
    """The details (second step of the ladder): the owner's people, facilitators,
    staff, and the people of an organisation whose interest was accepted."""
    if not can_see_offer(user, offer):
        return False
    if is_facilitator(user) or _of_owner(user, offer):
        return True
    return has_accepted_interest(user, offer)


def can_edit_offer(user, offer):
    """The owner's people while it is a draft; its facilitator (helping draft it)."""
    if offer.status != Status.DRAFT:
        return False
    return _of_owner(user, offer) or is_assigned_facilitator(user, offer)


def can_submit_offer(user, offer):
    """The owner's people send a draft to the desk's validation."""
    return offer.status == Status.DRAFT and _of_owner(user, offer)


def can_renew_offer(user, offer, now=None):
    """The owner's people, once it expired or within RENEWAL_WINDOW_DAYS of expiry."""
    if offer.status != Status.PUBLISHED or offer.expires_at is None:
        return False
    if not _of_owner(user, offer):
        return False
    now = now or timezone.now()
    return offer.expires_at - now <= timezone.timedelta(days=RENEWAL_WINDOW_DAYS)


def can_withdraw_offer(user, offer):
    return offer.status != Status.WITHDRAWN and _of_owner(user, offer)


def can_see_offer_desk_view(user, offer):
    """The owner's people, its facilitator and staff see its status, refusal reason and
    received interests."""
    return (
        community_permissions.is_site_staff(user)
        or _of_owner(user, offer)
        or is_assigned_facilitator(user, offer)
    )


def can_create_offer(user):
    """People acting for an organisation publish offers for it."""
    return acting_organisation(user) is not None


require_create_offer = community_permissions.requirement(
    can_create_offer, _("Only people of an organisation can offer a technology.")
)
require_edit_offer = community_permissions.requirement(
    can_edit_offer,
    _("Only the owner's people can edit this offer, and only as a draft."),
)
require_submit_offer = community_permissions.requirement(
    can_submit_offer,
    _("Only the owner's people can send a draft offer for validation."),
)
require_renew_offer = community_permissions.requirement(
    can_renew_offer,
    _(
        "Only the owner's people can renew an offer, once it has expired or in the "
        "last 30 days before it expires."
    ),
)
require_withdraw_offer = community_permissions.requirement(
    can_withdraw_offer, _("Only the owner's people can withdraw this offer.")
)


# --- expressions of interest ------------------------------------------------------------


def interest_of(user, offer):
    """The interest the user's organisation sent about `offer`, or None."""
    organisation = acting_organisation(user)
    if organisation is None:
        return None
    return ExpressionOfInterest.objects.filter(
        offer_id=offer.pk, organisation_id=organisation.pk
    ).first()


def can_send_interest(user, offer):
    """People of another organisation, about a live offer, once per organisation."""
    organisation = acting_organisation(user)
    if organisation is None or organisation.pk == offer.organisation_id:
        return False
    if not is_live(offer):
        return False
    return not ExpressionOfInterest.objects.filter(
        offer_id=offer.pk, organisation_id=organisation.pk
    ).exists()


require_send_interest = community_permissions.requirement(
    can_send_interest,
    _(
        "Only people of another organisation can express interest in a published "
        "offer, once per organisation."
    ),
)


def _of_sender(user, interest):
    organisation = acting_organisation(user)
    return organisation is not None and organisation.pk == interest.organisation_id


def sees_every_interest(user, offer):
    """Does `user` see every expression of interest in `offer` (not only their own
    organisation's)? The owner's people, facilitators and staff. The interest pages
    and the offer's stream (`offer_stream_audience`) ask this."""
    return is_facilitator(user) or _of_owner(user, offer)


def can_see_interest(user, interest):
    """The two organisations, facilitators and staff."""
    return sees_every_interest(user, interest.offer) or _of_sender(user, interest)


def interests_visible_to(user, queryset=None):
    queryset = ExpressionOfInterest.objects.all() if queryset is None else queryset
    if is_facilitator(user):
        return queryset
    organisation = acting_organisation(user)
    if organisation is None:
        return queryset.none()
    return queryset.filter(
        Q(organisation_id=organisation.pk) | Q(offer__organisation_id=organisation.pk)
    )


def access_interest(user, pk):
    """The interest `pk` if `user` may see it; Http404 otherwise."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404("No such expression of interest.") from None
    interest = (
        ExpressionOfInterest.objects.select_related(
            "offer__organisation", "organisation", "created_by", "workspace"
        )
        .filter(pk=pk)
        .first()
    )
    if interest is None or not can_see_interest(user, interest):
        raise Http404("No such expression of interest.")
    return interest


def can_decide_interest(user, interest):
    """Administrators of the owner organisation review, decline or accept."""
    if interest.status not in (EoiStatus.SENT, EoiStatus.UNDER_REVIEW):
        return False
    return community_permissions.is_organisation_admin(
        user, interest.offer.organisation
    )


def can_withdraw_interest(user, interest):
    """The sender's people, while it is not decided."""
    return interest.status in (EoiStatus.SENT, EoiStatus.UNDER_REVIEW) and _of_sender(
        user, interest
    )


require_decide_interest = community_permissions.requirement(
    can_decide_interest,
    _("Only administrators of the offering organisation can decide on this interest."),
)
require_withdraw_interest = community_permissions.requirement(
    can_withdraw_interest,
    _("Only the sending organisation can withdraw an interest not yet decided."),
)
