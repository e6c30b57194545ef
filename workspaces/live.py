"""The workspaces app's part in the live engine: the `workspace:<id>` stream kind and
the after-commit subscriber that puts discussion posts into the activity feed.

Registered from `WorkspacesConfig.ready()`. Every authorisation reads the current
state: a participant removed or gone loses the stream at their next frame, and at
once through the revoking events of their own stream and the workspace's.
"""

import logging
import threading
from collections import OrderedDict

from django.contrib.auth import get_user_model
from django.db import transaction

from community import permissions as community_permissions
from community.models import Community, Post, Thread
from live.events import event_record, register_subscriber
from live.streams import Access, register_stream_kind
from live.wire import UNSEEN

from . import payloads, permissions

logger = logging.getLogger(__name__)

# Events of a workspace's stream after which its subscriptions are checked again.
REVOKING = ("participant.removed", "participant.left", "participant.role_changed")


class WorkspaceViewer:
    """What one socket's person may see of the workspace stream's events: the leads'
    facts (`permissions.is_leads_fact`: invitations, export requests) reach leads
    only; everyone else gets their place in the stream (`UNSEEN`). Decided when the
    subscription is authorised and again after a role change (a revoking event)."""

    __slots__ = ("sees_leads_facts",)

    def __init__(self, sees_leads_facts):
        self.sees_leads_facts = sees_leads_facts

    def annotate(self, frame, memo=None):
        if not self.sees_leads_facts and permissions.is_leads_fact(frame["type"]):
            return UNSEEN
        return None


@community_permissions.operation()
def authorize_workspace(user, pk):
    """Participants and site staff follow `workspace:<pk>`; everyone else is told
    "not found", as the pages do."""
    user = community_permissions.current_user(user)
    workspace = permissions.access_workspace(user, pk)
    access = Access((workspace.stream,))
    access.viewer = WorkspaceViewer(permissions.sees_leads_facts(user, workspace))
    return access


class _ThreadWorkspaces:
    """Which workspace a thread's posts belong to (None: not a workspace's), by
    thread id, remembered in this process: a thread never changes community. The
    least recently used entries go past `size`."""

    def __init__(self, size=4096):
        self.size = size
        self._entries = OrderedDict()
        self._lock = threading.Lock()

    def get(self, thread_id):
        with self._lock:
            if thread_id in self._entries:
                self._entries.move_to_end(thread_id)
                return True, self._entries[thread_id]
        workspace_id = (
            Thread.objects.filter(
                pk=thread_id, community__kind=Community.Kind.WORKSPACE
            )
            .values_list("community__workspace__pk", flat=True)
            .first()
        )
        with self._lock:
            self._entries[thread_id] = workspace_id
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
        return False, workspace_id

    def clear(self):
        with self._lock:
            self._entries.clear()


thread_workspaces = _ThreadWorkspaces()


def _community_kind_known(event):
    """The kind of the post's community when the writer handed the post over with its
    thread and community loaded (`event.subject`), else None."""
    post = getattr(event, "subject", None)
    if post is None or not Post.thread.is_cached(post):
        return None
    thread = post.thread
    if not Thread.community.is_cached(thread):
        return None
    return thread.community.kind


def record_comment(event):
    """After a post in a workspace's discussion committed: `comment.posted` on the
    workspace's stream, for its activity feed (ids only)."""
    if event.type != "post.created" or not event.stream.startswith("thread:"):
        return
    thread_id = int(event.stream.partition(":")[2])
    kind = _community_kind_known(event)
    if kind is not None and kind != Community.Kind.WORKSPACE:
        return  # decided from the post the writer handed over: no query
    _cached, workspace_id = thread_workspaces.get(thread_id)
    if workspace_id is None:
        return
    data = event.payload
    author_id = data.get("author") if isinstance(data.get("author"), int) else None
    with transaction.atomic():
        event_record(
            stream=f"workspace:{int(workspace_id)}",
            type="comment.posted",
            payload=payloads.comment_data(
                data.get("id"), thread_id, data.get("number")
            ),
            # The author by id: no query for a person the event already names.
            actor=get_user_model()(pk=author_id) if author_id else None,
        )


def register():
    """Plug the workspaces app into the live engine (once, from ready())."""
    register_stream_kind("workspace", authorize_workspace, revoking=REVOKING)
    register_subscriber(record_comment)
    community_permissions.register_read_only_rule(
        Community.Kind.WORKSPACE, permissions.discussion_read_only_refusal
    )
    community_permissions.register_hidden_threads_rule(
        Community.Kind.WORKSPACE, permissions.document_threads_hidden_from
    )
