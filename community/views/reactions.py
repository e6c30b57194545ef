"""Reacting to a post or room message: a toggle from its bar, and the full picker as a
page (for browsers without JavaScript)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import path
from django.views.decorators.http import require_http_methods

from .. import permissions
from ..models import ALLOWED_EMOJI, QUICK_EMOJI, Thread
from ..queries import posts as post_queries
from ..queries import rooms as room_queries
from ..queries import threads as thread_queries
from ..ratelimit import RateLimited
from ..services import reactions
from .feedback import too_many, with_retry_after
from .fetch import json_refusals


def _wants_json(request):
    return request.headers.get("X-Requested-With") == "fetch"


def _bar(request, post):
    """The post's reaction bar as `request`'s reader sees it now."""
    post = permissions.access_post(request.user, post.pk)  # as it is now
    thread = post.thread
    if thread.kind == Thread.Kind.ROOM:
        room_queries.room_messages_prepare(request.user, thread, [post])
    else:
        thread_queries.posts_prepare(request.user, thread, [post])
    return render_to_string(
        "community/includes/reactions.html", {"post": post}, request=request
    )


@login_required
@require_http_methods(["GET", "POST"])
def post_react(request, pk):
    """GET: every reaction offered for the post, as buttons (the picker without
    JavaScript). POST `emoji`: add it, or take it back when it is there; then back
    to the post, or for the page's script `{"added", "html"}` (the bar for this
    reader) and refusals as `{"error"}` (404, 403, 400, 429 with `Retry-After`)."""
    if _wants_json(request):
        return json_refusals(_post_react)(request, pk)
    return _post_react(request, pk)


def _post_react(request, pk):
    post = permissions.access_post(request.user, pk)
    back = post_queries.post_location_url(post)
    if request.method == "GET":
        permissions.require_react_post(request.user, post)
        return render(
            request,
            "community/post_react.html",
            {
                "post": post,
                "thread": post.thread,
                "community": post.thread.community,
                "quick": QUICK_EMOJI,
                "others": ALLOWED_EMOJI[len(QUICK_EMOJI) :],
                "back_url": back,
            },
        )
    try:
        added = reactions.reaction_toggle(
            actor=request.user, post=post, emoji=request.POST.get("emoji", "")
        )
    except ValidationError as error:
        message = " ".join(error.messages)
        if _wants_json(request):
            status = 429 if isinstance(error, RateLimited) else 400
            return with_retry_after(
                JsonResponse({"error": message}, status=status), error
            )
        if isinstance(error, RateLimited):
            return too_many(request, error, back)
        messages.error(request, message)
        return redirect(back)
    if _wants_json(request):
        return JsonResponse({"added": added, "html": _bar(request, post)})
    return redirect(back)


urlpatterns = [
    path("p/<int:pk>/react/", post_react, name="post-react"),
]
