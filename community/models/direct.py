"""Blocks between people: who will not hear from whom in direct messages."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Block(models.Model):
    """`blocker` blocked `blocked`: no new direct messages between them either way,
    and the blocker's conversations with them are hidden from the blocker until the
    block is lifted (the row deleted)."""

    blocker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="blocks_made",
        verbose_name=_("blocked by"),
    )
    blocked = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("blocked person"),
    )
    created_at = models.DateTimeField(_("since"), auto_now_add=True)

    class Meta:
        verbose_name = _("block")
        verbose_name_plural = _("blocks")
        constraints = [
            models.UniqueConstraint(
                fields=["blocker", "blocked"], name="block_unique_pair"
            ),
            models.CheckConstraint(
                condition=~models.Q(blocker=models.F("blocked")),
                name="block_not_self",
            ),
        ]
        indexes = [models.Index(fields=["blocked", "blocker"])]

    def __str__(self):
        return f"{self.blocker} blocks {self.blocked}"
