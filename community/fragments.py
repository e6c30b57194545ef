"""Rendered posts kept across requests and events, in this process.

Rendering a post through its template is most of what a thread page costs (a few
hundred microseconds a post, thirty posts a page). A post's `<li>` depends only on what
it shows: the post and its author (text, flags, times, names, avatar), the reader's
language and time zone, and what the reader may do with it (its actions and their
links). A fragment is kept under a digest of exactly these, so a post or author that
changed gets a new key and nothing has to be invalidated; a fragment no longer asked
for leaves with the least recently used. Times are written absolute (the page's script
says recent ones relative to now), so a kept fragment does not age. The one part that
differs per request, the delete form's CSRF token, is written as a slot and filled in
when the page is put together.
"""

import hashlib
import secrets
import threading
from collections import OrderedDict

from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import mark_safe

# What a form's CSRF token is rendered as in a kept fragment: random for each process
# (kept fragments are), so no post's text can contain it.
CSRF_SLOT = f"csrf-slot-{secrets.token_hex(16)}"


class FragmentCache:
    """Rendered fragments by key, the least recently used going past `size`.
    Thread-safe: daphne's HTTP threads and the live hub share it."""

    def __init__(self, size):
        self.size = size
        self._entries = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            fragment = self._entries.get(key)
            if fragment is not None:
                self._entries.move_to_end(key)
            return fragment

    def put(self, key, fragment):
        with self._lock:
            self._entries[key] = fragment
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def clear(self):
        with self._lock:
            self._entries.clear()

    def __len__(self):
        return len(self._entries)


# Pages of posts as their readers see them: a few hundred readers' variants of the
# posts being read (about 2 KB each).
page_fragments = FragmentCache(size=4096)


def _page_key(post, template, language, zone, extra):
    """A digest of everything `template` shows of `post` for one kind of reader."""
    author = post.author
    shown = [
        template,
        language,
        zone,
        sorted(extra.items()),
        post.pk,
        post.number,
        post.created_at.isoformat(),
        post.edited_at.isoformat() if post.edited_at else "",
        post.is_deleted,
        post.is_removed,
        post.is_hidden,
        post.hidden_by_id is None,
        post.hidden_reason,
        post.body_html,
        repr(post.actions),
        repr(post.urls),
    ]
    if author is not None:
        organisation = author.organisation
        shown += [
            author.pk,
            author.username,
            author.name,
            author.avatar.name or "",
            author.organisation_id or "",
            organisation.slug if organisation is not None else "",
            organisation.name if organisation is not None else "",
        ]
    return hashlib.blake2b(
        "\x1f".join(map(str, shown)).encode(), digest_size=16
    ).digest()


def page_posts(request, posts, template="community/includes/post.html", **extra):
    """The `<li>` of each of `posts` (prepared: `urls` and `actions` given) as
    `request`'s reader sees it, each rendered at most once per variant. `extra`:
    the page's own values the template reads (the same for every post)."""
    language = translation.get_language()
    zone = timezone.get_current_timezone_name()
    token = None
    shown = []
    for post in posts:
        key = _page_key(post, template, language, zone, extra)
        html = page_fragments.get(key)
        if html is None:
            html = render_to_string(
                template, {"post": post, "csrf_token": CSRF_SLOT, **extra}
            )
            page_fragments.put(key, html)
        if CSRF_SLOT in html:
            token = token or get_token(request)
            html = html.replace(CSRF_SLOT, token)
        shown.append(mark_safe(html))
    return shown
