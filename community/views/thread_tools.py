"""Views for moderators' thread and room tools (the thread page's "Moderate" menu):
lock, pin, rename, move, split, merge; a post's moderation page (hide, show again,
delete) and the marked text of a hidden post for the live pages of moderators."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from .. import permissions
from ..forms.thread_tools import (
    MergeForm,
    MoveForm,
    PostModerationForm,
    RenameForm,
    SplitForm,
)
from ..models import Thread
from ..queries import posts as post_queries
from ..queries import rooms as room_queries
from ..queries import threads as thread_queries
from ..services import moderation, thread_tools
from .addresses import thread_in_its_community
from .feedback import flash_errors, flash_form_errors
from .fetch import json_refusals

_FLAGS = {
    "lock": moderation.thread_lock,
    "unlock": moderation.thread_unlock,
    "pin": moderation.thread_pin,
    "unpin": moderation.thread_unpin,
}
# What the moderator is told, by (action, is a room): whole sentences, translated.
_DONE = {
    ("lock", False): gettext_lazy("The thread is locked: only moderators reply now."),
    ("lock", True): gettext_lazy("The room is locked: only moderators write now."),
    ("unlock", False): gettext_lazy("The thread is open to replies again."),
    ("unlock", True): gettext_lazy("The room is open to messages again."),
    ("pin", False): gettext_lazy("The thread is pinned to the top of the list."),
    ("unpin", False): gettext_lazy("The thread is no longer pinned."),
}


@login_required
@require_POST
@thread_in_its_community
def thread_moderate(request, slug, pk):
    """The Moderate menu's buttons (POST `action`: lock, unlock, pin, unpin, rename)
    for a thread or a room; back to its page with what happened."""
    thread = permissions.access_thread(request.user, pk, community_slug=slug)
    action = request.POST.get("action")
    if action == "rename":
        form = RenameForm(request.POST)
        if not form.is_valid():
            flash_form_errors(request, form)
            return redirect(thread)
        try:
            thread_tools.thread_rename(
                actor=request.user, thread=thread, title=form.cleaned_data["title"]
            )
        except ValidationError as error:
            flash_errors(request, error)
        else:
            messages.success(request, _("The new title is online."))
        return redirect(thread)
    if action not in _FLAGS or (
        action in ("pin", "unpin") and thread.kind == Thread.Kind.ROOM
    ):
        messages.error(request, _("Choose one of the menu's actions."))
        return redirect(thread)
    _FLAGS[action](actor=request.user, thread=thread)
    messages.success(request, _DONE[action, thread.kind == Thread.Kind.ROOM])
    return redirect(thread)


@login_required
@thread_in_its_community
def thread_move(request, slug, pk):
    """Move a thread or room to another community the moderator also moderates."""
    thread = permissions.access_thread(request.user, pk, community_slug=slug)
    permissions.require_move_thread(request.user, thread)
    communities = permissions.communities_to_move_to(request.user, thread)
    form = MoveForm(request.POST or None, communities=communities)
    if request.method == "POST" and form.is_valid():
        try:
            thread_tools.thread_move(
                actor=request.user,
                thread=thread,
                community=form.cleaned_data["community"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("Moved to %(community)s.") % {"community": thread.community.name},
            )
            return redirect(thread)
    return render(
        request,
        "community/thread_move.html",
        {
            "thread": thread,
            "community": thread.community,
            "form": form,
            "has_choices": communities.exists(),
        },
    )


@login_required
@thread_in_its_community
def thread_merge(request, slug, pk):
    """Merge a discussion into another one (its address, or its number)."""
    thread = permissions.access_thread(request.user, pk, community_slug=slug)
    permissions.require_merge_thread(request.user, thread)
    form = MergeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            target = permissions.access_thread(
                request.user, form.cleaned_data["target"]
            )
            target = thread_tools.thread_merge(
                actor=request.user, thread=thread, target=target
            )
        except Http404:
            form.add_error("target", _("No such thread, or you may not see it."))
        except PermissionDenied as error:
            form.add_error("target", str(error))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("The posts of “%(old)s” are now in this thread.")
                % {"old": thread.title},
            )
            return redirect(target)
    return render(
        request,
        "community/thread_merge.html",
        {
            "thread": thread,
            "community": thread.community,
            "form": form,
            # The viewer reads its community: they may see its discussions.
            "candidates": thread_queries.merge_candidates(thread),
        },
    )


@login_required
@require_POST
@thread_in_its_community
def thread_split(request, slug, pk):
    """Move the posts ticked on the thread page into a new discussion."""
    thread = permissions.access_thread(request.user, pk, community_slug=slug)
    permissions.require_split_thread(request.user, thread)
    form = SplitForm(request.POST)
    if not form.is_valid():
        flash_form_errors(request, form)
        return redirect(thread)
    try:
        new = thread_tools.thread_split(
            actor=request.user,
            thread=thread,
            post_ids=form.cleaned_data["posts"],
            title=form.cleaned_data["title"],
        )
    except ValidationError as error:
        flash_errors(request, error)
        return redirect(thread)
    messages.success(request, _("The chosen posts are now a thread of their own."))
    return redirect(new)


def _prepared(user, post):
    """`post` with the viewer's links and actions, as its page shows it."""
    if post.thread.kind == Thread.Kind.ROOM:
        room_queries.room_messages_prepare(user, post.thread, [post])
        return "community/includes/room_message.html"
    thread_queries.posts_prepare(user, post.thread, [post])
    return "community/includes/post.html"


