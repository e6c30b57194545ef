"""Server-rendered HTML carried by live events, once per interface language."""

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation


def post_fragments(post):
    """The post's `<li>` as every viewer sees it, in each language: {"it": ..., "en": ...}.

    Room messages use the chat layout (`room_message.html`), discussions `post.html`.
    """
    from ..models import Thread
    from ..queries import post_prepare_for_everyone, room_message_prepare_for_everyone

    if post.thread.kind == Thread.Kind.ROOM:
        room_message_prepare_for_everyone(post)
        template = "community/includes/room_message.html"
    else:
        post_prepare_for_everyone(post)
        template = "community/includes/post.html"
    fragments = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            # `live`: shared by every viewer, so no CSRF token (the browser adds its own).
            fragments[code] = render_to_string(template, {"post": post, "live": True})
    return fragments
