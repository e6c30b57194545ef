"""Reads for threads: a page of a discussion, where a post lives, quotes and history."""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.paginator import Paginator
from django.urls import reverse
from django.utils.translation import gettext as _

from live.catchup import stream_head_expression

from .. import badges, permissions
from ..models import Post, Thread
from . import reactions
from .posts import attachments_load, url_pattern

__all__ = [
    "accepted_answer",
    "post_history",
    "post_quote_markdown",
    "posts_prepare_for_everyone",
    "posts_prepare",
    "merge_candidates",
    "thread_page",
    "thread_tools",
]


@dataclass(frozen=True)
class PostUrls:
    """The links one post offers, built without a `reverse()` per post."""

    permalink: str
    quote: str
    quote_markdown: str
    edit: str
    delete: str
    history: str
    report: str
    moderate: str
    react: str
    accept: str = ""


@dataclass(frozen=True)
class PostActions:
    """What the viewer may do with one post, computed once per page render."""

    quote: bool = False
    edit: bool = False
    delete: bool = False
    history: bool = False
    report: bool = False
    # Moderators: the post's moderation page, and a hidden post's text shown to them
    # with its mark (never in live fragments, which every reader shares).
    moderate: bool = False
    marked: bool = False
    # Questions: mark this reply as the accepted answer (the page only, not live
    # fragments: who may depends on the thread, not on the post).
    accept: bool = False
    react: bool = False


@dataclass(frozen=True)
class ThreadTools:
    """The moderator's tools the viewer may use on a thread or room (the page's
    "Moderate" menu); all False for everyone else. Decided without queries."""

    lock: bool = False
    pin: bool = False
    rename: bool = False
    move: bool = False
    split: bool = False
    merge: bool = False

    @property
    def any(self):
        return self.lock or self.rename or self.move


def thread_tools(user, thread):
    """What the Moderate menu of `thread`'s page offers `user`."""
    if not permissions.can_lock_thread(user, thread):
        return ThreadTools()
    discussion = thread.kind == Thread.Kind.DISCUSSION
    return ThreadTools(
        lock=True,
        pin=discussion and permissions.can_pin_thread(user, thread),
        rename=permissions.can_rename_thread(user, thread),
        move=permissions.can_move_thread(user, thread),
        split=permissions.can_split_thread(user, thread),
        merge=permissions.can_merge_thread(user, thread),
    )


def merge_candidates(thread, limit=20):
    """The discussions of `thread`'s community most recently active, but `thread`:
    the suggestions of the merge form (any other discussion may be pasted)."""
    candidates = list(
        Thread.objects.filter(
            community_id=thread.community_id, kind=Thread.Kind.DISCUSSION
        )
        .exclude(pk=thread.pk)
        .only("id", "title", "kind", "community_id")
        .order_by("-last_activity_at", "-pk")[:limit]
    )
    for candidate in candidates:
        candidate.community = thread.community  # their links, without a query each
    return candidates


# The columns a thread page reads: the post template, the viewer's actions
# (permissions) and the kept fragments' keys (`community.fragments`).
POST_PAGE_FIELDS = (
    "thread_id",
    "number",
    "attachment_count",
    "author_id",
    "body_html",
    "created_at",
    "edited_at",
    "is_deleted",
    "is_removed",
    "is_hidden",
    "hidden_reason",
    "hidden_by_id",
    "author__username",
    "author__display_name",
    "author__avatar",
    "author__is_active",
    "author__organisation_id",
    "author__organisation__slug",
    "author__organisation__name",
)


def thread_page(user, thread, page_number=1):
    """One page of a thread for `user`: posts with authors and the viewer's actions.

    Pages cut the thread by post number (30 numbers a page), the same arithmetic as
    permalinks, so a post's page never depends on who reads it. Raises
    `django.core.paginator.InvalidPage` for a page that does not exist.
    The query count does not depend on the number of posts shown.
    """
    # Posts are numbered by the thread's counter and never removed, so the counter read
    # with the thread is the last number: the page arithmetic needs no query.
    last_number = thread.post_count
    per_page = settings.POSTS_PER_PAGE
    # A range knows its length without a query; the page only gives the numbers.
    page_obj = Paginator(range(last_number), per_page).page(page_number)
    first = (page_obj.number - 1) * per_page
    head = stream_head_expression(thread.stream)
    # The stream head comes with the posts, in the same statement (one snapshot): a
    # live client subscribing from it receives everything committed after this render.
    posts = list(
        Post.objects.filter(
            thread=thread, number__gt=first, number__lte=first + per_page
        )
        .select_related("author__organisation")
        # What the page shows of posts and authors (fewer columns to convert).
        .only(*POST_PAGE_FIELDS)
        .annotate(live_seq=head)
        .order_by("number")
    )
    if posts:
        live_seq = posts[0].live_seq
    else:  # a page without posts (a thread emptied by a merge, say): ask alone
        live_seq = Thread.objects.filter(pk=thread.pk).values_list(head, flat=True).get()
    can_reply = posts_prepare(user, thread, posts)
    return {
        "thread": thread,
        "community": thread.community,
        "page_obj": page_obj,
        "posts": posts,
        "tags": list(thread.tags.all()),
        "can_reply": can_reply,
        # The composer, or the notice saying why not (`permissions.reply_state`).
        "reply_state": permissions.reply_state(user, thread),
        # Why nothing may be written here now (an archived workspace), or None.
        "read_only_notice": permissions.read_only_refusal(thread.community),
        "live_seq": live_seq,
        "tools": thread_tools(user, thread),
        "answer": accepted_answer(thread),
        "can_mark_answers": permissions.can_mark_answers(user, thread),
    }


