"""Per-user rate limits, kept in the cache so every process enforces the same budget."""

import math
import time

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

__all__ = ["RateLimited", "rate_limit_hit", "wait_message"]


def wait_message(seconds):
    """"Try again in N seconds" (or minutes), for every refusal that says when."""
    if seconds >= 120:
        minutes = math.ceil(seconds / 60)
        return ngettext(
            "Try again in %(count)d minute.", "Try again in %(count)d minutes.", minutes
        ) % {"count": minutes}
    return ngettext(
        "Try again in %(count)d second.", "Try again in %(count)d seconds.", seconds
    ) % {"count": seconds}


class RateLimited(ValidationError):
    """Raised by services when a user acted too often; views show it as a form error
    (HTTP 429), sockets as an error frame. `retry_after`: whole seconds to wait."""

    def __init__(self, message, code="rate_limited", retry_after=None):
        super().__init__(message, code=code)
        self.retry_after = retry_after


def rate_limit_hit(user, action):
    """Count one `action` for `user`; raise RateLimited past the budget in settings,
    saying when the budget is back (the end of the current window)."""
    limit, period = settings.RATE_LIMITS[action]
    now = time.time()
    window = int(now // period)
    key = f"rl:{action}:{user.pk}:{window}"
    try:
        # The window's counter usually exists: one call (posts are counted one by one
        # on the database thread, a Redis round trip each).
        count = cache.incr(key)
    except ValueError:
        cache.add(key, 0, timeout=period + 1)
        try:
            count = cache.incr(key)
        except ValueError:  # expired in between
            cache.set(key, 1, timeout=period + 1)
            count = 1
    if count > limit:
        retry_after = max(1, math.ceil((window + 1) * period - now))
        raise RateLimited(
            _("You are doing that too often.") + " " + wait_message(retry_after),
            code="rate_limited",
            retry_after=retry_after,
        )
