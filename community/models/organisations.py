"""Organisations (companies, universities, ...) and people's affiliations to them."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from taggit.managers import TaggableManager

from .tags import OrganisationCompetence, OrganisationInterest


class Organisation(models.Model):
    class Kind(models.TextChoices):
        ENTERPRISE = "enterprise", _("Enterprise")
        UNIVERSITY = "university", _("University")
        RESEARCH_CENTRE = "research_centre", _("Research centre")
        STARTUP = "startup", _("Start-up")
        BROKER = "broker", _("Innovation broker")
        PUBLIC_BODY = "public_body", _("Public body")

    class Size(models.TextChoices):
        MICRO = "micro", _("1-9 people")
        SMALL = "small", _("10-49 people")
        MEDIUM = "medium", _("50-249 people")
        LARGE = "large", _("250+ people")

    class Province(models.TextChoices):
        """Lombardy's provinces (the regional dashboard counts by them)."""

        BERGAMO = "BG", "Bergamo"
        BRESCIA = "BS", "Brescia"
        COMO = "CO", "Como"
        CREMONA = "CR", "Cremona"
        LECCO = "LC", "Lecco"
        LODI = "LO", "Lodi"
        MANTOVA = "MN", "Mantova"
        MILANO = "MI", "Milano"
        MONZA_BRIANZA = "MB", "Monza e Brianza"
        PAVIA = "PV", "Pavia"
        SONDRIO = "SO", "Sondrio"
        VARESE = "VA", "Varese"
        OUTSIDE = "XX", _("Outside Lombardy")

    name = models.CharField(_("name"), max_length=160, unique=True)
    slug = models.SlugField(_("slug"), max_length=180, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    sector = models.CharField(_("sector"), max_length=120, blank=True)
    size = models.CharField(_("size"), max_length=10, choices=Size.choices, blank=True)
    city = models.CharField(_("city"), max_length=80, blank=True)
    province = models.CharField(
        _("province"), max_length=2, choices=Province.choices, blank=True
    )
    region = models.CharField(_("region"), max_length=80, blank=True, default="Lombardia")
    website = models.URLField(_("website"), blank=True)
    description = models.TextField(_("description"), max_length=5000, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    competences = TaggableManager(
        verbose_name=_("competences"), through=OrganisationCompetence, blank=True
    )
    interests = TaggableManager(
        verbose_name=_("interests"),
        through=OrganisationInterest,
        blank=True,
        related_name="organisations_interested",
    )

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        indexes = [models.Index(fields=["kind"]), models.Index(fields=["city"])]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("community:organisation-detail", args=[self.slug])


class Affiliation(models.Model):
    """A person's link to an organisation: requested, then approved by an org admin."""

    class Role(models.TextChoices):
        ADMIN = "admin", _("Administrator")
        MEMBER = "member", _("Member")

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACTIVE = "active", _("Active")
        DECLINED = "declined", _("Declined")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="affiliations"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="affiliations"
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.PENDING
    )
    message = models.CharField(_("message"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("affiliation")
        verbose_name_plural = _("affiliations")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation"], name="affiliation_unique_user_org"
            ),
            # A person belongs to at most one organisation at a time.
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(state="active"),
                name="affiliation_one_active_per_user",
            ),
        ]

    def __str__(self):
        return f"{self.user} @ {self.organisation} ({self.state})"
