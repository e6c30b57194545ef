"""One row per searchable text: a discussion thread (its title and opening post), a
reply, a room message. Rows hold plain text and the ids filters need; who may read a
row is decided at query time from the thread (`community.permissions`), so membership
and visibility changes need no reindexing. Deleted, hidden and removed posts have no
row."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Entry(models.Model):
    class Kind(models.TextChoices):
        THREAD = "thread", _("Discussion")
        POST = "post", _("Reply to a discussion")
        MESSAGE = "message", _("Room message")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    # The post's id (the opening post's for a thread): one row per post.
    post_id = models.PositiveBigIntegerField(_("post id"), unique=True)
    thread_id = models.PositiveBigIntegerField(_("thread id"), db_index=True)
    number = models.PositiveIntegerField(_("number"))
    community_id = models.PositiveBigIntegerField(_("community id"), db_index=True)
    author_id = models.PositiveBigIntegerField(_("author id"), null=True, blank=True)
    title = models.CharField(_("title"), max_length=255)
    body = models.TextField(_("text"))
    # "|tag one|tag two|": lower-cased names between bars, for `tag:`.
    tags = models.CharField(_("tags"), max_length=1000, blank=True)
    created_at = models.DateTimeField(_("created"), db_index=True)

    class Meta:
        verbose_name = _("search entry")
        verbose_name_plural = _("search entries")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["community_id", "created_at"])]

    def __str__(self):
        return f"{self.kind} {self.post_id}: {self.title}"
