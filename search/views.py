"""The search page: `/search/?q=...`, a form that works without JavaScript."""

from django.conf import settings
from django.core.paginator import Paginator
from django.shortcuts import render

from . import query as search_query

PAGE_SIZE = getattr(settings, "SEARCH_PAGE_SIZE", 20)


def search_page(request):
    """Results of `q` the viewer may read, newest first, with marked snippets."""
    text = request.GET.get("q", "")
    query = search_query.parse(text)
    page_obj = None
    if not query.is_empty and not query.errors:
        entries = search_query.results(request.user, query)
        page_obj = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
        items = search_query.attach(page_obj.object_list)
        for item in items:
            item.title_html = search_query.highlight(item.title, query.terms)
            item.snippet = search_query.highlight(
                item.body, query.terms, search_query.SNIPPET_CHARS
            )
        page_obj.object_list = items
    return render(
        request,
        "search/results.html",
        {
            "q": query.text,
            "query": query,
            "errors": query.errors,
            "page_obj": page_obj,
            "results": page_obj.object_list if page_obj else [],
            "nav_section": "search",
        },
    )
