"""One notification: what happened, to whom, by whom, about which post, thread,
community or workspace (their ids), and whether it was read.

"New posts" in a thread (while watching it, or replies to one's own thread) and
documents uploaded to a workspace are *coalesced*: while unread, one row per person and
thread (or workspace); its `unread_key` names that group and is cleared when it is read,
so the next news starts a new row. A thread's row is inserted by the first post the
person had not read and never rewritten: its count and latest poster are computed at
display from the thread and their read position (`queries.attach`), and reading the
thread to its last post settles it. A workspace's documents row counts them up and
points at the latest, updated in place. Every other kind is one row per event (a mention links to its exact post)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    class Kind(models.TextChoices):
        MENTION = "mention", _("Mentioned you")
        QUOTE = "quote", _("Quoted you")
        REPLY_THREAD = "reply_thread", _("Replied in your thread")
        WATCHING = "watching", _("New posts in a thread you watch")
        # Direct messages (issue 13): one unread row per conversation, like watching.
        DIRECT = "direct", _("Sent you a message")
        NEW_THREAD = "new_thread", _("New thread where you watch")
        INVITATION = "invitation", _("Invited you")
        JOIN_APPROVED = "join_approved", _("Accepted your request")
        JOIN_DECLINED = "join_declined", _("Declined your request")
        ROLE_CHANGED = "role_changed", _("Changed your role")
        WORKSPACE_ADDED = "workspace_added", _("Added you to a workspace")
        TASK_ASSIGNED = "task_assigned", _("Assigned you a task")
        TASK_DUE = "task_due", _("Task due soon")
        DOCUMENT = "document", _("New documents")
        MODERATION = "moderation", _("Moderation outcome")
        # Innovation: technology offers and the interests sent about them.
        INTEREST = "interest", _("Expression of interest")
        OFFER_EXPIRY = "offer_expiry", _("Offer expiring")
        INNOVATION = "innovation", _("Open innovation")
        NEW_MATCH = "new_match", _("New match for your organisation")
        # The innovation desk: a challenge or an offer approved or refused, a
        # facilitator helping with a draft, an introduction.
        DESK_DECISION = "desk_decision", _("Innovation desk decision")
        DESK_HELP = "desk_help", _("Innovation desk help")
        INTRODUCTION = "introduction", _("Introduction")
        # People reacted to one's post: one row per post while unread.
        REACTION = "reaction", _("Reacted to your post")

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
    # References only: notifications never hold workspaces' rows by foreign key.
    workspace_id_ref = models.PositiveBigIntegerField(null=True, blank=True)
    # The workspace's task, document or invitation the notification is about.
    item_ref = models.PositiveBigIntegerField(_("item"), null=True, blank=True)
    # A plain fact for the wording (a task's due date, ISO), never a name or a text.
    detail = models.CharField(_("detail"), max_length=40, blank=True)
    # How many posts or documents a coalesced notification stands for.
    count = models.PositiveIntegerField(_("count"), default=1)
    # The group a coalesced notification gathers while unread ("thread:12"); None
    # once read, and for kinds that are never coalesced.
    unread_key = models.CharField(max_length=40, null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        ordering = ["-updated_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            # The conflict target of the coalescing upsert (NULL keys never clash).
            models.UniqueConstraint(
                fields=["recipient", "unread_key"], name="notification_unread_group"
            )
        ]
        indexes = [
            models.Index(
                fields=["recipient"],
                condition=models.Q(read_at__isnull=True),
                name="notification_unread",
            ),
            models.Index(
                fields=["recipient", "-updated_at"], name="notification_recent"
            ),
        ]

    def __str__(self):
        return f"{self.kind} · {self.recipient_id}"

    @property
    def is_read(self):
        """Marked read, or (a coalesced row, as `queries.attach` finds it) settled by
        reading its thread to the last post."""
        return self.read_at is not None or getattr(self, "settled", False)


# E-mail's own tables (notifications/email_models.py), registered with this app.
from .email_models import EmailPreference, LastSeen, NotificationEmail  # noqa: E402, F401
