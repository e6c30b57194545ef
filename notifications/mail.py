"""E-mail about notifications: who gets one and when, what it says (plain text and
HTML, in the person's language), its signed unsubscribe links, and sending it at most
once, re-checking just before that the person may still see what it is about."""

import logging
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from community import permissions

from . import queries, seen
from .email_models import EmailPreference, NotificationEmail
from .models import Notification
from .visibility import can_see

logger = logging.getLogger(__name__)

Kind = Notification.Kind
Outcome = NotificationEmail.Outcome

# The kinds e-mailed one by one, and the preference (EmailPreference field) that
# turns each off. Every kind goes into digests; new matches only there (a weekly
# digest is the promise for them, not one e-mail per published item).
IMMEDIATE = {
    Kind.MENTION: "mentions",
    # A direct message is addressed to the person, as a mention is.
    Kind.DIRECT: "mentions",
    Kind.REPLY_THREAD: "replies",
    Kind.QUOTE: "replies",
    Kind.INVITATION: "invitations",
    # Open innovation: each is a step someone waits on (an interest to review, a
    # proposal's answer, an offer to renew, the desk's decision or help).
    Kind.INTEREST: "innovation",
    Kind.OFFER_EXPIRY: "innovation",
    Kind.INNOVATION: "innovation",
    Kind.DESK_DECISION: "innovation",
    Kind.DESK_HELP: "innovation",
    Kind.INTRODUCTION: "innovation",
}
# What an unsubscribe link can stop: one per immediate preference, and the digest.
TOPICS = {
    "mentions": _("e-mails when someone mentions you"),
    "replies": _("e-mails about replies to your threads and posts"),
    "invitations": _("e-mails when you are invited to a community"),
    "innovation": _("e-mails about open innovation and the innovation desk"),
    "digest": _("the digest of your unread notifications"),
}
UNSUBSCRIBE_SALT = "notifications.unsubscribe"
EXCERPT_CHARS = 300


# --- unsubscribe links --------------------------------------------------------------


def unsubscribe_token(person_id, topic):
    """A signed token that stops `topic` for `person_id` (and nothing else)."""
    if topic not in TOPICS:
        raise ValueError(f"Unknown e-mail topic {topic!r}.")
    return signing.dumps({"p": person_id, "t": topic}, salt=UNSUBSCRIBE_SALT)


def unsubscribe_url(person_id, topic):
    path = reverse(
        "notifications:unsubscribe", args=[unsubscribe_token(person_id, topic)]
    )
    return settings.SITE_URL + path


def read_unsubscribe_token(token):
    """(person id, topic) of a valid token; raises signing.SignatureExpired when it is
    too old and signing.BadSignature when it was altered or is not one."""
    data = signing.loads(
        token,
        salt=UNSUBSCRIBE_SALT,
        max_age=timedelta(days=settings.NOTIFICATION_UNSUBSCRIBE_DAYS),
    )
    if (
        not isinstance(data, dict)
        or not isinstance(data.get("p"), int)
        or data.get("t") not in TOPICS
    ):
        raise signing.BadSignature("Not an unsubscribe token.")
    return data["p"], data["t"]


# --- preferences --------------------------------------------------------------------


def preferences_of(person_ids):
    """{person id: EmailPreference}, unsaved defaults for those who never chose."""
    found = EmailPreference.objects.in_bulk(list(person_ids))
    return {pk: found.get(pk) or EmailPreference(person_id=pk) for pk in person_ids}


def wants(preference, topic):
    if topic == "digest":
        return preference.digest != EmailPreference.Digest.OFF
    return getattr(preference, topic)


# --- what an e-mail says ------------------------------------------------------------


def may_receive(person):
    """Closed (inactive) and suspended accounts receive no notification e-mail."""
    return person.is_active and not person.is_suspended and bool(person.email)


def language_of(person):
    return person.language or settings.LANGUAGE_CODE


def item_context(notification):
    """What the templates show of one notification (already checked visible): its
    link and, for a post, a plain-text excerpt (escaped by the HTML template)."""
    excerpt = ""
    if notification.post_id is not None and notification.kind != Kind.MODERATION:
        excerpt = Truncator(" ".join(notification.post.body.split())).chars(
            EXCERPT_CHARS
        )
    return {
        "item": notification,
        "link": settings.SITE_URL + queries.target_url(notification),
        "excerpt": excerpt,
    }


def _with_targets(queryset):
    return queries.with_reading(
        queryset.select_related(
            "recipient", "actor", "community", "thread", "post__thread__community"
        )
    )


def _message(person, subject, template, context, topic):
    """One e-mail to `person` in their language: plain text and HTML, from the site,
    with RFC 8058 one-click unsubscribe headers for `topic`."""
    unsubscribe = unsubscribe_url(person.pk, topic)
    context = {
        **context,
        "person": person,
        "site_name": settings.SITE_NAME,
        "site_url": settings.SITE_URL,
        "unsubscribe_url": unsubscribe,
        "unsubscribe_what": TOPICS[topic],
        "preferences_url": settings.SITE_URL + reverse("notifications:email-settings"),
    }
    with translation.override(language_of(person)):
        subject = f"[{settings.SITE_NAME}] " + " ".join(str(subject).split())
        text = render_to_string(f"notifications/email/{template}.txt", context)
        html = render_to_string(f"notifications/email/{template}.html", context)
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[person.email],
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
    )
    message.attach_alternative(html, "text/html")
    return message


