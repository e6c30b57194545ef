"""People: the custom user model with profile fields."""

import hashlib
import uuid

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from taggit.managers import TaggableManager

from .tags import UserExpertise


def avatar_path(instance, filename):
    """Store avatars under random names so file names reveal nothing."""
    return f"avatars/{uuid.uuid4().hex}"


class User(AbstractUser):
    class Language(models.TextChoices):
        ITALIAN = "it", _("Italian")
        ENGLISH = "en", _("English")

    email = models.EmailField(_("email address"), unique=True)
    display_name = models.CharField(_("display name"), max_length=80, blank=True)
    bio = models.TextField(_("bio"), max_length=2000, blank=True)
    avatar = models.ImageField(_("avatar"), upload_to=avatar_path, blank=True)
    language = models.CharField(
        _("preferred language"), max_length=8, choices=Language.choices, blank=True
    )
    time_zone = models.CharField(_("time zone"), max_length=64, default="Europe/Rome")
    organisation = models.ForeignKey(
        "community.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="people",
        help_text=_("The organisation shown next to the name (an active affiliation)."),
    )
    expertise = TaggableManager(
        verbose_name=_("expertise"), through=UserExpertise, blank=True
    )
    # Set by staff (`accounts.account_suspend`): no sign-in before this moment.
    suspended_until = models.DateTimeField(_("suspended until"), null=True, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("community:profile", args=[self.username])

    @property
    def name(self):
        """The name shown to other people."""
        return self.display_name or self.username

    @property
    def avatar_version(self):
        """A short fingerprint of the stored avatar, for cache-busting URLs and ETags."""
        if not self.avatar:
            return ""
        return hashlib.sha256(self.avatar.name.encode()).hexdigest()[:16]

    @property
    def is_suspended(self):
        return (
            self.suspended_until is not None and self.suspended_until > timezone.now()
        )

    @property
    def initials(self):
        parts = self.name.split()
        return "".join(part[0] for part in parts[:2]).upper() or "?"
