"""Template helpers: query-string editing and permission questions for templates."""

from django import template

from .. import permissions

register = template.Library()


@register.simple_tag(takes_context=True)
def query_replace(context, **changes):
    """The current query string with some parameters replaced (for pagination links)."""
    query = context["request"].GET.copy()
    for key, value in changes.items():
        query[key] = value
    return query.urlencode()


@register.simple_tag
def page_numbers(page_obj):
    """Page numbers around the current page, with "…" for the gaps (long threads)."""
    return page_obj.paginator.get_elided_page_range(
        page_obj.number, on_each_side=2, on_ends=1
    )


@register.simple_tag(takes_context=True)
def can(context, rule, obj=None):
    """`{% can "edit_post" post as allowed %}`: ask permissions.can_<rule>(user, obj)."""
    check = getattr(permissions, f"can_{rule}")
    user = context["request"].user
    return check(user, obj) if obj is not None else check(user)
