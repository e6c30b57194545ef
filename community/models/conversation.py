"""Threads (discussions and rooms), posts, their edit history and unsent drafts."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from taggit.managers import TaggableManager

from .communities import Community, NotificationLevel
from .tags import ThreadTag


class Thread(models.Model):
    class Kind(models.TextChoices):
        DISCUSSION = "discussion", _("Discussion")
        ROOM = "room", _("Room")

    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, related_name="threads"
    )
    title = models.CharField(_("title"), max_length=255)
    kind = models.CharField(
        _("kind"), max_length=12, choices=Kind.choices, default=Kind.DISCUSSION
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="threads",
    )
    is_pinned = models.BooleanField(_("pinned"), default=False)
    is_locked = models.BooleanField(_("locked"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # Denormalised by services for list pages.
    last_activity_at = models.DateTimeField(_("last activity"), db_index=True)
    last_poster = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    post_count = models.PositiveIntegerField(_("posts"), default=0)
    # Slow mode: the fewest seconds between one member's posts here (0: off);
    # moderators are exempt.
    slow_mode_seconds = models.PositiveIntegerField(_("slow mode"), default=0)
    # A discussion started from a room message; the message links back through the
    # reverse accessor `post.promoted_to`. One thread per message.
    promoted_from = models.OneToOneField(
        "Post",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="promoted_to",
        verbose_name=_("started from the message"),
    )
    tags = TaggableManager(verbose_name=_("tags"), through=ThreadTag, blank=True)
    # A question asks for an answer: chosen when the discussion is started, it lets
    # the author or a moderator mark one reply as the accepted answer ("Solved").
    is_question = models.BooleanField(_("question"), default=False)
    accepted_answer = models.ForeignKey(
        "Post",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("accepted answer"),
    )
    # Readers who opened the thread, each counted at most once per
    # `services.reading.VIEW_COUNT_SECONDS` (a cache-throttled counter, never a row
    # per view).
    view_count = models.PositiveIntegerField(_("views"), default=0)

    class Meta:
        verbose_name = _("thread")
        verbose_name_plural = _("threads")
        ordering = ["-is_pinned", "-last_activity_at"]
        indexes = [
            models.Index(
                fields=["community", "kind", "-is_pinned", "-last_activity_at"],
                name="thread_listing",
            )
        ]
        constraints = [
            # Room names are unique in a community whatever their case.
            models.UniqueConstraint(
                Lower("title"),
                "community",
                condition=Q(kind="room"),
                name="thread_unique_room_name",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        if self.kind == self.Kind.ROOM:
            return reverse("community:room-detail", args=[self.community.slug, self.pk])
        return reverse("community:thread-detail", args=[self.community.slug, self.pk])

    @property
    def stream(self):
        return f"thread:{self.pk}"

    @property
    def reply_count(self):
        return max(self.post_count - 1, 0)

    @property
    def is_solved(self):
        return self.accepted_answer_id is not None


class Post(models.Model):
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="posts")
    # Position in the thread, 1-based and never reused, so a post's page is stable.
    number = models.PositiveIntegerField(_("number"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="posts",
    )
    body = models.TextField(_("body"))
    body_html = models.TextField(editable=False)
    client_id = models.UUIDField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    edited_at = models.DateTimeField(_("edited"), null=True, blank=True)
    is_deleted = models.BooleanField(_("deleted"), default=False)
    deleted_at = models.DateTimeField(null=True, blank=True)
    # Deleted by a moderator, not by its author: the placeholder says which. A
    # removed post is deleted (`is_deleted`), so every read that leaves out deleted
    # content leaves it out too.
    is_removed = models.BooleanField(_("removed by a moderator"), default=False)
    is_hidden = models.BooleanField(_("hidden by a moderator"), default=False)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    hidden_reason = models.CharField(_("reason"), max_length=300, blank=True)
    # Files sent with it (`Attachment`), counted so pages look them up only when
    # some post shown has any.
    attachment_count = models.PositiveSmallIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        ordering = ["thread", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["thread", "number"], name="post_unique_thread_number"
            ),
            # A resent post (same author, same client_id) is stored once.
            models.UniqueConstraint(
                fields=["author", "client_id"],
                condition=Q(client_id__isnull=False),
                name="post_unique_author_client_id",
            ),
        ]

    def __str__(self):
        return f"#{self.number} in {self.thread_id}"

    def get_absolute_url(self):
        return reverse("community:post-permalink", args=[self.pk])

    @property
    def anchor(self):
        return f"p{self.pk}"

    @property
    def is_visible_content(self):
        return not (self.is_deleted or self.is_hidden)


class PostRevision(models.Model):
    """One earlier version of a post, kept on every edit."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="revisions")
    body = models.TextField(_("body"))
    body_html = models.TextField(editable=False)
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("saved"))

    class Meta:
        verbose_name = _("post revision")
        verbose_name_plural = _("post revisions")
        ordering = ["post", "created_at", "pk"]

    def __str__(self):
        return f"revision of {self.post_id} at {self.created_at:%Y-%m-%d %H:%M}"


class ThreadRedirect(models.Model):
    """A thread merged into another: its old id leads to the thread that took its
    posts (old links and bookmarks keep working)."""

    old_thread_id = models.PositiveBigIntegerField(_("old thread id"), primary_key=True)
    thread = models.ForeignKey(
        Thread,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("merged into"),
    )
    created_at = models.DateTimeField(_("merged"), auto_now_add=True)

    class Meta:
        verbose_name = _("thread redirect")
        verbose_name_plural = _("thread redirects")

    def __str__(self):
        return f"{self.old_thread_id} -> {self.thread_id}"


class ReadPosition(models.Model):
    """How far a person has read a thread or room, and how closely they follow it:
    private bookkeeping, never an event."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    thread = models.ForeignKey(
        Thread, on_delete=models.CASCADE, related_name="read_positions"
    )
    # The highest post number the person has seen; it never moves backwards.
    last_read_number = models.PositiveIntegerField(_("last read post"), default=0)
    # Blank: the thread follows its community's level (muted stays muted, anything
    # else is tracking); set when the person chooses, creates or replies.
    level = models.CharField(
        _("notification level"),
        max_length=8,
        choices=NotificationLevel.choices,
        blank=True,
        default="",
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("read position")
        verbose_name_plural = _("read positions")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "thread"], name="readposition_unique_user_thread"
            )
        ]
        indexes = [
            models.Index(
                fields=["thread"],
                condition=Q(level="watching"),
                name="readposition_watchers",
            )
        ]

    def __str__(self):
        return f"{self.user_id} read {self.thread_id} up to #{self.last_read_number}"


class Draft(models.Model):
    """What a person has written in a thread's or room's composer and not sent yet:
    one per person and thread, restored on any device, gone once the message is sent.
    Private to its author, never an event."""

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="drafts")
    body = models.TextField(_("body"))
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("draft")
        verbose_name_plural = _("drafts")
        constraints = [
            models.UniqueConstraint(
                fields=["author", "thread"], name="draft_unique_author_thread"
            )
        ]

    def __str__(self):
        return f"draft of {self.author_id} in {self.thread_id}"
