"""Shared documents, their versions and who downloaded which version."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .workspaces import Workspace


class Document(models.Model):
    """A document of a workspace; its content is in its versions (the latest is current)."""

    class Category(models.TextChoices):
        NDA = "nda", _("NDA")
        TERM_SHEET = "term_sheet", _("Term sheet")
        TECHNICAL_REPORT = "technical_report", _("Technical report")
        CONTRACT = "contract", _("Contract")
        PRESENTATION = "presentation", _("Presentation")
        DATA = "data", _("Data")
        OTHER = "other", _("Other")

    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="documents"
    )
    title = models.CharField(_("title"), max_length=200)
    category = models.CharField(
        _("category"), max_length=20, choices=Category.choices, default=Category.OTHER
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"))
    # Denormalised by the services: the number of the latest version.
    version_count = models.PositiveIntegerField(_("versions"), default=0)
    # The document's own discussion: a thread of the workspace's community.
    thread = models.OneToOneField(
        "community.Thread",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="workspace_document",
    )
    # Soft delete: leads restore it; nobody else sees it meanwhile.
    deleted_at = models.DateTimeField(_("deleted"), null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["-updated_at"]
        indexes = [models.Index(fields=["workspace", "deleted_at", "category"])]

    def __str__(self):
        return self.title


class DocumentVersion(models.Model):
    """One uploaded file of a document, stored under a random name outside public media."""

    class Preview(models.TextChoices):
        NONE = "none", _("No preview")
        READY = "ready", _("Preview ready")
        FAILED = "failed", _("Preview failed")

    class PreviewProblem(models.TextChoices):
        TOO_LARGE = "too_large", _("too many pixels to preview safely")
        UNREADABLE = "unreadable", _("the file could not be read for a preview")

    document = models.ForeignKey(
        Document, on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version"))
    file = models.FileField(_("file"), max_length=255)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=120)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    note = models.CharField(_("note"), max_length=500, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    organisation = models.ForeignKey(
        "community.Organisation",
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("organisation"),
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    preview = models.FileField(_("preview"), max_length=255, blank=True)
    preview_state = models.CharField(
        _("preview"), max_length=8, choices=Preview.choices, default=Preview.NONE
    )
    # Why a preview failed: the page says so instead of showing a broken image.
    preview_problem = models.CharField(
        _("preview problem"), max_length=12, choices=PreviewProblem.choices, blank=True
    )

    class Meta:
        verbose_name = _("document version")
        verbose_name_plural = _("document versions")
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["document", "number"], name="documentversion_unique_number"
            )
        ]

    def __str__(self):
        return f"{self.document} v{self.number}"


class DocumentDownload(models.Model):
    """Who downloaded which version when (leads read it)."""

    version = models.ForeignKey(
        DocumentVersion, on_delete=models.CASCADE, related_name="downloads"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    downloaded_at = models.DateTimeField(_("downloaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("download")
        verbose_name_plural = _("downloads")
        ordering = ["-downloaded_at"]

    def __str__(self):
        return f"{self.user_id} downloaded {self.version_id}"
