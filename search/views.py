"""The search page (`/search/?q=...`, a form that works without JavaScript), its
suggestions as one types in the header's box, and the people a composer may mention."""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from community import permissions
from community.ratelimit import RateLimited, rate_limit_hit

from . import mentions, registry
from . import query as search_query

PAGE_SIZE = getattr(settings, "SEARCH_PAGE_SIZE", 20)
SUGGESTIONS_PER_KIND = 3


class _CountedPaginator(Paginator):
    """A paginator told its count (the per-kind counts already read it)."""

    def __init__(self, object_list, per_page, count):
        super().__init__(object_list, per_page)
        self._known_count = count

    @cached_property
    def count(self):
        return self._known_count


def _marked(items, query):
    for item in items:
        item.title_html = search_query.highlight(item.title, query.terms)
        item.snippet = search_query.highlight(
            item.body, query.terms, search_query.SNIPPET_CHARS
        )
    return items


def _page_url(text, kind=""):
    parameters = {"q": text}
    if kind:
        parameters["type"] = kind
    return reverse("search:search") + "?" + urlencode(parameters)


@require_GET
def search_page(request):
    """Results of `q` the viewer may read, title matches first then the newest, a tab
    per kind with its count (`type` picks one), marked snippets, pages."""
    text = request.GET.get("q", "")
    query = search_query.parse(text)
    tab = request.GET.get("type", "")
    if tab not in registry.kinds():
        tab = ""
    page_obj = None
    counts = {}
    if not query.is_empty and not query.errors:
        entries = search_query.results(request.user, query)
        counts = search_query.counts(entries)
        if tab:
            entries = entries.filter(kind=tab)
        total = counts.get(tab, 0) if tab else sum(counts.values())
        paginator = _CountedPaginator(
            search_query.ranked(entries, query), PAGE_SIZE, total
        )
        page_obj = paginator.get_page(request.GET.get("page"))
        page_obj.object_list = _marked(search_query.attach(page_obj.object_list), query)
    tabs = []
    if page_obj is not None:
        tabs.append(
            {
                "kind": "",
                "label": _("All"),
                "count": sum(counts.values()),
                "url": _page_url(query.text),
                "current": not tab,
            }
        )
        tabs += [
            {
                "kind": kind,
                "label": registry.kind_label(kind),
                "count": counts.get(kind, 0),
                "url": _page_url(query.text, kind),
                "current": kind == tab,
            }
            for kind in registry.kinds()
            if counts.get(kind) or kind == tab
        ]
    return render(
        request,
        "search/results.html",
        {
            "q": query.text,
            "query": query,
            "errors": query.errors,
            "page_obj": page_obj,
            "results": page_obj.object_list if page_obj else [],
            "tabs": tabs,
            "tab": tab,
            "tab_label": registry.kind_label(tab) if tab else "",
            "nav_section": "search",
        },
    )


@require_GET
def suggestions(request):
    """JSON for the header's box: the first few results of each kind the viewer may
    read (titles as plain text; the page escapes them), and the results page's
    address. An empty or malformed query suggests nothing."""
    text = request.GET.get("q", "")
    query = search_query.parse(text)
    groups = []
    if query.terms and not query.errors:
        entries = search_query.results(request.user, query)
        top = search_query.attach(
            search_query.top_of_each_kind(entries, query, SUGGESTIONS_PER_KIND)
        )
        for kind in registry.kinds():
            items = [entry for entry in top if entry.kind == kind]
            if items:
                groups.append(
                    {
                        "kind": kind,
                        "label": str(registry.kind_label(kind)),
                        "items": [
                            {
                                "title": item.title,
                                "url": item.url,
                                "context": str(getattr(item, "context", "")),
                            }
                            for item in items
                        ],
                    }
                )
    return JsonResponse(
        {"q": query.text, "groups": groups, "all": _page_url(query.text)}
    )


def _mention_scope(request):
    """The community whose readers may be mentioned and the thread (`thread`), or the
    community alone (`community`, for a thread not started yet); 404 when the viewer
    may not see it, 403 when they may see but not read it."""
    thread_id = request.GET.get("thread", "")
    if thread_id:
        if not thread_id.isdigit():
            raise Http404("No such thread.")
        thread = permissions.access_thread(request.user, int(thread_id))
        return thread.community, thread
    slug = request.GET.get("community", "")
    if slug:
        return permissions.access_community(request.user, slug, action="read"), None
    raise Http404("No thread or community.")


@require_GET
def mention_candidates(request):
    """JSON: at most 8 people who may read the thread (or community) named, whose
    username or name starts with `q`; for signed-in people who may read it
    themselves. Rate-limited ("mentions")."""
    community, thread = _mention_scope(request)
    if not request.user.is_authenticated:
        raise PermissionDenied
    try:
        rate_limit_hit(request.user, "mentions")
    except RateLimited as error:
        response = JsonResponse({"error": error.messages[0]}, status=429)
        response["Retry-After"] = str(error.retry_after or 60)
        return response
    people = mentions.candidates(
        community, request.GET.get("q", ""), thread=thread, exclude=request.user
    )
    return JsonResponse(
        {
            "people": [
                {
                    "username": person.username,
                    "name": person.name,
                    "initials": person.initials,
                    "avatar": (
                        reverse("community:avatar", args=[person.username])
                        + f"?v={person.avatar_version}"
                        if person.avatar
                        else ""
                    ),
                }
                for person in people
            ]
        }
    )
