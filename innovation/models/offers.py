"""Technology offers (what a university, research centre or firm can license or
co-develop) and the expressions of interest other organisations send about them."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from taggit.managers import TaggableManager

from .common import ChoiceList, CollaborationType, OfferTag, Sector


class TechnologyOffer(models.Model):
    """A licensable or co-developable technology. Its summary is public once published;
    its details reach an organisation whose expression of interest was accepted; its
    confidential documents, after the NDA. Offers expire and are renewed by the owner."""

    class IpStatus(models.TextChoices):
        GRANTED_PATENT = "granted_patent", _("Granted patent")
        PENDING_APPLICATION = "pending_application", _("Pending patent application")
        KNOW_HOW = "know_how", _("Know-how")
        SOFTWARE = "software", _("Software")

    class Status(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("offer status", "Draft")
        IN_VALIDATION = "in_validation", pgettext_lazy("offer status", "In validation")
        PUBLISHED = "published", pgettext_lazy("offer status", "Published")
        WITHDRAWN = "withdrawn", pgettext_lazy("offer status", "Withdrawn")

    organisation = models.ForeignKey(
        "community.Organisation",
        on_delete=models.CASCADE,
        related_name="technology_offers",
        verbose_name=_("owner"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    title = models.CharField(_("title"), max_length=160)
    summary = models.TextField(_("non-confidential summary"), max_length=3000)
    details = models.TextField(_("details"), max_length=20000, blank=True)
    trl = models.PositiveSmallIntegerField(
        _("technology readiness level"),
        validators=[MinValueValidator(1), MaxValueValidator(9)],
    )
    ip_status = models.CharField(
        _("IP status"), max_length=20, choices=IpStatus.choices
    )
    patent_number = models.CharField(
        _("patent or application number"), max_length=60, blank=True
    )
    licensing_terms = models.TextField(
        _("licensing terms"), max_length=5000, blank=True
    )
    collaboration_types = ChoiceList(
        _("cooperation offered"), vocabulary=CollaborationType
    )
    sectors = ChoiceList(_("sectors"), vocabulary=Sector)
    tags = TaggableManager(verbose_name=_("tags"), through=OfferTag, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    nda_text = models.TextField(_("NDA text"), max_length=20000, blank=True)
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="offers_facilitated",
        verbose_name=_("facilitator"),
    )
    validated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    refusal_reason = models.TextField(
        _("reason for refusal"), max_length=2000, blank=True
    )
    # The firm asked the innovation desk for help on this draft (desk: shared drafts).
    help_requested_at = models.DateTimeField(_("help asked"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    # A published offer past this moment is expired (listed no more) until renewed.
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)

    class Meta:
        verbose_name = _("technology offer")
        verbose_name_plural = _("technology offers")
        ordering = ["-published_at", "-created_at"]
        indexes = [models.Index(fields=["status", "expires_at"])]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("innovation:offer-detail", args=[self.pk])

    @property
    def stream(self):
        return f"offer:{self.pk}"


class ExpressionOfInterest(models.Model):
    """An organisation's answer to an offer: the three partnering questions."""

    class Status(models.TextChoices):
        SENT = "sent", pgettext_lazy("interest status", "Sent")
        UNDER_REVIEW = "under_review", pgettext_lazy("interest status", "Under review")
        ACCEPTED = "accepted", pgettext_lazy("interest status", "Accepted")
        DECLINED = "declined", pgettext_lazy("interest status", "Declined")
        WITHDRAWN = "withdrawn", pgettext_lazy("interest status", "Withdrawn")

    offer = models.ForeignKey(
        TechnologyOffer, on_delete=models.CASCADE, related_name="interests"
    )
    organisation = models.ForeignKey(
        "community.Organisation",
        on_delete=models.CASCADE,
        related_name="expressions_of_interest",
        verbose_name=_("organisation"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    who_we_are = models.TextField(_("who you are"), max_length=3000)
    intended_use = models.TextField(_("what you want to do with it"), max_length=3000)
    cooperation = models.TextField(_("what cooperation you propose"), max_length=3000)
    collaboration_type = models.CharField(
        _("cooperation type"), max_length=20, choices=CollaborationType.choices
    )
    status = models.CharField(
        _("status"), max_length=14, choices=Status.choices, default=Status.SENT
    )
    workspace = models.OneToOneField(
        "workspaces.Workspace",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="expression_of_interest",
    )
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("expression of interest")
        verbose_name_plural = _("expressions of interest")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["offer", "organisation"], name="one_interest_per_organisation"
            )
        ]

    def __str__(self):
        return f"{self.organisation} → {self.offer}"

    def get_absolute_url(self):
        return reverse("innovation:interest-detail", args=[self.pk])
