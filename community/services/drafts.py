"""Composer drafts: kept per person and thread while typing, cleared once sent."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .. import permissions
from ..models import Draft
from ..ratelimit import rate_limit_hit

__all__ = ["draft_save", "drafts_clear"]


def draft_save(*, actor, thread, body):
    """Keep `body` as `actor`'s draft in `thread` (blank text removes the draft);
    return the Draft, or None once removed.

    Callers: whoever may write in `thread` (`permissions.can_keep_draft`), else
    PermissionDenied. Raises ValidationError past the message length limit (the
    composer's counter stops there too) or past the "draft" rate limit. No event:
    a draft is private, and pages read it when they render the composer.
    """
    permissions.require_keep_draft(actor, thread)
    body = (body or "").replace("\r\n", "\n").replace("\r", "\n")
    limit = settings.POST_BODY_MAX_LENGTH
    if len(body) > limit:
        raise ValidationError(
            {
                "body": ngettext(
                    "The draft is too long: at most %(limit)d character.",
                    "The draft is too long: at most %(limit)d characters.",
                    limit,
                )
                % {"limit": limit}
            },
            code="max_length",
        )
    if "\x00" in body:
        raise ValidationError(
            {"body": _("The message contains characters that are not text.")},
            code="invalid",
        )
    rate_limit_hit(actor, "draft")
    if not body.strip():
        drafts_clear([(actor.pk, thread.pk)])
        return None
    draft, _created = Draft.objects.update_or_create(
        author=actor, thread=thread, defaults={"body": body}
    )
    return draft


def drafts_clear(pairs):
    """Remove the drafts of the (person id, thread id) `pairs`, in one statement:
    what sending a message does for its author's draft there."""
    pairs = set(pairs)
    if not pairs:
        return
    condition = Q()
    for author_id, thread_id in pairs:
        condition |= Q(author_id=author_id, thread_id=thread_id)
    Draft.objects.filter(condition).delete()
