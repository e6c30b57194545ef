"""The notifications page, the bell's dropdown (a fragment), opening one (marks it
read), marking one or all read, and the bell's unread count as JSON."""

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
Kind = Notification.Kind


def _back(request, default):
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = default
    return back


@login_required
@require_GET
def notification_list(request):
    """Mine, latest news first, 20 a page; `?show=unread` and `?group=<group>` filter.
    Those whose target I may no longer see are left out (checked now)."""
    show = "unread" if request.GET.get("show") == "unread" else "all"
    group = request.GET.get("group", "")
    if group not in queries.GROUPS:
        group = ""
    rows = queries.notifications_of(
        request.user, unread_only=show == "unread", group=group
    )
    page_obj = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/notification_list.html",
        {
            "page_obj": page_obj,
            "notifications": queries.visible(request.user, page_obj.object_list),
            "show": show,
            "group": group,
            "groups": [
                (name, label) for name, (_kinds, label) in queries.GROUPS.items()
            ],
            "nav_section": "notifications",
        },
    )


@login_required
@require_GET
def notification_latest(request):
    """The bell's dropdown: my latest notifications, a fragment the script shows."""
    return render(
        request,
        "notifications/includes/latest.html",
        {"notifications": queries.latest(request.user)},
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
    return redirect(queries.target_url(notification))


@login_required
@require_POST
def notification_read(request, pk):
    """Mark one of mine read without opening it; back where I was."""
    notification = Notification.objects.filter(pk=pk, recipient=request.user).first()
    if notification is None:
        raise Http404("No such notification.")
    services.notification_mark_read(actor=request.user, notification=notification)
    return redirect(_back(request, reverse("notifications:list")))


@login_required
@require_POST
def notifications_read_all(request):
    services.notifications_mark_all_read(actor=request.user)
    return redirect(_back(request, reverse("notifications:list")))


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
    path("latest/", notification_latest, name="latest"),
    path("<int:pk>/", notification_open, name="open"),
    path("<int:pk>/read/", notification_read, name="read"),
    path("read-all/", notifications_read_all, name="read-all"),
    path("count/", notification_count, name="count"),
]
