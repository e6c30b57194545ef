"""Who may see what a notification is about, decided by the content apps' permissions
(checked when it is created and again each time it is shown, without raising)."""

from community import permissions
from workspaces import permissions as workspace_permissions
from workspaces.models import Workspace

from .models import Notification

# Notifications about the person's own membership: the community's name is theirs to
# know (they were invited, accepted, banned), whatever they may read there now.
_ABOUT_MEMBERSHIP = {
    Notification.Kind.INVITATION,
    Notification.Kind.JOIN_APPROVED,
    Notification.Kind.JOIN_DECLINED,
    Notification.Kind.ROLE_CHANGED,
}


def post_visible(person, post, *, moderation=False):
    """Whether `person` may read `post` now: its thread readable to them, the post not
    deleted, and not hidden unless they may see hidden posts (or the notification tells
    its author it was hidden)."""
    if post.is_deleted:
        return False
    if (
        post.is_hidden
        and not moderation
        and not permissions.can_see_hidden_post(person, post)
    ):
        return False
    return permissions.can_read_thread(person, post.thread)


def workspace_visible(person, workspace_id, workspace=None):
    """Whether `person` may see workspace `workspace_id` now (its participants)."""
    if workspace is None:
        workspace = Workspace.objects.filter(pk=workspace_id).first()
    return workspace is not None and workspace_permissions.can_see_workspace(
        person, workspace
    )


def can_see(person, notification):
    """Whether `notification` (with post__thread__community loaded) may be shown to
    `person` now."""
    if notification.recipient_id != person.pk:
        return False
    if notification.workspace_id_ref is not None:
        workspace = getattr(notification, "workspace", None)
        return workspace is not None and workspace_visible(
            person, workspace.pk, workspace
        )
    if notification.post_id is not None:
        return post_visible(
            person,
            notification.post,
            moderation=notification.kind == Notification.Kind.MODERATION,
        )
    if (
        notification.kind in _ABOUT_MEMBERSHIP
        or notification.kind == Notification.Kind.MODERATION
    ):
        return notification.community_id is not None
    return False
