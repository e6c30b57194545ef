"""E-mail choices as people change them: the preferences form and one-click
unsubscribing (one service function per action)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from community.models import User

from . import digests
from .email_models import EmailPreference

Digest = EmailPreference.Digest


def email_preferences_update(
    *, actor, mentions, replies, invitations, innovation, digest, now=None
):
    """Store `actor`'s e-mail choices. Raises ValidationError for an unknown digest
    frequency. Choosing a digest (from none) starts its window now, so the first one
    lists what arrives from here on."""
    if not actor.is_authenticated:
        raise ValidationError(_("Sign in to change your e-mail settings."))
    if digest not in Digest.values:
        raise ValidationError(
            _("Choose how often to receive a digest."), code="invalid_digest"
        )
    now = now or timezone.now()
    with transaction.atomic():
        preference = EmailPreference.objects.select_for_update().filter(
            pk=actor.pk
        ).first() or EmailPreference(person=actor)
        if digest == Digest.OFF:
            preference.next_digest_at = None
        elif preference.digest == Digest.OFF or preference.last_digest_at is None:
            # The first digest lists what arrives from now on, a period from now.
            preference.last_digest_at = now
            preference.next_digest_at = now + digests.PERIODS[digest]
        elif digest != preference.digest:
            # Daily to weekly or back: a period after the last one (or at once).
            preference.next_digest_at = max(
                preference.last_digest_at + digests.PERIODS[digest], now
            )
        preference.mentions = bool(mentions)
        preference.replies = bool(replies)
        preference.invitations = bool(invitations)
        preference.innovation = bool(innovation)
        preference.digest = digest
        preference.full_clean()
        preference.save()
    return preference


def email_unsubscribe(*, person_id, topic):
    """Stop e-mails of `topic` ("mentions", "replies", "invitations", "innovation" or
    "digest") for
    `person_id`: called with a verified unsubscribe token, no sign-in needed. Returns
    whether the person exists (unsubscribing twice changes nothing more)."""
    if topic not in {"mentions", "replies", "invitations", "innovation", "digest"}:
        raise ValueError(f"Unknown e-mail topic {topic!r}.")
    if not User.objects.filter(pk=person_id).exists():
        return False
    changes = {"digest": Digest.OFF} if topic == "digest" else {topic: False}
    with transaction.atomic():
        if not EmailPreference.objects.filter(pk=person_id).update(**changes):
            EmailPreference.objects.create(person_id=person_id, **changes)
    return True
