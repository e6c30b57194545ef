"""Thread addresses: a thread asked for under another community's slug moves home, and
a merged thread's address leads to the thread that took its posts."""

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse

from .. import permissions


def thread_in_its_community(view):
    """Redirect `view(request, slug, pk)` to the same page under the thread's own
    community when the URL names another one (an old link, a typo).

    Only a 404 from the view is looked at again, and only a thread the viewer may
    read moves: missing, invisible and unreadable threads keep their 404, so the
    answer never reveals that a private community exists. GET and HEAD get a 302 (the
    answer depends on who asks, so it must not be cached); other methods a 307, which
    resends the form, so a reply posted to an old address is not lost.
    """

    @wraps(view)
    def wrapper(request, slug, pk, **kwargs):
        try:
            return view(request, slug=slug, pk=pk, **kwargs)
        except Http404 as missing:
            not_found = missing
        try:
            thread = permissions.access_thread(request.user, pk)
        except (Http404, PermissionDenied):
            thread = None
        if thread is None and request.method in ("GET", "HEAD"):
            # A merged thread's pages lead to the thread that took its posts.
            try:
                merged_into = permissions.access_merged_thread(request.user, pk)
            except (Http404, PermissionDenied):
                merged_into = None
            if merged_into is not None:
                return redirect(merged_into)
        if thread is None or thread.community.slug == slug:
            raise not_found
        match = request.resolver_match
        url = reverse(
            match.view_name, kwargs={**match.kwargs, "slug": thread.community.slug}
        )
        if query := request.META.get("QUERY_STRING"):
            url = f"{url}?{query}"
        return redirect(url, preserve_request=request.method not in ("GET", "HEAD"))

    return wrapper
