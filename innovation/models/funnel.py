"""What the funnel records besides challenges and offers: each step's status change
with its message, confidential documents, NDA acceptances, dismissed suggestions and
the outcome of a workspace born from the funnel."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class StatusChange(models.Model):
    """A proposal's or an expression of interest's step (submitted → shortlisted →
    accepted, sent → under review → declined, ...) with the message sent with it."""

    proposal = models.ForeignKey(
        "innovation.Proposal",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="status_changes",
    )
    interest = models.ForeignKey(
        "innovation.ExpressionOfInterest",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="status_changes",
    )
    status = models.CharField(_("status"), max_length=14)
    message = models.TextField(_("message"), max_length=3000, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(proposal__isnull=False, interest__isnull=True)
                | Q(proposal__isnull=True, interest__isnull=False),
                name="status_change_of_one_step",
            )
        ]

    def __str__(self):
        return self.status


class ConfidentialDocument(models.Model):
    """A document of a challenge or an offer (or a proposal's attachment), stored and
    inspected as workspace documents are (`workspaces.storage`). A challenge's or an
    offer's reach only those who accepted its NDA; a proposal's, the two
    organisations."""

    challenge = models.ForeignKey(
        "innovation.Challenge",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="documents",
    )
    offer = models.ForeignKey(
        "innovation.TechnologyOffer",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="documents",
    )
    proposal = models.ForeignKey(
        "innovation.Proposal",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="attachments",
    )
    title = models.CharField(_("title"), max_length=200)
    file = models.CharField(_("stored file"), max_length=255)
    original_name = models.CharField(_("file name"), max_length=255)
    kind = models.CharField(_("kind"), max_length=20)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("confidential document")
        verbose_name_plural = _("confidential documents")
        ordering = ["created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    challenge__isnull=False, offer__isnull=True, proposal__isnull=True
                )
                | Q(challenge__isnull=True, offer__isnull=False, proposal__isnull=True)
                | Q(challenge__isnull=True, offer__isnull=True, proposal__isnull=False),
                name="document_of_one_subject",
            )
        ]

    def __str__(self):
        return self.title


class NdaAcceptance(models.Model):
    """Who accepted a challenge's or an offer's click-through NDA, for which
    organisation, when, and the text they accepted (audit, exportable)."""

    challenge = models.ForeignKey(
        "innovation.Challenge",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="nda_acceptances",
    )
    offer = models.ForeignKey(
        "innovation.TechnologyOffer",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="nda_acceptances",
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    organisation = models.ForeignKey(
        "community.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField(_("text accepted"))
    accepted_at = models.DateTimeField(_("accepted"), auto_now_add=True)

    class Meta:
        verbose_name = _("NDA acceptance")
        verbose_name_plural = _("NDA acceptances")
        ordering = ["accepted_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(challenge__isnull=False, offer__isnull=True)
                | Q(challenge__isnull=True, offer__isnull=False),
                name="nda_of_one_subject",
            ),
            models.UniqueConstraint(
                fields=["challenge", "person"], name="one_nda_per_person_challenge"
            ),
            models.UniqueConstraint(
                fields=["offer", "person"], name="one_nda_per_person_offer"
            ),
        ]

    def __str__(self):
        return f"{self.person} ({self.organisation})"


class DismissedSuggestion(models.Model):
    """A match suggestion an organisation marked "not relevant": never suggested again,
    and similar ones ranked lower."""

    class Kind(models.TextChoices):
        CHALLENGE = "challenge", _("Challenge")
        OFFER = "offer", _("Technology offer")
        ORGANISATION = "organisation", _("Organisation")
        FUNDING_CALL = "funding_call", _("Funding call")

    organisation = models.ForeignKey(
        "community.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=14, choices=Kind.choices)
    object_id = models.PositiveBigIntegerField(_("object id"))
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    dismissed_at = models.DateTimeField(_("dismissed"), auto_now_add=True)

    class Meta:
        verbose_name = _("dismissed suggestion")
        verbose_name_plural = _("dismissed suggestions")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "kind", "object_id"], name="dismissed_once"
            )
        ]

    def __str__(self):
        return f"{self.kind} {self.object_id}"


class Outcome(models.Model):
    """The result of a workspace born from the funnel, recorded when it is archived."""

    class Result(models.TextChoices):
        LICENCE = "licence", _("Licence")
        SPIN_OFF = "spin_off", _("Spin-off")
        JOINT_VENTURE = "joint_venture", _("Joint venture")
        RD_CONTRACT = "rd_contract", _("R&D contract")
        SUPPLY = "supply", _("Supply agreement")
        NO_AGREEMENT = "no_agreement", _("No agreement")

    class ValueBand(models.TextChoices):
        UNDISCLOSED = "", _("Not disclosed")
        UNDER_50K = "under_50k", _("Under €50,000")
        FROM_50K = "50k_250k", _("€50,000–250,000")
        FROM_250K = "250k_1m", _("€250,000–1 million")
        OVER_1M = "over_1m", _("Over €1 million")

    workspace = models.OneToOneField(
        "workspaces.Workspace", on_delete=models.CASCADE, related_name="outcome"
    )
    result = models.CharField(_("result"), max_length=14, choices=Result.choices)
    value_band = models.CharField(
        _("value"), max_length=10, choices=ValueBand.choices, blank=True, default=""
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("outcome")
        verbose_name_plural = _("outcomes")

    def __str__(self):
        return self.get_result_display()
