"""The innovation desk: facilitators (brokers and the association's desk), the funding
calls they publish and the introductions they make between two organisations."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from taggit.managers import TaggableManager

from .common import ChoiceList, FundingCallTag, Sector


class Facilitator(models.Model):
    """A person of the innovation desk: validates challenges and offers before they
    are published, helps firms draft them, introduces organisations, publishes
    funding calls. Granted by staff (the admin)."""

    person = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="facilitator"
    )
    # The broker or desk they work for (shown beside their name).
    organisation = models.ForeignKey(
        "community.Organisation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organisation"),
    )
    is_active = models.BooleanField(_("active"), default=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    granted_at = models.DateTimeField(_("granted"), auto_now_add=True)

    class Meta:
        verbose_name = _("facilitator")
        verbose_name_plural = _("facilitators")

    def __str__(self):
        return str(self.person)


class OrganisationKindList(ChoiceList):
    """Organisation kinds (`community.Organisation.Kind`), several at once."""

    def __init__(self, *args, **kwargs):
        from community.models import Organisation

        kwargs["vocabulary"] = Organisation.Kind
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("vocabulary", None)
        return name, path, args, kwargs


class FundingCall(models.Model):
    """A public funding call (regional, national, European) the desk publishes and
    suggests to the organisations it fits."""

    class Status(models.TextChoices):
        PUBLISHED = "published", pgettext_lazy("funding call status", "Published")
        WITHDRAWN = "withdrawn", pgettext_lazy("funding call status", "Withdrawn")

    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("description"), max_length=10000)
    deadline = models.DateField(_("deadline"))
    eligible_kinds = OrganisationKindList(_("eligible organisations"), blank=False)
    sectors = ChoiceList(_("sectors"), vocabulary=Sector)
    tags = TaggableManager(verbose_name=_("tags"), through=FundingCallTag, blank=True)
    link = models.URLField(_("link"), max_length=500)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PUBLISHED
    )
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("published"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("funding call")
        verbose_name_plural = _("funding calls")
        ordering = ["deadline", "pk"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("innovation:funding-call-detail", args=[self.pk])


class Introduction(models.Model):
    """A facilitator introducing two people of two organisations to each other in a
    private three-way conversation (a thread only the three may read)."""

    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    first_person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    first_organisation = models.ForeignKey(
        "community.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    second_person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    second_organisation = models.ForeignKey(
        "community.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    message = models.TextField(_("why they should meet"), max_length=3000)
    # The conversation: a thread of a private community of its own.
    thread = models.OneToOneField(
        "community.Thread",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="introduction",
    )
    created_at = models.DateTimeField(_("introduced"), auto_now_add=True)

    class Meta:
        verbose_name = _("introduction")
        verbose_name_plural = _("introductions")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.first_organisation} ↔ {self.second_organisation}"
