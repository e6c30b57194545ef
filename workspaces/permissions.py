"""Every rule about who may see or do what in workspaces.

The same conventions as `community.permissions` (which it builds on, and whose
per-request or per-socket-operation cache it shares): `access_*` return the object or
raise `Http404` for missing and invisible alike (a stranger never learns that a
workspace exists); `can_*` answer yes/no for a visible object; `require_*` raise
`PermissionDenied` with the refusal people read; `*_visible_to` give querysets.

Who is in a workspace is its `Participant` rows (lead, member, guest). Site staff see
every workspace read-only (support and moderation of its discussion) and are never
participants: they cannot upload, change tasks or invite.
"""

from django.http import Http404
from django.utils.translation import gettext_lazy

from community import permissions as community_permissions
from community.permissions import is_site_staff, remembered

from .models import Participant, Workspace

Role = Participant.Role


def participant_of(user, workspace):
    """The user's `Participant` row in `workspace`, or None (cached for the scope)."""
    if not user.is_authenticated:
        return None

    def load():
        return Participant.objects.filter(user=user, workspace=workspace).first()

    return remembered(("participant", user.pk, workspace.pk), load)


def participant_changed(participant):
    """Forget what the scope knows about `participant`'s person in its workspace;
    the services call it for every participant row they write or delete."""
    community_permissions.forget(
        ("participant", participant.user_id, participant.workspace_id),
        ("leads", participant.workspace_id),
    )


def is_participant(user, workspace):
    return participant_of(user, workspace) is not None


def is_lead(user, workspace):
    participant = participant_of(user, workspace)
    return participant is not None and participant.role == Role.LEAD


def can_see_workspace(user, workspace):
    """May the user know the workspace exists and read it (dashboard, documents,
    tasks, discussion)? Its participants, and site staff."""
    return is_site_staff(user) or is_participant(user, workspace)


def can_contribute(user, workspace):
    """May the user upload documents and change tasks? Leads and members of a
    workspace that is not archived (guests read, download and comment only)."""
    participant = participant_of(user, workspace)
    return (
        participant is not None
        and participant.role in (Role.LEAD, Role.MEMBER)
        and not workspace.is_archived
    )


def can_manage_workspace(user, workspace):
    """Leads invite, remove people, change roles and stages (not once archived)."""
    return is_lead(user, workspace) and not workspace.is_archived


def workspaces_visible_to(user, queryset=None):
    """Workspaces the user may see: their own (staff: all)."""
    queryset = Workspace.objects.all() if queryset is None else queryset
    if is_site_staff(user):
        return queryset
    if not user.is_authenticated:
        return queryset.none()
    return queryset.filter(participants__user=user)


def access_workspace(user, workspace_id):
    """Return a workspace the user may see (with its community) or raise Http404."""
    workspace = (
        Workspace.objects.select_related("community").filter(pk=workspace_id).first()
    )
    if workspace is None or not can_see_workspace(user, workspace):
        raise Http404("No such workspace.")
    return workspace


require_contribute = community_permissions.requirement(
    can_contribute,
    gettext_lazy(
        "Only the workspace's leads and members can do this, and not once it is archived."
    ),
)
require_manage_workspace = community_permissions.requirement(
    can_manage_workspace,
    gettext_lazy(
        "Only the workspace's leads can do this, and not once it is archived."
    ),
)


# --- documents ---


def can_upload_document(user, workspace):
    """Leads and members upload documents and new versions (guests and staff read
    and download only); not once the workspace is archived."""
    return can_contribute(user, workspace)


def can_download_document(user, document):
    """Everyone who sees the workspace downloads its documents' versions (staff too:
    their downloads are logged like anyone's). Asked at every request, so a removed
    participant's old links stop working."""
    return can_see_workspace(user, document.workspace)


def can_version_document(user, document):
    """A new version of a document that is not deleted: whoever may upload."""
    return document.deleted_at is None and can_upload_document(user, document.workspace)


def can_delete_document(user, document):
    """Leads delete documents (softly: they stay restorable)."""
    return document.deleted_at is None and can_manage_workspace(
        user, document.workspace
    )


def can_restore_document(user, document):
    """Leads restore deleted documents."""
    return document.deleted_at is not None and can_manage_workspace(
        user, document.workspace
    )


def can_see_deleted_documents(user, workspace):
    """Leads see the deleted documents (to restore them); nobody else knows of them."""
    return is_lead(user, workspace)


def can_see_document_downloads(user, workspace):
    """The download log (who downloaded which version when) is for leads."""
    return is_lead(user, workspace)


def can_comment_document(user, document):
    """Participants (guests too) discuss a document in its thread, while it is not
    deleted and the workspace is not archived; the thread then follows the community's
    own rules (muted members, locked threads)."""
    workspace = document.workspace
    return (
        document.deleted_at is None
        and is_participant(user, workspace)
        and not workspace.is_archived
        and community_permissions.can_create_thread(user, workspace.community)
    )


def documents_visible_to(user, workspace, *, deleted=False):
    """The documents of a workspace the user may see: those not deleted, or with
    `deleted` the deleted ones (leads only; empty for anyone else)."""
    from .models import Document

    documents = Document.objects.filter(workspace=workspace)
    if deleted:
        if not can_see_deleted_documents(user, workspace):
            return documents.none()
        return documents.filter(deleted_at__isnull=False)
    return documents.filter(deleted_at__isnull=True)


def access_document(user, workspace, document_id):
    """Return a document of `workspace` (seen through `access_workspace`) the user may
    see, with its workspace set, or raise Http404: missing, of another workspace, or
    deleted (leads still reach a deleted one, to restore it)."""
    from .models import Document

    document = Document.objects.filter(pk=document_id, workspace=workspace).first()
    if document is None:
        raise Http404("No such document.")
    if document.deleted_at is not None and not can_see_deleted_documents(
        user, workspace
    ):
        raise Http404("No such document.")
    document.workspace = workspace
    return document


def access_document_version(user, document, number):
    """Return version `number` of a document the user may see, or raise Http404."""
    from .models import DocumentVersion

    version = DocumentVersion.objects.filter(document=document, number=number).first()
    if version is None:
        raise Http404("No such version.")
    version.document = document
    return version


require_upload_document = community_permissions.requirement(
    can_upload_document,
    gettext_lazy(
        "Only the workspace's leads and members can upload documents, and not once "
        "it is archived."
    ),
)
require_download_document = community_permissions.requirement(
    can_download_document,
    gettext_lazy("You may not download this document."),
)
require_version_document = community_permissions.requirement(
    can_version_document,
    gettext_lazy(
        "Only the workspace's leads and members can upload new versions, and not of "
        "a deleted document or once the workspace is archived."
    ),
)
require_delete_document = community_permissions.requirement(
    can_delete_document,
    gettext_lazy("Only the workspace's leads can delete documents."),
)
require_restore_document = community_permissions.requirement(
    can_restore_document,
    gettext_lazy("Only the workspace's leads can restore deleted documents."),
)
require_see_document_downloads = community_permissions.requirement(
    can_see_document_downloads,
    gettext_lazy("Only the workspace's leads can see who downloaded its documents."),
)
require_comment_document = community_permissions.requirement(
    can_comment_document,
    gettext_lazy(
        "Only the workspace's participants can discuss its documents, and not once "
        "it is archived."
    ),
)
