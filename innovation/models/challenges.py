"""Challenges (an organisation's innovation need), their public questions and
answers, the proposals that answer them and the seeker's evaluation of those."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from taggit.managers import TaggableManager

from .common import ChallengeTag, ChoiceList, CollaborationType, Sector


class Challenge(models.Model):
    """An organisation's innovation need. Its summary is public once open; its details
    reach a solver once shortlisted; its confidential documents, after the NDA."""

    class Type(models.TextChoices):
        IDEATION = "ideation", _("Ideation")
        TECHNICAL_SOLUTION = "technical_solution", _("Technical solution")
        REDUCTION_TO_PRACTICE = "reduction_to_practice", _("Reduction to practice")

    class Status(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("challenge status", "Draft")
        IN_VALIDATION = "in_validation", pgettext_lazy("challenge status", "In validation")
        OPEN = "open", pgettext_lazy("challenge status", "Open")
        EVALUATING = "evaluating", pgettext_lazy("challenge status", "Evaluating")
        CLOSED = "closed", pgettext_lazy("challenge status", "Closed")
        AWARDED = "awarded", pgettext_lazy("challenge status", "Awarded")

    organisation = models.ForeignKey(
        "community.Organisation",
        on_delete=models.CASCADE,
        related_name="challenges",
        verbose_name=_("seeker"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # Optionally tied to a thematic community (shown on its page, listed on the
    # community's page and filtered by in the list).
    community = models.ForeignKey(
        "community.Community",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="challenges",
        verbose_name=_("community"),
    )
    title = models.CharField(_("title"), max_length=160)
    summary = models.TextField(_("public summary"), max_length=2000)
    details = models.TextField(_("details"), max_length=20000, blank=True)
    challenge_type = models.CharField(
        _("challenge type"),
        max_length=24,
        choices=Type.choices,
        default=Type.TECHNICAL_SOLUTION,
    )
    collaboration_types = ChoiceList(
        _("collaboration types sought"), vocabulary=CollaborationType
    )
    sectors = ChoiceList(_("sectors"), vocabulary=Sector)
    tags = TaggableManager(verbose_name=_("tags"), through=ChallengeTag, blank=True)
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    award = models.CharField(_("budget or award"), max_length=300, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    # Seeker anonymity: shown as "a manufacturing firm, 50-249 people, Lombardia" until
    # the seeker reveals itself to a solver (Proposal.seeker_revealed).
    anonymous = models.BooleanField(_("anonymous seeker"), default=False)
    # The click-through NDA a solver accepts before the confidential documents.
    nda_text = models.TextField(_("NDA text"), max_length=20000, blank=True)
    # The innovation desk: the facilitator helping the firm draft it (may edit drafts).
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="challenges_facilitated",
        verbose_name=_("facilitator"),
    )
    # Validation: who decided, and why a challenge went back to draft.
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

    class Meta:
        verbose_name = _("challenge")
        verbose_name_plural = _("challenges")
        ordering = ["-published_at", "-created_at"]
        indexes = [models.Index(fields=["status", "-published_at"])]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("innovation:challenge-detail", args=[self.pk])

    @property
    def stream(self):
        return f"challenge:{self.pk}"


class ChallengeQuestion(models.Model):
    """A public clarification question on an open challenge, and the seeker's answer
    (shown to everyone who may read the challenge; the asker's name is shown)."""

    challenge = models.ForeignKey(
        Challenge, on_delete=models.CASCADE, related_name="questions"
    )
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    question = models.TextField(_("question"), max_length=2000)
    answer = models.TextField(_("answer"), max_length=5000, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("asked"), auto_now_add=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)

    class Meta:
        verbose_name = _("clarification question")
        verbose_name_plural = _("clarification questions")
        ordering = ["created_at"]

    def __str__(self):
        return self.question[:80]


class Proposal(models.Model):
    """A solver organisation's answer to a challenge: a non-confidential summary first,
    then attachments; seen only by the two organisations (and facilitators)."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", pgettext_lazy("proposal status", "Submitted")
        SHORTLISTED = "shortlisted", pgettext_lazy("proposal status", "Shortlisted")
        DECLINED = "declined", pgettext_lazy("proposal status", "Declined")
        ACCEPTED = "accepted", pgettext_lazy("proposal status", "Accepted")
        WITHDRAWN = "withdrawn", pgettext_lazy("proposal status", "Withdrawn")

    challenge = models.ForeignKey(
        Challenge, on_delete=models.CASCADE, related_name="proposals"
    )
    organisation = models.ForeignKey(
        "community.Organisation",
        on_delete=models.CASCADE,
        related_name="proposals",
        verbose_name=_("solver"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    title = models.CharField(_("title"), max_length=160)
    summary = models.TextField(_("non-confidential summary"), max_length=5000)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.SUBMITTED
    )
    # The seeker chose to show its name to this solver.
    seeker_revealed = models.BooleanField(_("seeker revealed"), default=False)
    # Accepting opens a workspace for both organisations.
    workspace = models.OneToOneField(
        "workspaces.Workspace",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="proposal",
    )
    created_at = models.DateTimeField(_("submitted"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["challenge", "organisation"], name="one_proposal_per_solver"
            )
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("innovation:proposal-detail", args=[self.pk])


class EvaluationCriterion(models.Model):
    """One of the seeker's own criteria for scoring proposals to a challenge."""

    challenge = models.ForeignKey(
        Challenge, on_delete=models.CASCADE, related_name="criteria"
    )
    name = models.CharField(_("criterion"), max_length=120)
    weight = models.PositiveSmallIntegerField(
        _("weight"), default=1, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("evaluation criterion")
        verbose_name_plural = _("evaluation criteria")
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["challenge", "name"], name="criterion_named_once"
            )
        ]

    def __str__(self):
        return self.name


class ProposalScore(models.Model):
    """The seeker's score of a proposal on one criterion (0-5); private to the seeker."""

    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, related_name="scores"
    )
    criterion = models.ForeignKey(
        EvaluationCriterion, on_delete=models.CASCADE, related_name="scores"
    )
    score = models.PositiveSmallIntegerField(
        _("score"), validators=[MinValueValidator(0), MaxValueValidator(5)]
    )
    scored_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    scored_at = models.DateTimeField(_("scored"), auto_now=True)

    class Meta:
        verbose_name = _("proposal score")
        verbose_name_plural = _("proposal scores")
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "criterion"], name="one_score_per_criterion"
            )
        ]

    def __str__(self):
        return f"{self.criterion}: {self.score}"


class ProposalNote(models.Model):
    """A note on a proposal, private to the seeker's organisation."""

    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, related_name="notes"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    body = models.TextField(_("note"), max_length=5000)
    created_at = models.DateTimeField(_("written"), auto_now_add=True)

    class Meta:
        verbose_name = _("evaluation note")
        verbose_name_plural = _("evaluation notes")
        ordering = ["created_at"]

    def __str__(self):
        return self.body[:80]
