"""The notifications page, opening one (marks it read), marking all read, and the
bell's unread count as JSON."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from live.events import stream_name

from . import queries, services
from .models import Notification

PER_PAGE = 20


def target_url(notification):
    """Where a notification leads: the exact post, else the community (a moderation
    outcome about membership: the person's notices from the moderators)."""
    if notification.workspace_id_ref is not None:
        return notification.workspace.get_absolute_url()
    if notification.post_id is not None:
        return notification.post.get_absolute_url()
    if notification.kind == Notification.Kind.MODERATION:
        return reverse("community:my-moderation")
    return notification.community.get_absolute_url()


@login_required
@require_GET
def notification_list(request):
    """Mine, newest first, 20 a page; `?show=unread` and `?kind=<kind>` filter. Those
    whose target I may no longer see are left out (checked now)."""
    show = "unread" if request.GET.get("show") == "unread" else "all"
    kind = request.GET.get("kind", "")
    if kind not in Notification.Kind.values:
        kind = ""
    rows = queries.notifications_of(
        request.user, unread_only=show == "unread", kind=kind
    )
    page_obj = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    items = queries.visible(request.user, page_obj.object_list)
    for item in items:
        item.url = reverse("notifications:open", args=[item.pk])
    return render(
        request,
        "notifications/notification_list.html",
        {
            "page_obj": page_obj,
            "notifications": items,
            "show": show,
            "kind": kind,
            "kinds": Notification.Kind.choices,
            "nav_section": "notifications",
        },
    )


@login_required
@require_GET
def notification_open(request, pk):
    """Mark one of mine read and go to what it is about (404 for anyone else's, or
    when I may no longer see its target)."""
    notification = queries.notification_for(request.user, pk)
    if notification is None:
        raise Http404("No such notification.")
    services.notification_mark_read(actor=request.user, notification=notification)
    return redirect(target_url(notification))


@login_required
@require_POST
def notifications_read_all(request):
    services.notifications_mark_all_read(actor=request.user)
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = reverse("notifications:list")
    return redirect(back)


@login_required
@require_GET
def notification_count(request):
    """The bell's figure, and the stream that tells when it changes."""
    return JsonResponse(
        {
            "unread": queries.unread_count(request.user),
            "stream": stream_name("user", request.user.pk),
        }
    )


urlpatterns = [
    path("", notification_list, name="list"),
    path("<int:pk>/", notification_open, name="open"),
    path("read-all/", notifications_read_all, name="read-all"),
    path("count/", notification_count, name="count"),
]