def notification_message(notification):
    """The e-mail of one notification to its recipient."""
    person = notification.recipient
    with translation.override(language_of(person)):
        subject = render_to_string(
            "notifications/email/subject.txt", {"item": notification}
        )
    return _message(
        person,
        subject,
        "notification",
        item_context(notification),
        IMMEDIATE[notification.kind],
    )


# --- sending one by one ---------------------------------------------------------------


def due_at(notification):
    return notification.created_at + timedelta(
        minutes=settings.NOTIFICATION_EMAIL_AFTER_MINUTES
    )


def _decide(notification, preference, last_seen, now):
    """Whether to e-mail `notification` now (its time has come): the outcome."""
    person = notification.recipient
    # Marked read, or (replies, watched news) settled by reading the thread to its
    # last post (`queries.attach` found it so).
    if notification.is_read:
        return Outcome.READ
    if not wants(preference, IMMEDIATE[notification.kind]):
        return Outcome.DECLINED
    # Seen on the site since it arrived: the bell told them; the digest may remind.
    if last_seen is not None and last_seen >= notification.created_at:
        return Outcome.SEEN
    if not may_receive(person) or not can_see(person, notification):
        return Outcome.HIDDEN
    # An invitation accepted, declined or withdrawn meanwhile calls for no e-mail (a
    # workspace's: `can_see` asks whether it is still open to them).
    if (
        notification.kind == Kind.INVITATION
        and notification.workspace_id_ref is None
        and not permissions.is_invited(person, notification.community)
    ):
        return Outcome.HIDDEN
    return Outcome.SENT


def _claim(notification, outcome, now):
    """Store the one decision about `notification`; False if one already exists."""
    try:
        with transaction.atomic():
            NotificationEmail.objects.create(
                notification=notification, outcome=outcome, decided_at=now
            )
    except IntegrityError:
        return False
    return True


def _attach_in_languages(rows):
    """`queries.attach` in each recipient's language: what it words (an anonymous
    seeker's description) is read in the e-mail as the recipient reads the site."""
    by_language = {}
    for row in rows:
        by_language.setdefault(language_of(row.recipient), []).append(row)
    for language, group in by_language.items():
        with translation.override(language):
            queries.attach(group)


def deliver(notifications, *, now=None):
    """Decide on each of `notifications` whose time has come (those not of an e-mailed
    kind, not yet due or already decided are left alone) and e-mail those still unread
    by someone away, who may still see them and wants them. Each is decided once: a
    second call, or a second worker, finds the decision stored. A message that fails to
    go out gives its decision back, so the next sweep tries again. Returns how many
    were sent."""
    now = now or timezone.now()
    # One already decided fails to be claimed again below.
    rows = [n for n in notifications if n.kind in IMMEDIATE and due_at(n) <= now]
    if not rows:
        return 0
    _attach_in_languages(rows)
    people = {n.recipient_id for n in rows}
    preferences = preferences_of(people)
    last_seen = seen.seen_at(people)
    sent = 0
    for notification in rows:
        # Each decision with the database as it is now (a cache per notification).
        with permissions.operation():
            outcome = _decide(
                notification,
                preferences[notification.recipient_id],
                last_seen.get(notification.recipient_id),
                now,
            )
        if not _claim(notification, outcome, now):
            continue
        if outcome != Outcome.SENT:
            continue
        try:
            notification_message(notification).send()
        except Exception:
            logger.exception("notifications: e-mail of %s failed", notification.pk)
            NotificationEmail.objects.filter(notification=notification).delete()
            continue
        sent += 1
    return sent


def deliver_one(notification_id, *, now=None):
    """`deliver` for one notification (the task queued for its due time)."""
    return deliver(
        _with_targets(Notification.objects.filter(pk=notification_id)), now=now
    )


def deliver_due(*, now=None):
    """`deliver` every notification of an e-mailed kind whose time came within the last
    NOTIFICATION_EMAIL_WINDOW_HOURS, unread and not decided yet (the periodic sweep:
    it alone sends them on the immediate backend, and catches up on any the queue
    missed on the database backend)."""
    now = now or timezone.now()
    latest = now - timedelta(minutes=settings.NOTIFICATION_EMAIL_AFTER_MINUTES)
    rows = _with_targets(
        Notification.objects.filter(
            kind__in=list(IMMEDIATE),
            read_at__isnull=True,
            created_at__lte=latest,
            created_at__gte=latest
            - timedelta(hours=settings.NOTIFICATION_EMAIL_WINDOW_HOURS),
            email__isnull=True,
        )
    ).order_by("created_at", "pk")
    return deliver(rows.iterator(chunk_size=200), now=now)
