"""Thematic communities (and workspace discussions) and their memberships."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from taggit.managers import TaggableManager

from .tags import CommunityTheme


class Community(models.Model):
    class Visibility(models.TextChoices):
        PUBLIC = "public", _("Public: anyone reads, members post")
        RESTRICTED = "restricted", _("Restricted: listed, joining needs approval")
        PRIVATE = "private", _("Private: invisible, invitation only")

    class Kind(models.TextChoices):
        COMMUNITY = "community", _("Community")
        WORKSPACE = "workspace", _("Workspace")
        # A private three-way conversation the innovation desk opens (an introduction).
        INTRODUCTION = "introduction", _("Introduction")
        # A private conversation between two people or a small group (issue 13):
        # its participants are its active members, its one room the conversation.
        DIRECT = "direct", _("Direct messages")

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=140, unique=True)
    description = models.TextField(_("description"), max_length=5000, blank=True)
    visibility = models.CharField(
        _("visibility"),
        max_length=12,
        choices=Visibility.choices,
        default=Visibility.PUBLIC,
    )
    kind = models.CharField(
        _("kind"), max_length=12, choices=Kind.choices, default=Kind.COMMUNITY
    )
    # Blank: a community outlives the account that created it.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # Denormalised by services so directory pages need no aggregate queries.
    member_count = models.PositiveIntegerField(_("members"), default=0)
    thread_count = models.PositiveIntegerField(_("threads"), default=0)
    last_activity_at = models.DateTimeField(_("last activity"), null=True, blank=True)
    themes = TaggableManager(
        verbose_name=_("themes"), through=CommunityTheme, blank=True
    )
    # Reports from this many distinct members hide a post until a moderator reviews it.
    report_threshold = models.PositiveSmallIntegerField(
        _("report threshold"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(50)],
        help_text=_("Reports from this many members hide a post until it is reviewed."),
    )
    # Posting rules (issue 10, R). The slow mode new threads and rooms start with.
    slow_mode_default = models.PositiveIntegerField(
        _("slow mode for new threads and rooms"),
        default=0,
        validators=[MaxValueValidator(86400)],
        help_text=_("Seconds between one member's posts; 0 turns slow mode off."),
    )
    # A new member's first this-many posts wait for a moderator; 0: off.
    first_posts_approval = models.PositiveSmallIntegerField(
        _("approve first posts"),
        default=0,
        validators=[MaxValueValidator(20)],
        help_text=_(
            "A new member's first posts wait for a moderator's approval; 0 turns it off."
        ),
    )
    # Denormalised by the posting rules: held posts waiting, so pages look for a
    # reader's own held posts only when there are some.
    held_open_count = models.PositiveIntegerField(_("held posts waiting"), default=0)
    # Denormalised by the watched-word services: posting reads the rules only when
    # there are some.
    watched_word_count = models.PositiveIntegerField(_("watched words"), default=0)

    class Meta:
        verbose_name = _("community")
        verbose_name_plural = _("communities")
        ordering = ["name"]
        indexes = [models.Index(fields=["kind", "visibility"])]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("community:community-detail", args=[self.slug])

    @property
    def stream(self):
        return f"community:{self.pk}"


class NotificationLevel(models.TextChoices):
    """How closely a person follows a community, workspace, thread or room.

    Watching: told of every new post (threads, rooms) or every new thread
    (communities, workspaces). Tracking, the default: unread counts, and told only
    of what concerns the person (mentions, replies to them). Muted: nothing, not
    even in the unread view.
    """

    WATCHING = "watching", _("Watching")
    TRACKING = "tracking", _("Tracking")
    MUTED = "muted", _("Muted")


class Membership(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner", _("Owner")
        MODERATOR = "moderator", _("Moderator")
        MEMBER = "member", _("Member")

    class State(models.TextChoices):
        ACTIVE = "active", _("Active")
        PENDING = "pending", _("Requested to join")
        INVITED = "invited", _("Invited")
        BANNED = "banned", _("Banned")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(
        _("role"), max_length=10, choices=Role.choices, default=Role.MEMBER
    )
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.ACTIVE
    )
    muted_until = models.DateTimeField(_("muted until"), null=True, blank=True)
    level = models.CharField(
        _("notification level"),
        max_length=8,
        choices=NotificationLevel.choices,
        default=NotificationLevel.TRACKING,
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    message = models.CharField(_("message"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("since"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "community"], name="membership_unique_user_community"
            )
        ]
        indexes = [models.Index(fields=["community", "state", "role"])]

    def __str__(self):
        return f"{self.user} in {self.community} ({self.role}, {self.state})"

    @property
    def is_active(self):
        return self.state == self.State.ACTIVE
