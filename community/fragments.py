"""Rendered fragments kept across requests and events, in this process.

Rendering a post through its template is most of what a thread page costs (a few
hundred microseconds a post, thirty posts a page); thread rows are most of the home
page. A fragment depends only on what it shows: for a post, the post and its author
(text, flags, times, names, avatar), the reader's language and time zone, and what the
reader may do with it (its actions and their links). A fragment is kept under a digest
of exactly these, so a post or person that changed gets a new key and nothing has to be
invalidated; a fragment no longer asked for leaves with the least recently used. Times
are written absolute (static/js/times.js says recent ones relative to now), so a kept
fragment does not age. What differs per request (a form's CSRF token, a blank
composer's fresh client id) is written as a slot and filled in when the page is put
together. A template that starts showing something new must add it to its digest.
"""

import hashlib
import secrets
import threading
import uuid
from collections import OrderedDict

from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import mark_safe

# What a form's CSRF token is rendered as in a kept fragment: random for each process
# (kept fragments are), so no post's text can contain it.
CSRF_SLOT = f"csrf-slot-{secrets.token_hex(16)}"
# What a blank form's fresh `client_id` is rendered as (random for each process too).
CLIENT_ID_SLOT = uuid.uuid4()


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


# Fragments of pages as their readers see them: a few hundred readers' variants of the
# posts and thread rows being read (about 2 KB each).
page_fragments = FragmentCache(size=4096)


def person_shown(person):
    """What a fragment shows of a person (name, avatar, organisation)."""
    if person is None:
        return []
    organisation = person.organisation
    return [
        person.pk,
        person.username,
        person.name,
        person.avatar.name or "",
        person.organisation_id or "",
        organisation.slug if organisation is not None else "",
        organisation.name if organisation is not None else "",
    ]


def kept(template, shown, context):
    """`template` rendered with `context`, kept under a digest of `shown` (everything
    it shows) with the reader's language and time zone."""
    key = hashlib.blake2b(
        "\x1f".join(
            map(
                str,
                [
                    template,
                    translation.get_language(),
                    timezone.get_current_timezone_name(),
                    *shown,
                ],
            )
        ).encode(),
        digest_size=16,
    ).digest()
    html = page_fragments.get(key)
    if html is None:
        html = render_to_string(template, {"csrf_token": CSRF_SLOT, **context})
        page_fragments.put(key, html)
    return html


def _post_shown(post, extra):
    """Everything the post template shows of `post` for one kind of reader."""
    return [
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
        *person_shown(post.author),
        str(getattr(post, "author_badge", "")),
        getattr(post, "is_accepted_answer", False),
        repr(getattr(post, "reactions", ())),
        # Its files (`queries.posts.attachments_load`), fixed once sent.
        [attachment.pk for attachment in getattr(post, "attachment_list", ())],
    ]


def page_posts(request, posts, template="community/includes/post.html", **extra):
    """The `<li>` of each of `posts` (prepared: `urls` and `actions` given) as
    `request`'s reader sees it, each rendered at most once per variant. `extra`:
    the page's own values the template reads (the same for every post)."""
    token = None
    shown = []
    for post in posts:
        html = kept(template, _post_shown(post, extra), {"post": post, **extra})
        if CSRF_SLOT in html:
            token = token or get_token(request)
            html = html.replace(CSRF_SLOT, token)
        shown.append(mark_safe(html))
    return shown


def thread_row(thread, *, show_community=False):
    """A thread's row in lists (`community/includes/thread_row.html`; its tags as
    `tag_list`), rendered at most once per variant."""
    community = thread.community
    shown = [
        show_community,
        thread.pk,
        thread.title,
        thread.is_pinned,
        thread.is_locked,
        thread.post_count,
        thread.view_count,
        thread.is_question,
        thread.accepted_answer_id is not None,
        [
            (person.pk, person.username, person.name, person.avatar.name or "")
            for person in getattr(thread, "participants", ())
        ],
        thread.last_activity_at.isoformat(),
        community.slug,
        community.name,
        [(tag.name, tag.slug) for tag in thread.tag_list],
        *person_shown(thread.author),
        "last poster",
        *person_shown(thread.last_poster),
    ]
    return mark_safe(
        kept(
            "community/includes/thread_row.html",
            shown,
            {"thread": thread, "show_community": show_community},
        )
    )


def blank_composer(request, form_class, *, draft="", **context):
    """`community/includes/composer.html` with a blank `form_class` form (its
    `client_id` fresh for this page, so a resend stores one post), kept once per
    language and `context` (the form's action). A reader's `draft` fills the body;
    such a composer is theirs alone and never kept."""
    if draft:
        form = form_class(initial={"client_id": uuid.uuid4(), "body": draft})
        return mark_safe(
            render_to_string(
                "community/includes/composer.html",
                {"form": form, "csrf_token": get_token(request), **context},
            )
        )
    html = kept(
        "community/includes/composer.html",
        [form_class.__module__, form_class.__qualname__, sorted(context.items())],
        {"form": form_class(initial={"client_id": CLIENT_ID_SLOT}), **context},
    )
    html = html.replace(str(CLIENT_ID_SLOT), str(uuid.uuid4()))
    return mark_safe(html.replace(CSRF_SLOT, get_token(request)))
