"""Where posts live: page numbers, permalinks' targets, link patterns (threads and
rooms share these)."""

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

from .. import permissions
from ..models import Attachment, Thread

__all__ = [
    "ROOM_PAGE_SIZE",
    "attachments_load",
    "post_actions",
    "post_location_url",
    "post_page_number",
    "room_message_url",
]

# The latest messages a room page shows, and each "load older" step.
ROOM_PAGE_SIZE = 50

# Reversed once per page with this id, then filled in per post: `reverse()` for every
# link of every post is a fifth of the page's render time.
_SENTINEL = 9_876_543_210
# Patterns with arguments (a community's slug) vary: keep at most this many.
_PATTERNS_KEPT = 2048
_patterns = {}


def url_pattern(name, *args):
    """The address of `name` with `args` and a last argument left as `{}`: reversed
    once per process, URL configuration and script prefix (a page asks for the same
    few on every request)."""
    key = (name, args, get_urlconf(), get_script_prefix())
    pattern = _patterns.get(key)
    if pattern is None:
        pattern = reverse(name, args=[*args, _SENTINEL]).replace(str(_SENTINEL), "{}")
        if len(_patterns) < _PATTERNS_KEPT:
            _patterns[key] = pattern
    return pattern


def post_page_number(post):
    """The page of its thread a post is shown on (post numbers are never reused)."""
    return (post.number - 1) // settings.POSTS_PER_PAGE + 1


def post_location_url(post, thread=None):
    """The thread page showing `post`, with its anchor: where permalinks lead."""
    thread = thread or post.thread
    if thread.kind == Thread.Kind.ROOM:
        return room_message_url(post, thread)
    url = reverse("community:thread-detail", args=[thread.community.slug, thread.pk])
    page = post_page_number(post)
    if page > 1:
        url += f"?page={page}"
    return f"{url}#{post.anchor}"


def room_message_url(post, thread=None):
    """The room page showing `post`, at its anchor (an older page if need be)."""
    thread = thread or post.thread
    url = thread.get_absolute_url()
    if post.number <= thread.post_count - ROOM_PAGE_SIZE:
        url += f"?before={post.number + 1}"
    return f"{url}#{post.anchor}"


def post_actions(user, post, *, promoted=False):
    """The names of the actions `user` may take on `post`: what a page renders for
    them and what live updates tell their socket (one rule for both).

    Discussions offer quote, edit, delete, history and report; moderators also
    moderate and, on hidden posts, restore; rooms edit, delete,
    history, report and promote (not for a message that already continues in a thread: `promoted`).
    `post.thread` and its community must be loaded.
    """
    names = set()
    if post.thread.kind == Thread.Kind.ROOM:
        if not promoted and permissions.can_promote_post(user, post):
            names.add("promote")
    elif permissions.can_quote_post(user, post):
        names.add("quote")
    if permissions.can_edit_post(user, post):
        names.add("edit")
    if permissions.can_delete_post(user, post):
        names.add("delete")
    if permissions.can_view_post_history(user, post):
        names.add("history")
    if permissions.can_report_post(user, post):
        names.add("report")
    if permissions.can_moderate_post(user, post):
        names.add("moderate")
    # A hidden post's text with its mark: the live page fetches it for this viewer
    # (`community:post-marked`), since the fragment every reader shares never has it.
    if permissions.can_see_hidden_post(user, post):
        names.add("restore")
    if permissions.can_react_post(user, post):
        names.add("react")
    return names


def attachments_load(posts):
    """Give each of `posts` its `attachment_list` (the files sent with it, in order):
    one query for the posts that have any and were not given theirs when written,
    none when no post shown has files. Pages and live fragments show them, and
    `templates/community/includes/attachments.html` decides what a reader sees of a
    deleted or hidden post's files (nothing)."""
    wanted = {}
    for post in posts:
        if hasattr(post, "attachment_list"):
            continue
        post.attachment_list = []
        if post.attachment_count and not post.is_deleted:
            wanted[post.pk] = post
    if not wanted:
        return posts
    rows = Attachment.objects.filter(post_id__in=wanted).order_by("pk").defer(
        "sha256", "file", "thumbnail"
    )
    for row in rows:
        wanted[row.post_id].attachment_list.append(row)
    return posts


def attachments_pending(user, where, ids):
    """`user`'s own uploads among `ids` still waiting to be sent for `where` (a
    Thread, or the Community of a new thread), in the order given: what a composer
    shown again after a refusal still holds. Anyone else's, sent or gone are left
    out."""
    if not user.is_authenticated or not ids:
        return []
    rows = (
        Attachment.objects.made_for(where)
        .filter(pk__in=ids, uploaded_by=user, post__isnull=True)
        .defer("sha256", "file", "thumbnail")
    )
    by_pk = {row.pk: row for row in rows}
    return [by_pk[pk] for pk in dict.fromkeys(ids) if pk in by_pk]
