"""Views for unread tracking and notification levels: the Unread view and its
dismissals, "mark read" for a community, a thread's live read marks, the level
selectors' forms, and the link to a post by its number ("jump to first unread")."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import InvalidPage
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import permissions
from ..models import NotificationLevel, Thread
from ..queries import posts
from ..queries import unread as unread_queries
from ..services import levels, reading
from .addresses import thread_in_its_community
from .feedback import flash_errors, is_fetch, reading_recorded, safe_next


@login_required
def unread_list(request):
    """The threads and rooms with posts the person has not read, across all their
    communities and workspaces; its script asks for the list alone (`X-Requested-With:
    fetch` -> `{"html", "count"}`) when one of them changes."""
    try:
        context = unread_queries.unread_page(request.user, request.GET.get("page") or 1)
    except InvalidPage as error:
        raise Http404(_("No such page.")) from error
    context["nav_section"] = "unread"
    if is_fetch(request):
        html = render_to_string(
            "community/includes/unread_rows.html", context, request=request
        )
        return JsonResponse({"html": html, "count": context["page_obj"].paginator.count})
    return render(request, "community/unread_list.html", context)


@login_required
@require_POST
def unread_dismiss(request):
    """Dismiss one row of the Unread view (`thread`: read up to now) or all of them."""
    if request.POST.get("all"):
        reading.threads_mark_read(
            user=request.user, threads=unread_queries.unread_threads(request.user)
        )
        message = _("Everything is marked as read.")
    else:
        pk = request.POST.get("thread", "")
        if not pk.isdigit():
            raise Http404(_("No such thread."))
        thread = permissions.access_thread(request.user, int(pk))
        reading.threads_mark_read(
            user=request.user,
            threads=unread_queries.unread_threads(request.user).filter(pk=thread.pk),
        )
        message = _("“%(title)s” is marked as read.") % {"title": thread.title}
    if is_fetch(request):
        return HttpResponse(status=204)
    messages.success(request, message)
    return redirect(safe_next(request, reverse("community:unread")))


@login_required
@require_POST
@thread_in_its_community
def thread_read(request, slug, pk):
    """Record how far the reader has read a discussion (thread_live.js, while new
    posts arrive on a visible page): the rooms' `read_mark`."""
    thread = permissions.access_thread(request.user, pk, community_slug=slug)
    return reading_recorded(
        request,
        thread,
        lambda number: reading.read_mark(user=request.user, thread=thread, number=number),
        _("The thread is marked as read."),
    )


@thread_in_its_community
def thread_post_number(request, slug, pk, number):
    """The post numbered `number` of a discussion, at its page and anchor (the "jump
    to first unread" link); a number past the end leads to the last post."""
    thread = permissions.access_thread(request.user, pk, community_slug=slug)
    post = unread_queries.post_numbered(thread, number)
    if post is None:
        return redirect(thread)
    return redirect(posts.post_location_url(post, thread))


def level_answer(request, act, level, back):
    """Run the level service `act()`; answer level_selector.js with JSON (the level's
    label, or the refusal), and forms with a message and a redirect to `back`."""
    try:
        act()
    except ValidationError as error:
        if is_fetch(request):
            return JsonResponse({"error": " ".join(error.messages)}, status=400)
        flash_errors(request, error)
    else:
        if is_fetch(request):
            label = NotificationLevel(level).label
            return JsonResponse({"level": level, "label": str(label)})
        messages.success(request, unread_queries.level_message(level))
    return redirect(safe_next(request, back))


@login_required
@require_POST
def thread_level(request, pk):
    """Choose how closely to follow a thread or room (the selector on its page)."""
    thread = permissions.access_thread(request.user, pk)
    level = request.POST.get("level", "")
    if thread.kind == Thread.Kind.ROOM:
        act = lambda: levels.room_level_set(  # noqa: E731
            actor=request.user, room=thread, level=level
        )
    else:
        act = lambda: levels.thread_level_set(  # noqa: E731
            actor=request.user, thread=thread, level=level
        )
    return level_answer(request, act, level, thread.get_absolute_url())


@login_required
@require_POST
def community_level(request, slug):
    """Choose how closely to follow a community (the selector on its page)."""
    community = permissions.access_community(request.user, slug, action="read")
    level = request.POST.get("level", "")
    return level_answer(
        request,
        lambda: levels.community_level_set(
            actor=request.user, community=community, level=level
        ),
        level,
        community.get_absolute_url(),
    )


@login_required
@require_POST
def community_read(request, slug):
    """Mark every thread and room of a community read up to now."""
    community = permissions.access_community(request.user, slug, action="read")
    reading.community_mark_read(actor=request.user, community=community)
    messages.success(
        request,
        _("Everything in %(name)s is marked as read.") % {"name": community.name},
    )
    return redirect(safe_next(request, community.get_absolute_url()))


urlpatterns = [
    path("unread/", unread_list, name="unread"),
    path("unread/dismiss/", unread_dismiss, name="unread-dismiss"),
    path("c/<slug:slug>/t/<int:pk>/read/", thread_read, name="thread-read"),
    path(
        "c/<slug:slug>/t/<int:pk>/n/<int:number>/",
        thread_post_number,
        name="thread-post-number",
    ),
    path("t/<int:pk>/level/", thread_level, name="thread-level"),
    path("c/<slug:slug>/level/", community_level, name="community-level"),
    path("c/<slug:slug>/read/", community_read, name="community-read"),
]
