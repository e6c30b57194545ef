"""One notification: what happened, to whom, by whom, about which post, thread,
community or workspace (their ids), and whether it was read."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    class Kind(models.TextChoices):
        MENTION = "mention", _("Mentioned you")
        REPLY_THREAD = "reply_thread", _("Replied in your thread")
        REPLY_POST = "reply_post", _("Replied after your post")
        INVITATION = "invitation", _("Invited you")
        JOIN_APPROVED = "join_approved", _("Accepted your request")
        JOIN_DECLINED = "join_declined", _("Declined your request")
        ROLE_CHANGED = "role_changed", _("Changed your role")
        WORKSPACE_ADDED = "workspace_added", _("Added you to a workspace")
        MODERATION = "moderation", _("Moderation outcome")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    # The event's own type (e.g. "member.banned", "post.hidden"), for the wording.
    event_type = models.CharField(_("event"), max_length=40, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    post = models.ForeignKey(
        "community.Post",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    thread = models.ForeignKey(
        "community.Thread",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    community = models.ForeignKey(
        "community.Community",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    # A reference only: notifications never read workspaces' tables.
    workspace_id_ref = models.PositiveBigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(
                fields=["recipient"],
                condition=models.Q(read_at__isnull=True),
                name="notification_unread",
            ),
            models.Index(
                fields=["recipient", "-created_at"], name="notification_latest"
            ),
        ]

    def __str__(self):
        return f"{self.kind} · {self.recipient_id}"

    @property
    def is_read(self):
        return self.read_at is not None


# E-mail's own tables (notifications/email_models.py), registered with this app.
from .email_models import EmailPreference, LastSeen, NotificationEmail  # noqa: E402, F401
