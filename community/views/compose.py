"""The composer's helpers for composer.js: the Markdown preview, drafts kept per
thread or room, and editing a post in place (JSON; the edit page stays for pages
without scripts)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.urls import path
from django.views.decorators.http import require_http_methods, require_POST

from .. import permissions
from ..queries import drafts as draft_queries
from ..services import drafts as draft_services
from ..services import threads as thread_services
from .fetch import json_refusals


def _refused(error):
    """A service's ValidationError as the scripts' JSON: 429 with `Retry-After` for a
    rate limit, else 400."""
    response = JsonResponse({"error": " ".join(error.messages)}, status=400)
    retry_after = getattr(error, "retry_after", None)
    if retry_after is not None:
        response.status_code = 429
        response["Retry-After"] = str(retry_after)
    return response


@require_POST
@json_refusals
def composer_preview(request):
    """`{"html": ...}`: the body as the post would show it, rendered by the posts'
    own renderer, or `{"error": ...}` for what posting would refuse. `thread` (an id)
    or `community` (a slug) names where it will be posted, for its watched words."""
    permissions.require_composer(request.user)
    community = None
    thread_id = request.POST.get("thread", "")
    slug = request.POST.get("community", "")
    if thread_id.isdigit():
        community = permissions.access_thread(request.user, int(thread_id)).community
    elif slug:
        community = permissions.access_community(request.user, slug, action="read")
    try:
        html = thread_services.post_preview(
            actor=request.user, body=request.POST.get("body", ""), community=community
        )
    except ValidationError as error:
        return _refused(error)
    return JsonResponse({"html": html})


@require_http_methods(["GET", "POST"])
@json_refusals
def thread_draft(request, pk):
    """GET `{"body": ...}`: the reader's draft in a thread or room ("" for none);
    POST `body` keeps it (blank removes it): `{"saved": true}` or `{"error": ...}`."""
    permissions.require_composer(request.user)
    thread = permissions.access_thread(request.user, pk)
    if request.method == "GET":
        return JsonResponse({"body": draft_queries.draft_body(request.user, thread)})
    try:
        draft_services.draft_save(
            actor=request.user, thread=thread, body=request.POST.get("body", "")
        )
    except ValidationError as error:
        return _refused(error)
    return JsonResponse({"saved": True})


@require_http_methods(["GET", "POST"])
@json_refusals
def post_edit_inline(request, pk):
    """Edit a post in place. GET `{"body": ...}`: its Markdown source; POST `body`:
    `{"html": ...}` (the new body as shown) or `{"error": ...}`. The edit page's
    service: the earlier version goes to the history and `post.edited` goes live."""
    permissions.require_composer(request.user)
    post = permissions.access_post(request.user, pk)
    permissions.require_edit_post(request.user, post)
    if request.method == "GET":
        return JsonResponse(
            {"body": post.body, "max_length": settings.POST_BODY_MAX_LENGTH}
        )
    try:
        post = thread_services.post_edit(
            actor=request.user, post=post, body=request.POST.get("body", "")
        )
    except ValidationError as error:
        return _refused(error)
    return JsonResponse({"html": post.body_html})


urlpatterns = [
    path("compose/preview/", composer_preview, name="composer-preview"),
    path("t/<int:pk>/draft/", thread_draft, name="thread-draft"),
    path("p/<int:pk>/edit/inline/", post_edit_inline, name="post-edit-inline"),
]
