"""The moderation audit log: one row per moderator's action, written with the action."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from .communities import Community


class AuditEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise ValidationError(_("Audit entries are never changed."))


class AuditEntry(models.Model):
    """What a moderator did, to whom, why and when. Never edited, never deleted by hand.

    Targets are kept as ids and a short label (not foreign keys to posts and threads),
    so an entry outlives what it is about; the label is what a reader sees.
    """

    class Action(models.TextChoices):
        MEMBER_BANNED = "member.banned", _("Ban")
        MEMBER_UNBANNED = "member.unbanned", _("Lift ban")
        MEMBER_REMOVED = "member.removed", _("Remove from the community")
        MEMBER_SILENCED = "member.silenced", _("Silence")
        MEMBER_UNSILENCED = "member.unsilenced", _("End silence")
        THREAD_LOCKED = "thread.locked", _("Lock")
        THREAD_UNLOCKED = "thread.unlocked", _("Unlock")
        THREAD_PINNED = "thread.pinned", _("Pin")
        THREAD_UNPINNED = "thread.unpinned", _("Unpin")
        POST_HIDDEN = "post.hidden", _("Hide post")
        POST_UNHIDDEN = "post.unhidden", _("Show post again")

    community = models.ForeignKey(
        Community,
        on_delete=models.CASCADE,
        related_name="audit_entries",
        verbose_name=_("community"),
    )
    # Blank: the entry outlives the moderator's account.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("moderator"),
    )
    action = models.CharField(_("action"), max_length=32, choices=Action.choices)
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("member concerned"),
    )
    thread_id_ref = models.PositiveBigIntegerField(
        _("thread id"), null=True, blank=True
    )
    post_id_ref = models.PositiveBigIntegerField(_("post id"), null=True, blank=True)
    target_label = models.CharField(_("target"), max_length=200)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    # A silence's end, when the action has one.
    until = models.DateTimeField(_("until"), null=True, blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        indexes = [
            models.Index(
                fields=["community", "-created_at"], name="audit_community_time"
            ),
        ]

    def __str__(self):
        return f"{self.get_action_display()}: {self.target_label}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError(_("Audit entries are never changed."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("Audit entries are never deleted."))
