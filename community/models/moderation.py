"""The moderation audit log: one row per moderator's action, written with the action."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .communities import Community
from .conversation import Post, Thread


class AuditEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise ValidationError(_("Audit entries are never changed."))

    def delete(self):
        raise ValidationError(_("Audit entries are never deleted."))


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
        POST_HIDDEN_BY_REPORTS = (
            "post.hidden_by_reports",
            _("Hidden by members' reports"),
        )
        POST_REMOVED = "post.removed", _("Delete post")
        THREAD_RENAMED = "thread.renamed", _("Rename")
        THREAD_MOVED = "thread.moved", _("Move to another community")
        THREAD_SPLIT = "thread.split", _("Split into a new thread")
        THREAD_MERGED = "thread.merged", _("Merge into another thread")
        REVIEW_DISMISSED = "review.dismissed", _("Dismiss reports")
        MEMBER_WARNED = "member.warned", _("Warn")
        SETTINGS_CHANGED = "settings.changed", _("Change moderation settings")
        # People and roles.
        MEMBER_APPROVED = "member.approved", _("Approve a request to join")
        MEMBER_DECLINED = "member.declined", _("Decline a request to join")
        MEMBER_INVITED = "member.invited", _("Invite")
        INVITATION_WITHDRAWN = (
            "member.invitation_withdrawn",
            _("Withdraw an invitation"),
        )
        MEMBER_PROMOTED = "member.promoted", _("Appoint moderator")
        MEMBER_DEMOTED = "member.demoted", _("Remove from moderators")
        OWNERSHIP_TRANSFERRED = "community.transferred", _("Transfer ownership")
        REVIEW_TAKEN_OVER = "review.taken_over", _("Take over a review item")
        # Site-wide, by staff (no community).
        ACCOUNT_SUSPENDED = "account.suspended", _("Suspend account")
        ACCOUNT_UNSUSPENDED = "account.unsuspended", _("Lift account suspension")
        THREAD_SLOW_MODE = "thread.slow_mode", _("Set slow mode")
        WATCHED_WORD_ADDED = "word.added", _("Watch a word")
        WATCHED_WORD_REMOVED = "word.removed", _("Stop watching a word")
        HELD_RELEASED = "held.released", _("Approve a held post")
        HELD_REJECTED = "held.rejected", _("Reject a held post")
        ANSWER_ACCEPTED = "answer.accepted", _("Mark the accepted answer")
        ANSWER_CLEARED = "answer.cleared", _("Take back the accepted answer")

    # Null for site-wide actions by staff (suspending an account).
    community = models.ForeignKey(
        Community,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
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

    # Settings entries store the setting's field name as their label.
    SETTING_LABELS = {
        "report_threshold": _("Report threshold"),
        "slow_mode_default": _("Slow mode for new threads and rooms"),
        "first_posts_approval": _("Approve a new member's first posts"),
    }

    @property
    def reason_display(self):
        """The reason as readers see it: codes stored by the services (a watched
        word's action, the number of members whose reports hid a post) in the
        reader's language, any other reason as written."""
        words = (self.Action.WATCHED_WORD_ADDED, self.Action.WATCHED_WORD_REMOVED)
        if self.action in words and self.reason in WatchedWord.Action.values:
            return WatchedWord.Action(self.reason).label
        if self.action == self.Action.POST_HIDDEN_BY_REPORTS and self.reason.isdigit():
            count = int(self.reason)
            return ngettext(
                "Reported by %(count)d member, waiting for review.",
                "Reported by %(count)d members, waiting for review.",
                count,
            ) % {"count": count}
        return self.reason

    @property
    def reason_label(self):
        """What the entry's second line holds: a setting's change ("3 → 5") and a
        watched word's action are no reasons."""
        if self.action == self.Action.SETTINGS_CHANGED:
            return _("Change:")
        if self.action in (self.Action.WATCHED_WORD_ADDED, self.Action.WATCHED_WORD_REMOVED):
            return _("What happens:")
        return _("Reason:")

    @property
    def label_display(self):
        """The target as readers see it: a setting (stored as its code) named in the
        reader's language, any other label as written."""
        if (
            self.action == self.Action.SETTINGS_CHANGED
            and self.target_label in self.SETTING_LABELS
        ):
            return "{}: {}".format(
                _("Moderation settings"), self.SETTING_LABELS[self.target_label]
            )
        return self.target_label


class ReviewItem(models.Model):
    """A reported post waiting for (or past) a moderator's decision: at most one open
    item per post; its reports point at it and learn its outcome from it."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    class Decision(models.TextChoices):
        DISMISSED = "dismissed", _("Reports dismissed")
        HIDDEN = "hidden", _("Post hidden")
        RESTORED = "restored", _("Post restored")
        REMOVED = "removed", _("Post deleted")
        WARNED = "warned", _("Author warned")
        SILENCED = "silenced", _("Author silenced")
        BANNED = "banned", _("Author banned")

    community = models.ForeignKey(
        Community,
        on_delete=models.CASCADE,
        related_name="review_items",
        verbose_name=_("community"),
    )
    post = models.ForeignKey(
        Post,
        on_delete=models.CASCADE,
        related_name="review_items",
        verbose_name=_("post"),
    )
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.OPEN
    )
    # Hidden on reaching the community's report threshold, before any moderator looked.
    hidden_by_reports = models.BooleanField(_("hidden by reports"), default=False)
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("claimed by"),
    )
    claimed_at = models.DateTimeField(_("claimed"), null=True, blank=True)
    decision = models.CharField(
        _("decision"), max_length=12, choices=Decision.choices, blank=True
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    # Shown to the author when the decision concerns them (hide, warning, silence).
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("review item")
        verbose_name_plural = _("review queue")
        constraints = [
            models.UniqueConstraint(
                fields=["post"],
                condition=models.Q(status="open"),
                name="review_item_one_open_per_post",
            )
        ]
        indexes = [models.Index(fields=["community", "status"], name="review_open")]

    def __str__(self):
        return f"#{self.pk} · {self.get_status_display()}"

    @property
    def is_open(self):
        return self.status == self.Status.OPEN

    @property
    def claim_expires_at(self):
        if self.claimed_at is None:
            return None
        return self.claimed_at + timedelta(minutes=settings.REVIEW_CLAIM_MINUTES)

    @property
    def is_claim_live(self):
        """Held by a moderator whose claim has not lapsed (`REVIEW_CLAIM_MINUTES`)."""
        return (
            self.claimed_by_id is not None
            and self.claimed_at is not None
            and self.claim_expires_at > timezone.now()
        )


class Report(models.Model):
    """One member's report of one post (once per post and member)."""

    class Reason(models.TextChoices):
        SPAM = "spam", _("Spam")
        OFF_TOPIC = "off_topic", _("Off-topic")
        ABUSIVE = "abusive", _("Abusive or offensive")
        CONFIDENTIAL = "confidential", _("Confidential information")
        OTHER = "other", _("Something else")

    post = models.ForeignKey(
        Post, on_delete=models.CASCADE, related_name="reports", verbose_name=_("post")
    )
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="reports",
        verbose_name=_("reported by"),
    )
    item = models.ForeignKey(
        ReviewItem,
        on_delete=models.CASCADE,
        related_name="reports",
        verbose_name=_("review item"),
    )
    reason = models.CharField(_("reason"), max_length=16, choices=Reason.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("reported"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        constraints = [
            models.UniqueConstraint(
                fields=["post", "reporter"], name="report_once_per_member"
            )
        ]

    def __str__(self):
        return f"{self.get_reason_display()} · #{self.post_id}"


class ModerationNotice(models.Model):
    """A private word from the moderators to one member (a warning, the reason a post
    of theirs was hidden): shown on their notices page until they read it."""

    class Kind(models.TextChoices):
        WARNING = "warning", _("Warning")
        POST_HIDDEN = "post_hidden", _("Post hidden")
        POST_REMOVED = "post_removed", _("Post deleted by a moderator")
        SILENCED = "silenced", _("Silenced")
        REPORT_OUTCOME = "report", _("Your report was reviewed")
        HELD_REJECTED = "rejected", _("Your post was not approved")
        BANNED = "banned", _("Banned from the community")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="moderation_notices",
        verbose_name=_("member"),
    )
    community = models.ForeignKey(
        Community,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("community"),
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    post_id_ref = models.PositiveBigIntegerField(_("post id"), null=True, blank=True)
    # For a report's outcome: the review item's decision.
    decision = models.CharField(
        _("decision"), max_length=12, choices=ReviewItem.Decision.choices, blank=True
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    until = models.DateTimeField(_("until"), null=True, blank=True)
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("moderation notice")
        verbose_name_plural = _("moderation notices")
        indexes = [models.Index(fields=["user", "read_at"], name="notice_unread")]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.user_id}"


class WatchedWord(models.Model):
    """A word or phrase a community watches in titles, posts and room messages.

    Matched whole-word, whatever the case and accents, also after an apostrophe
    ("l'idiota", "dell’idiota"): see `community.wordwatch`.
    """

    class Action(models.TextChoices):
        BLOCK = "block", _("Block: refuse the text")
        HOLD = "hold", _("Hold for review")
        REPLACE = "replace", _("Replace (censor)")

    community = models.ForeignKey(
        Community,
        on_delete=models.CASCADE,
        related_name="watched_words",
        verbose_name=_("community"),
    )
    word = models.CharField(_("word or phrase"), max_length=80)
    # The folded form (`wordwatch.fold`) the matcher compares: one rule per form.
    folded = models.CharField(max_length=160, editable=False)
    action = models.CharField(_("action"), max_length=8, choices=Action.choices)
    # For "replace": what is written instead (blank: asterisks).
    replacement = models.CharField(_("replacement"), max_length=80, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        ordering = ["folded", "pk"]
        verbose_name = _("watched word")
        verbose_name_plural = _("watched words")
        constraints = [
            models.UniqueConstraint(
                fields=["community", "folded"], name="watched_word_once"
            )
        ]

    def __str__(self):
        return f"{self.word} ({self.action})"


class HeldPost(models.Model):
    """A post waiting for a moderator before anyone else sees it: a new member's
    first posts, or text with a watched word to hold. Not a Post until released (so
    no number, event, count or unread mark exists for others); released, it is
    written by the posting service as if just sent."""

    class Why(models.TextChoices):
        FIRST_POSTS = "first_posts", _("A new member's first posts")
        WATCHED_WORD = "watched_word", _("Contains a watched word")

    class Status(models.TextChoices):
        HELD = "held", _("Awaiting approval")
        RELEASED = "released", _("Approved")
        REJECTED = "rejected", _("Rejected")

    community = models.ForeignKey(
        Community,
        on_delete=models.CASCADE,
        related_name="held_posts",
        verbose_name=_("community"),
    )
    # None: the first post of a new thread (its title and tags are held with it).
    thread = models.ForeignKey(
        Thread,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="held_posts",
        verbose_name=_("thread"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="held_posts",
        verbose_name=_("author"),
    )
    title = models.CharField(_("title"), max_length=255, blank=True)
    tags = models.JSONField(_("tags"), default=list, blank=True)
    body = models.TextField(_("body"))
    body_html = models.TextField(editable=False)
    client_id = models.UUIDField(null=True, blank=True, editable=False)
    why = models.CharField(_("why"), max_length=16, choices=Why.choices)
    # The watched word that held it, as written in the rule.
    word = models.CharField(_("watched word"), max_length=80, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.HELD
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    # The post it became once released.
    post = models.OneToOneField(
        Post,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("post"),
    )
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("held post")
        verbose_name_plural = _("held posts")
        constraints = [
            # A resent held post (same author, same client_id) is held once.
            models.UniqueConstraint(
                fields=["author", "client_id"],
                condition=models.Q(client_id__isnull=False),
                name="held_post_unique_author_client_id",
            ),
        ]
        indexes = [models.Index(fields=["community", "status"], name="held_open")]

    def __str__(self):
        return f"held #{self.pk} · {self.get_status_display()}"

    @property
    def is_held(self):
        return self.status == self.Status.HELD
