"""Workspaces, their partner organisations, the people in them and invitations."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class Workspace(models.Model):
    """A collaboration between organisations; its discussion is a private community of
    kind `workspace` (threads, rooms and live updates are the community engine's)."""

    class CollaborationType(models.TextChoices):
        JOINT_VENTURE = "joint_venture", _("Joint venture")
        LICENSING = "licensing", _("Licensing")
        SPIN_OFF = "spin_off", _("Spin-off")
        RD_CONTRACT = "rd_contract", _("R&D contract")
        CONSORTIUM = "consortium", _("Consortium")

    class Stage(models.TextChoices):
        EXPLORATION = "exploration", _("Exploration")
        NDA = "nda", _("NDA")
        NEGOTIATION = "negotiation", _("Negotiation")
        AGREEMENT = "agreement", _("Agreement")
        EXECUTION = "execution", _("Execution")
        CLOSED = "closed", _("Closed")

    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), max_length=5000, blank=True)
    collaboration_type = models.CharField(
        _("collaboration type"), max_length=20, choices=CollaborationType.choices
    )
    stage = models.CharField(
        _("stage"), max_length=12, choices=Stage.choices, default=Stage.EXPLORATION
    )
    community = models.OneToOneField(
        "community.Community",
        on_delete=models.PROTECT,
        related_name="workspace",
        verbose_name=_("discussion"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # Archived: read-only for everyone until a lead restores it.
    archived_at = models.DateTimeField(_("archived"), null=True, blank=True)
    archived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("workspace")
        verbose_name_plural = _("workspaces")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("workspaces:workspace-detail", args=[self.pk])

    @property
    def stream(self):
        return f"workspace:{self.pk}"

    @property
    def is_archived(self):
        return self.archived_at is not None


class Partner(models.Model):
    """An organisation taking part in a workspace, with its role in the collaboration."""

    class Role(models.TextChoices):
        LEAD = "lead", _("Lead partner")
        PARTNER = "partner", _("Partner")
        ADVISOR = "advisor", _("Advisor")

    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="partners"
    )
    organisation = models.ForeignKey(
        "community.Organisation", on_delete=models.CASCADE, related_name="partnerships"
    )
    role = models.CharField(
        _("role"), max_length=10, choices=Role.choices, default=Role.PARTNER
    )
    joined_at = models.DateTimeField(_("joined"), auto_now_add=True)

    class Meta:
        verbose_name = _("partner organisation")
        verbose_name_plural = _("partner organisations")
        ordering = ["joined_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "organisation"],
                name="partner_unique_workspace_org",
            )
        ]

    def __str__(self):
        return f"{self.organisation} in {self.workspace} ({self.role})"


class Participant(models.Model):
    """A person in a workspace, on behalf of one of its partner organisations.

    Every participant also has an active membership of the workspace's community (leads
    as its owners), kept in step by the workspace services, so the discussion's threads
    and rooms follow the community rules."""

    class Role(models.TextChoices):
        LEAD = "lead", _("Lead")
        MEMBER = "member", _("Member")
        GUEST = "guest", _("Guest")

    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="participants"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="workspace_participations",
    )
    organisation = models.ForeignKey(
        "community.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("organisation"),
    )
    role = models.CharField(
        _("role"), max_length=10, choices=Role.choices, default=Role.MEMBER
    )
    joined_at = models.DateTimeField(_("joined"), auto_now_add=True)
    # The last event of the workspace's stream this person has seen on its dashboard:
    # what "My workspaces" counts as unread is what came after it.
    last_seen_seq = models.PositiveBigIntegerField(_("last seen event"), default=0)

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        ordering = ["joined_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "user"], name="participant_unique_workspace_user"
            )
        ]
        indexes = [models.Index(fields=["user", "workspace"])]

    def __str__(self):
        return f"{self.user} in {self.workspace} ({self.role})"


class Invitation(models.Model):
    """An invitation to join a workspace on behalf of an organisation.

    The link carries a signed token (the invitation's id, signed with a timestamp) that
    expires at `expires_at`. When the organisation is not yet a partner, accepting needs
    its consent too: an admin of the organisation accepts for it (`organisation_accepted_by`)."""

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        REVOKED = "revoked", _("Revoked")

    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="invitations"
    )
    organisation = models.ForeignKey(
        "community.Organisation",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("partner organisation"),
    )
    # Invited by username (`invitee` set) or by e-mail (`email` set, `invitee` filled
    # in when someone with that verified address accepts).
    invitee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="workspace_invitations",
    )
    email = models.EmailField(_("e-mail"), blank=True)
    role = models.CharField(
        _("role"),
        max_length=10,
        choices=Participant.Role.choices,
        default=Participant.Role.MEMBER,
    )
    partner_role = models.CharField(
        _("organisation's role"),
        max_length=10,
        choices=Partner.Role.choices,
        default=Partner.Role.PARTNER,
    )
    message = models.CharField(_("message"), max_length=500, blank=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.PENDING
    )
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    organisation_accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("accepted for the organisation by"),
    )
    organisation_accepted_at = models.DateTimeField(null=True, blank=True)
    # The invitee said yes while the organisation's consent was still missing: the
    # consent completes the invitation.
    invitee_accepted_at = models.DateTimeField(
        _("accepted by the invitee"), null=True, blank=True
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(invitee__isnull=False) | ~Q(email=""),
                name="invitation_names_someone",
            )
        ]
        indexes = [models.Index(fields=["workspace", "state"])]

    def __str__(self):
        return f"{self.invitee or self.email} to {self.workspace} ({self.state})"


class StageChange(models.Model):
    """One move of a workspace along the stage pipeline: who and when."""

    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="stage_changes"
    )
    from_stage = models.CharField(
        _("from"), max_length=12, choices=Workspace.Stage.choices, blank=True
    )
    to_stage = models.CharField(_("to"), max_length=12, choices=Workspace.Stage.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    changed_at = models.DateTimeField(_("changed"), auto_now_add=True)

    class Meta:
        verbose_name = _("stage change")
        verbose_name_plural = _("stage changes")
        ordering = ["changed_at"]

    def __str__(self):
        return f"{self.workspace}: {self.from_stage} -> {self.to_stage}"


class WorkspaceExport(models.Model):
    """A ZIP of a workspace built in the background for its leads."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Being built")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="exports"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    file = models.FileField(_("file"), upload_to="exports/", blank=True)
    size = models.PositiveBigIntegerField(_("size"), default=0)
    # A code of ERRORS (the message is read in the reader's language).
    error = models.CharField(_("error"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    ERRORS = {
        "build_failed": _(
            "The export could not be built. Try again, or tell the site's staff."
        ),
    }

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        ordering = ["-created_at"]

    def __str__(self):
        return f"export of {self.workspace} ({self.state})"

    @property
    def error_message(self):
        """Why the export failed, in the reader's language (older rows stored the
        text itself)."""
        return self.ERRORS.get(self.error, self.error)
