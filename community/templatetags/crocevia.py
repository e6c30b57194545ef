"""Template helpers: query-string editing, permission questions, people's names and
avatars rendered once per page."""

from django import template

from .. import fragments, permissions
from ..models import ALLOWED_EMOJI, QUICK_EMOJI

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


def _rendered_once(context, template_name, key, shown=None, **values):
    """`{% include template_name with values %}`, rendered once per page for `key`.

    The cache lives in the render context of the whole page (where `{% include %}`
    keeps its own), so it ends with the render. With `shown` (a function returning
    everything the template shows of `values`; it then reads nothing else of the
    page), the fragment is also
    kept across pages and events (`fragments.kept`): a post's live fragment, rendered
    on its own, names its author without rendering them again.
    """
    cache = context.render_context.dicts[0].setdefault(_rendered_once, {})
    html = cache.get((template_name, key))
    if html is None:
        if shown is not None:
            html = fragments.kept(template_name, shown(), values)
        else:
            template = context.template.engine.get_template(template_name)
            with context.push(**values):
                html = template.render(context)
        cache[(template_name, key)] = html
    return html


@register.simple_tag(takes_context=True)
def person(context, person, avatar_size=""):
    """`{% person post.author %}`: includes/person.html (name and organisation links),
    rendered once per person and page: a thread page names the same few people on
    every post. `{% person thread.author "xs" %}` shows their avatar in the link too,
    where nothing beside the name shows it already."""
    key = (person.pk if person is not None else None, avatar_size)
    return _rendered_once(
        context,
        "includes/person.html",
        key,
        lambda: [avatar_size, *fragments.person_shown(person)],
        person=person,
        avatar_size=avatar_size,
    )


@register.simple_tag
def thread_row(thread, show_community=False):
    """`{% thread_row thread %}`: the thread's row in lists, kept across requests
    (`community.fragments`)."""
    return fragments.thread_row(thread, show_community=show_community)


@register.simple_tag(takes_context=True)
def pagination(context, page_obj):
    """`{% pagination page_obj %}`: includes/pagination.html, rendered once per page
    however often the page shows it (above and below a thread's posts)."""
    return _rendered_once(
        context, "includes/pagination.html", page_obj.number, page_obj=page_obj
    )


@register.simple_tag(takes_context=True)
def avatar(context, person, size="md"):
    """`{% avatar post.author "md" %}`: includes/avatar.html, once per person, size
    and page."""
    return _rendered_once(
        context,
        "includes/avatar.html",
        (person.pk, size),
        lambda: [size, *fragments.person_shown(person)],
        person=person,
        size=size,
    )


@register.simple_tag
def reaction_emoji(which="all"):
    """The quick reactions (`"quick"`) or every one offered (`community.models.
    reactions`), for the reaction bar and its picker."""
    return QUICK_EMOJI if which == "quick" else ALLOWED_EMOJI
