"""Files and images attached to posts and room messages."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .communities import Community
from .conversation import Post, Thread


class AttachmentQuerySet(models.QuerySet):
    def made_for(self, where):
        """The uploads made for `where`: a Thread, or a Community (pending, for the
        first post of a thread not started yet)."""
        if isinstance(where, Community):
            return self.filter(community=where, thread__isnull=True)
        return self.filter(thread=where)


class Attachment(models.Model):
    """A file sent with a post. Uploaded first from the composer (pending: `post` is
    None, seen only by its uploader, removed when never sent), then attached to the
    post in the transaction that writes it. Images are stored re-encoded (`file`)
    with a small re-encoded `thumbnail`; other files as sent, checked by content
    (`community.uploads`)."""

    class Kind(models.TextChoices):
        IMAGE = "image", _("image")
        FILE = "file", _("file")

    post = models.ForeignKey(
        Post,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="attachments",
    )
    # The thread the composer uploaded it for: it may only be sent there. A sent
    # attachment always has its post's thread.
    thread = models.ForeignKey(
        Thread, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    # Or, for the first post of a thread not written yet (the new-thread form), the
    # community it will be started in; cleared when the thread's first post takes it.
    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    # Storage names (random, private); the thumbnail only for images.
    file = models.CharField(max_length=255)
    thumbnail = models.CharField(max_length=255, blank=True)
    original_name = models.CharField(_("name"), max_length=255)
    content_type = models.CharField(max_length=120)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    # The image's and the thumbnail's sizes, so pages reserve their space.
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    thumbnail_width = models.PositiveIntegerField(null=True, blank=True)
    thumbnail_height = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True, db_index=True)

    objects = AttachmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["post", "pk"]
        indexes = [
            # Pending uploads, found by their owner and by the prune.
            models.Index(
                fields=["uploaded_by", "created_at"],
                condition=Q(post__isnull=True),
                name="attachment_pending",
            ),
        ]
        constraints = [
            # A thread's, or (pending only) a community's for a new thread: never both.
            models.CheckConstraint(
                condition=(
                    Q(thread__isnull=False, community__isnull=True)
                    | Q(thread__isnull=True, community__isnull=False, post__isnull=True)
                ),
                name="attachment_thread_or_community",
            ),
        ]

    def __str__(self):
        return self.original_name

    def get_absolute_url(self):
        return reverse("community:attachment", args=[self.pk, self.original_name])

    @property
    def is_image(self):
        return self.kind == self.Kind.IMAGE

    @property
    def thumbnail_url(self):
        return reverse("community:attachment-thumbnail", args=[self.pk])
