"""What e-mail needs to remember: each person's choices, when they were last seen, and
which notifications were already decided on for an e-mail (at most one each)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class EmailPreference(models.Model):
    """One person's e-mail choices; without a row the defaults below apply."""

    class Digest(models.TextChoices):
        OFF = "off", _("No digest")
        DAILY = "daily", _("Once a day")
        WEEKLY = "weekly", _("Once a week")

    person = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="+",
        verbose_name=_("user"),
    )
    mentions = models.BooleanField(_("mentions"), default=True)
    replies = models.BooleanField(_("replies"), default=True)
    invitations = models.BooleanField(_("invitations"), default=True)
    # Open innovation: interests, proposals, offers expiring, the innovation desk.
    innovation = models.BooleanField(_("open innovation"), default=True)
    digest = models.CharField(
        _("digest"), max_length=8, choices=Digest.choices, default=Digest.OFF
    )
    # The end of the window the last digest covered (or when the digest was chosen):
    # the next one lists what came after it.
    last_digest_at = models.DateTimeField(_("last digest"), null=True, blank=True)
    # When the next digest is due: a fixed time of day (or of the week), so that a
    # sweep running every minute neither drifts it nor skips a period.
    next_digest_at = models.DateTimeField(_("next digest"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("e-mail preference")
        verbose_name_plural = _("e-mail preferences")

    def __str__(self):
        return f"{self.person_id} · {self.digest}"


class LastSeen(models.Model):
    """When a person last loaded a page (written at most once a minute per person)."""

    person = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="+",
        verbose_name=_("user"),
    )
    seen_at = models.DateTimeField(_("last seen"))

    class Meta:
        verbose_name = _("last seen")
        verbose_name_plural = _("last seen")

    def __str__(self):
        return f"{self.person_id} · {self.seen_at:%Y-%m-%d %H:%M}"


class NotificationEmail(models.Model):
    """The one decision about e-mailing a notification on its own: sent, or why not.
    Its primary key is the notification, so a second decision cannot be stored."""

    class Outcome(models.TextChoices):
        SENT = "sent", _("Sent")
        SEEN = "seen", _("Not sent: seen on the site since")
        READ = "read", _("Not sent: already read")
        HIDDEN = "hidden", _("Not sent: no longer visible to them")
        DECLINED = "declined", _("Not sent: e-mail turned off")

    notification = models.OneToOneField(
        "notifications.Notification",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="email",
        verbose_name=_("notification"),
    )
    outcome = models.CharField(_("outcome"), max_length=8, choices=Outcome.choices)
    decided_at = models.DateTimeField(_("decided"))

    class Meta:
        verbose_name = _("notification e-mail")
        verbose_name_plural = _("notification e-mails")

    def __str__(self):
        return f"{self.notification_id} · {self.outcome}"
