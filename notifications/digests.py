"""Daily and weekly digests: each person who chose one gets, when it is due, one
e-mail listing their unread notifications since the last digest that they may still
see (those already e-mailed one by one left out), and never the same window twice."""

import logging
from datetime import timedelta

from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import ngettext

from community import permissions
from community.models import User

from . import mail, queries
from .email_models import EmailPreference, NotificationEmail
from .models import Notification
from .visibility import can_see

logger = logging.getLogger(__name__)

Digest = EmailPreference.Digest

PERIODS = {Digest.DAILY: timedelta(days=1), Digest.WEEKLY: timedelta(days=7)}
# At most this many notifications are listed; the e-mail says how many more wait.
LISTED = 50


def digest_due(preference, now):
    """Whether `preference`'s digest should go out at `now`: at its next due time, or
    (none set) a whole period after the last one."""
    period = PERIODS.get(preference.digest)
    if period is None:
        return False
    if preference.next_digest_at is not None:
        return now >= preference.next_digest_at
    return (
        preference.last_digest_at is None or now - preference.last_digest_at >= period
    )


def next_due(preference, now):
    """The digest after one sent `now`: one period after the time it was due (the same
    time of day), or one period from now when that has passed already (downtime)."""
    period = PERIODS[preference.digest]
    following = (preference.next_digest_at or now) + period
    return following if following > now else now + period


def digest_items(person, since, until):
    """`person`'s unread notifications created in (`since`, `until`] that they may
    still see now, oldest first, without those already e-mailed one by one."""
    rows = (
        mail._with_targets(
            # Unread: not marked read, nor settled by reading the thread to its end.
            queries.unread(
                Notification.objects.filter(
                    recipient_id=person.pk, created_at__lte=until
                )
            )
        )
        .exclude(email__outcome=NotificationEmail.Outcome.SENT)
        .order_by("created_at", "pk")
    )
    if since is not None:
        rows = rows.filter(created_at__gt=since)
    rows = list(rows)
    # In their language: what `attach` words (an anonymous seeker's description).
    with translation.override(mail.language_of(person)):
        queries.attach(rows)
    with permissions.operation():  # one person's memberships, read once
        return [n for n in rows if can_see(person, n)]


def digest_message(person, items, frequency):
    """The digest e-mail of `items` (visible, unread) for `person`."""
    with translation.override(mail.language_of(person)):
        count = len(items)
        if frequency == Digest.WEEKLY:
            subject = ngettext(
                "Your weekly digest: %(count)d unread notification",
                "Your weekly digest: %(count)d unread notifications",
                count,
            ) % {"count": count}
        else:
            subject = ngettext(
                "Your daily digest: %(count)d unread notification",
                "Your daily digest: %(count)d unread notifications",
                count,
            ) % {"count": count}
    listed = items[:LISTED]
    return mail._message(
        person,
        subject,
        "digest",
        {
            "entries": [mail.item_context(n) for n in listed],
            "more": count - len(listed),
            "weekly": frequency == Digest.WEEKLY,
            "count": count,
        },
        "digest",
    )


def send_digest(preference, *, now):
    """Send `preference`'s person their digest if due: claim the window (a second
    worker finds it taken), list what they may still see, send it if anything is
    there. A failed send gives the window back. Returns whether an e-mail went out."""
    if not digest_due(preference, now):
        return False
    since = preference.last_digest_at
    was_due = preference.next_digest_at
    claimed = EmailPreference.objects.filter(
        Q(last_digest_at=since)
        if since is not None
        else Q(last_digest_at__isnull=True),
        pk=preference.pk,
        digest=preference.digest,
    ).update(last_digest_at=now, next_digest_at=next_due(preference, now))
    if not claimed:
        return False
    person = User.objects.filter(pk=preference.pk).first()
    if person is None or not mail.may_receive(person):
        return False
    items = digest_items(person, since, now)
    if not items:
        return False
    try:
        digest_message(person, items, preference.digest).send()
    except Exception:
        logger.exception("notifications: digest for %s failed", person.pk)
        EmailPreference.objects.filter(pk=preference.pk, last_digest_at=now).update(
            last_digest_at=since, next_digest_at=was_due
        )
        return False
    return True


def send_digests(*, now=None):
    """Send every due digest; returns how many went out."""
    now = now or timezone.now()
    sent = 0
    chosen = EmailPreference.objects.exclude(digest=Digest.OFF).order_by("pk")
    for preference in chosen.iterator(chunk_size=200):
        sent += send_digest(preference, now=now)
    return sent
