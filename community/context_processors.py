"""Template context shared by every page: the signed-in user's communities for the nav,
the limits the browser enforces before sending."""

from django.conf import settings

from .queries import navigation as navigation_queries


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return navigation_queries.navigation(user)


def live_limits(request):
    """The live socket's frame limit, so live.js never sends a frame daphne would refuse
    by closing the socket."""
    return {"live_max_frame_bytes": settings.LIVE_MAX_FRAME_BYTES}
