"""Template context shared by every page: the signed-in user's communities for the nav."""

from . import queries


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"nav_communities": queries.nav_communities(user)}
