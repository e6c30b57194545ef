"""Server-rendered HTML carried by live events, once per interface language."""

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation


def post_fragments(post):
    """The post's `<li>` as every viewer sees it, in each language: {"it": ..., "en": ...}."""
    from ..queries import post_prepare_for_everyone

    post_prepare_for_everyone(post)
    fragments = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            fragments[code] = render_to_string(
                "community/includes/post.html", {"post": post, "live": True}
            )
    return fragments
