"""View counts on threads: each reader counted at most once per thread in a window,
throttled in the cache so a page view writes nothing most of the time.

Why a cache throttle and not a row per view or the read position: a row per view
grows without bound, and the read position (written only when it moves forward)
does not know visitors nor people re-reading. `cache.add` is atomic on every
backend (local memory, Redis), so two tabs or processes race harmlessly: one wins
the key and writes one `UPDATE ... SET view_count = view_count + 1`. The write load
is at most one statement per reader per thread per VIEW_COUNT_SECONDS. Losing the
cache (a restart) only lets a reader count once more.
"""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.db.models import F

from ..models import Thread

__all__ = ["VIEW_COUNT_SECONDS", "thread_view_record", "viewer_key"]

# A reader counts once per thread in this window (Discourse: once a day per person).
VIEW_COUNT_SECONDS = 8 * 60 * 60


def viewer_key(request):
    """Who is reading: the signed-in person, else a digest of the address and the
    browser (visitors without a session are counted too, never stored as such)."""
    if request.user.is_authenticated:
        return f"u{request.user.pk}"
    seen = "|".join(
        (
            request.META.get("REMOTE_ADDR", ""),
            request.META.get("HTTP_USER_AGENT", "")[:200],
            settings.SECRET_KEY,
        )
    )
    return "a" + hashlib.blake2b(seen.encode(), digest_size=12).hexdigest()


def thread_view_record(*, thread, viewer):
    """Count a view of `thread` by `viewer` (`viewer_key`), unless they were counted in
    the last VIEW_COUNT_SECONDS; return whether it was counted.

    Callers: the thread page, after its access check (whoever may read it). Writes
    no event: a view count is not news.
    """
    key = f"thread-view:{thread.pk}:{viewer}"
    if not cache.add(key, 1, VIEW_COUNT_SECONDS):
        return False
    Thread.objects.filter(pk=thread.pk).update(view_count=F("view_count") + 1)
    thread.view_count = (thread.view_count or 0) + 1
    return True
