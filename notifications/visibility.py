"""Who may see what a notification is about, decided by the content apps' permissions
(checked when it is created and again each time it is shown, without raising)."""

from community import permissions
from innovation import permissions as innovation_permissions
from workspaces import permissions as workspace_permissions
from workspaces.models import Workspace

from .models import Notification

Kind = Notification.Kind

# Notifications about the person's own membership: the community's name is theirs to
# know (they were invited, accepted, banned), whatever they may read there now.
_ABOUT_MEMBERSHIP = {
    Kind.INVITATION,
    Kind.JOIN_APPROVED,
    Kind.JOIN_DECLINED,
    Kind.ROLE_CHANGED,
    Kind.MODERATION,
}


def post_visible(person, post):
    """Whether `person` may read `post` now: its thread readable to them, the post not
    deleted, and not hidden unless they may see hidden posts."""
    if post.is_deleted:
        return False
    if post.is_hidden and not permissions.can_see_hidden_post(person, post):
        return False
    return permissions.can_read_thread(person, post.thread)


def workspace_visible(person, workspace_id, workspace=None):
    """Whether `person` may see workspace `workspace_id` now (its participants)."""
    if workspace is None:
        workspace = Workspace.objects.filter(pk=workspace_id).first()
    return workspace is not None and workspace_permissions.can_see_workspace(
        person, workspace
    )


def _workspace_item_visible(person, notification):
    workspace = getattr(notification, "workspace", None)
    item = getattr(notification, "item", None)
    if notification.kind == Kind.INVITATION:
        # The invitee sees the workspace's name while the invitation is open to them.
        return item is not None and workspace_permissions.can_answer_invitation(
            person, item
        )
    if workspace is None or not workspace_visible(person, workspace.pk, workspace):
        return False
    if notification.kind in (Kind.TASK_ASSIGNED, Kind.TASK_DUE):
        return item is not None and item.assignee_id == person.pk
    return True


def offer_item_visible(person, notification):
    """An interest's notification: while the person may see the interest (its two
    organisations); an offer's expiry: while they are of its owner."""
    item = getattr(notification, "offer_item", None)
    if item is None:
        return False
    if notification.kind == Kind.INTEREST:
        return innovation_permissions.can_see_interest(person, item)
    return innovation_permissions.can_see_offer_desk_view(person, item)
def _innovation_visible(person, notification):
    """A proposal's news while the person may see the proposal; an answer while they
    may see the challenge (`queries.attach` loads `item`)."""
    item = getattr(notification, "item", None)
    if item is None:
        return False
    if notification.event_type == "question.answered":
        return innovation_permissions.can_see_challenge(person, item)
    return innovation_permissions.can_see_proposal(person, item)


def can_see(person, notification):
    """Whether `notification` may be shown to `person` now; `queries.visible` loads
    what it is about (post__thread__community, thread, workspace, item)."""
    if notification.recipient_id != person.pk:
        return False
    if notification.kind == Kind.NEW_MATCH:
        return innovation_permissions.can_see_match(
            person, notification.event_type, notification.item_ref
        )
    if notification.workspace_id_ref is not None:
        return _workspace_item_visible(person, notification)
    if notification.kind in (Kind.INTEREST, Kind.OFFER_EXPIRY):
        return offer_item_visible(person, notification)
    if notification.kind == Kind.INNOVATION:
        return _innovation_visible(person, notification)
    if notification.kind in (Kind.DESK_DECISION, Kind.DESK_HELP):
        # The firm's challenge or offer: seen while the person may read it.
        item = getattr(notification, "item", None)
        return item is not None and innovation_permissions.can_read_draft(person, item)
    moderation = notification.kind == Kind.MODERATION
    if notification.post_id is not None:
        if moderation:
            # An outcome about a post (hidden, deleted, a report reviewed) leads to the
            # person's notices, never to the post: the thread is what it names.
            return permissions.can_read_thread(person, notification.post.thread)
        return post_visible(person, notification.post)
    if notification.thread_id is not None:
        return permissions.can_read_thread(person, notification.thread)
    if notification.kind in _ABOUT_MEMBERSHIP:
        return notification.community_id is not None
    return False
