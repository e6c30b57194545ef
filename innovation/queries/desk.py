"""Reads of the innovation desk: the validation queue, the drafts facilitators help
with, introductions and funding-call lists."""

from django.db.models import Q
from django.utils import timezone

from .. import permissions
from ..models import Challenge, Introduction, TechnologyOffer

_ITEM_RELATED = ("organisation", "created_by", "facilitator")


def _tagged(items, kind):
    for item in items:
        item.desk_kind = kind
    return items


def validation_queue():
    """Challenges and offers waiting for validation, oldest first (by when they were
    last sent), as one list: two queries whatever its length."""
    challenges = _tagged(
        list(
            Challenge.objects.filter(
                status=Challenge.Status.IN_VALIDATION
            ).select_related(*_ITEM_RELATED)
        ),
        "challenge",
    )
    offers = _tagged(
        list(
            TechnologyOffer.objects.filter(
                status=TechnologyOffer.Status.IN_VALIDATION
            ).select_related(*_ITEM_RELATED)
        ),
        "offer",
    )
    return sorted(challenges + offers, key=lambda item: (item.updated_at, item.pk))


def drafts_helped_by(user):
    """The drafts `user` (a facilitator) helps with."""
    return _drafts(Q(facilitator=user))


def help_requests():
    """Drafts whose firm asked the desk for help and nobody has taken yet."""
    return _drafts(Q(facilitator__isnull=True, help_requested_at__isnull=False))


def _drafts(condition):
    challenges = _tagged(
        list(
            Challenge.objects.filter(
                condition, status=Challenge.Status.DRAFT
            ).select_related(*_ITEM_RELATED)
        ),
        "challenge",
    )
    offers = _tagged(
        list(
            TechnologyOffer.objects.filter(
                condition, status=TechnologyOffer.Status.DRAFT
            ).select_related(*_ITEM_RELATED)
        ),
        "offer",
    )
    return sorted(challenges + offers, key=lambda item: (item.updated_at, item.pk))


def desk_item(user, kind, pk):
    """The challenge or offer the desk page shows to `user`, or None (not there, or
    not theirs to read: a draft for the firm and its helper, an item in validation
    for the desk, staff always)."""
    model = permissions.ITEM_MODELS.get(kind)
    if model is None:
        return None
    item = (
        model.objects.select_related(*_ITEM_RELATED, "validated_by")
        .prefetch_related("tags")
        .filter(pk=pk)
        .first()
    )
    if item is None or not permissions.can_read_draft(user, item):
        return None
    item.desk_kind = kind
    return item


def introductions_of(user):
    """The introductions `user` made or takes part in, newest first."""
    return Introduction.objects.filter(
        Q(facilitator=user) | Q(first_person=user) | Q(second_person=user)
    ).select_related(
        "facilitator",
        "first_person",
        "second_person",
        "first_organisation",
        "second_organisation",
        "thread__community",
    )


def funding_calls(user, *, closed=False, kind="", sector="", today=None):
    """Published calls (withdrawn ones too for the desk): upcoming first by deadline,
    or the past ones (`closed`) latest first; filtered by eligible kind and sector."""
    today = today or timezone.localdate()
    calls = permissions.funding_calls_visible_to(user).prefetch_related("tags")
    if closed:
        calls = calls.filter(deadline__lt=today).order_by("-deadline", "-pk")
    else:
        calls = calls.filter(deadline__gte=today).order_by("deadline", "pk")
    if kind:
        calls = calls.filter(eligible_kinds__contains=f",{kind},")
    if sector:
        calls = calls.filter(sectors__contains=f",{sector},")
    return calls