def accepted_answer(thread):
    """The accepted answer of a question `thread` with its author, when there is one
    and it is visible (a hidden or deleted answer is not shown as the solution); one
    query, only for solved questions."""
    if not thread.is_question or thread.accepted_answer_id is None:
        return None
    post = (
        Post.objects.select_related("author")
        .filter(pk=thread.accepted_answer_id, thread=thread)
        .only(
            "id",
            "number",
            "thread_id",
            "is_deleted",
            "is_hidden",
            "author__username",
            "author__display_name",
        )
        .first()
    )
    return post if post is not None and post.is_visible_content else None


def posts_prepare(user, thread, posts):
    """Give each post of `thread` its links and the viewer's actions; no queries.

    Returns whether the viewer may reply (quoting needs it). Anything rendering
    `community/includes/post.html` (pages now, live updates later) calls this first.
    """
    permalink = url_pattern("community:post-permalink")
    quote_markdown = url_pattern("community:post-quote")
    edit = url_pattern("community:post-edit")
    delete = url_pattern("community:post-delete")
    history = url_pattern("community:post-history")
    report = url_pattern("community:post-report")
    moderate = url_pattern("community:post-moderate")
    accept = url_pattern("community:post-accept")
    accepted = thread.accepted_answer_id
    may_accept = permissions.can_mark_answers(user, thread)
    react = url_pattern("community:post-react")
    reply = reverse("community:thread-reply", args=[thread.community.slug, thread.pk])
    can_reply = permissions.can_reply(user, thread)
    badges.author_badges_attach(thread, posts)
    reactions.reactions_load(posts)
    attachments_load(posts)
    viewer_id = user.pk if user.is_authenticated else None
    for post in posts:
        # Share the thread (and its community) so permission checks query nothing.
        post.thread = thread
        post.urls = PostUrls(
            permalink=permalink.format(post.pk),
            quote=f"{reply}?quote={post.pk}#composer",
            quote_markdown=quote_markdown.format(post.pk),
            edit=edit.format(post.pk),
            delete=delete.format(post.pk),
            history=history.format(post.pk),
            report=report.format(post.pk),
            moderate=moderate.format(post.pk),
            accept=accept.format(post.pk),
            react=react.format(post.pk),
        )
        post.is_accepted_answer = post.pk == accepted and post.is_visible_content
        post.reactions = reactions.reaction_chips(post, viewer_id)
        post.actions = PostActions(
            quote=can_reply and post.is_visible_content,
            edit=permissions.can_edit_post(user, post),
            delete=permissions.can_delete_post(user, post),
            history=permissions.can_view_post_history(user, post),
            report=permissions.can_report_post(user, post),
            moderate=permissions.can_moderate_post(user, post),
            marked=permissions.can_see_hidden_post(user, post),
            accept=may_accept
            and post.pk != accepted
            and permissions.can_accept_answer(user, post),
            react=can_reply and post.is_visible_content,
        )
    return can_reply


def posts_prepare_for_everyone(thread, posts):
    """Prepare posts of `thread` for fragments shared by every viewer of a live update
    (links built once).

    Every action is rendered (each marked with `data-action`); the browser removes
    those the viewer may not take, and the server checks again on use.
    """
    posts_prepare(AnonymousUser(), thread, posts)
    for post in posts:
        post.actions = PostActions(
            quote=True,
            edit=True,
            delete=True,
            history=True,
            report=True,
            moderate=not post.is_deleted,
            react=post.is_visible_content,
        )
        # Shared by every reader: the page marks its accepted answer itself
        # (`static/js/answers.js`, from the list's `data-answer`).
        post.is_accepted_answer = False
    return posts


def post_quote_markdown(post):
    """The Markdown that quotes `post` in a reply: a credit line and `> ` lines."""
    if post.author is not None:
        credit = _("@%(username)s wrote:") % {"username": post.author.username}
    else:
        credit = _("A former member wrote:")
    quoted = "\n".join(f"> {line}".rstrip() for line in post.body.splitlines())
    return f"{credit}\n\n{quoted}\n\n"


def post_history(post):
    """Every earlier version of `post`, newest first."""
    return list(
        post.revisions.select_related("edited_by").order_by("-created_at", "-pk")
    )
