"""Per-user rate limits, kept in the cache so every process enforces the same budget."""

import time

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class RateLimited(ValidationError):
    """Raised by services when a user acted too often; views show it as a form error."""


def rate_limit_hit(user, action):
    """Count one `action` for `user`; raise RateLimited past the budget in settings."""
    limit, period = settings.RATE_LIMITS[action]
    window = int(time.time() // period)
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
        raise RateLimited(
            _("You are doing that too often. Please wait a little and try again."),
            code="rate_limited",
        )