@login_required
def post_moderate(request, pk):
    """A post's moderation page: hide it (with a reason its author reads), show it
    again, or delete it for good."""
    post = permissions.access_post(request.user, pk)
    permissions.require_moderate_post(request.user, post)
    back = post_queries.post_location_url(post)
    form = PostModerationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        action = form.cleaned_data["action"]
        reason = form.cleaned_data["reason"]
        try:
            if action == "hide":
                moderation.post_hide(actor=request.user, post=post, reason=reason)
                done = _("The post is hidden from readers.")
            elif action == "unhide":
                moderation.post_unhide(actor=request.user, post=post)
                done = _("The post is shown again.")
            else:
                thread_tools.post_remove(actor=request.user, post=post, reason=reason)
                done = _("The post was deleted; its author is told why.")
        except ValidationError as error:
            form.add_error(
                "reason" if hasattr(error, "error_dict") else None,
                error.message_dict.get("reason")
                if hasattr(error, "error_dict")
                else error,
            )
        else:
            messages.success(request, done)
            return redirect(back)
    template = _prepared(request.user, post)
    return render(
        request,
        "community/post_moderate.html",
        {
            "post": post,
            "thread": post.thread,
            "community": post.thread.community,
            "form": form,
            "post_template": template,
            "back_url": back,
        },
    )


@json_refusals
def post_marked(request, pk):
    """A hidden post as its moderators see it (the text under its "hidden by a
    moderator" mark), for the live pages: `{"html": "<li>…"}`. Anyone else: 404, as
    for a post they cannot see; the shared live fragment never holds the text."""
    post = permissions.access_post(request.user, pk)
    if not permissions.can_see_hidden_post(request.user, post):
        raise Http404("No such post.")
    template = _prepared(request.user, post)
    html = render_to_string(template, {"post": post}, request=request)
    return JsonResponse({"html": html})


urlpatterns = [
    path("c/<slug:slug>/t/<int:pk>/moderate/", thread_moderate, name="thread-moderate"),
    path("c/<slug:slug>/t/<int:pk>/move/", thread_move, name="thread-move"),
    path("c/<slug:slug>/t/<int:pk>/merge/", thread_merge, name="thread-merge"),
    path("c/<slug:slug>/t/<int:pk>/split/", thread_split, name="thread-split"),
    path("p/<int:pk>/moderate/", post_moderate, name="post-moderate"),
    path("p/<int:pk>/marked/", post_marked, name="post-marked"),
]
