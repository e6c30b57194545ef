"""Template context for every page: the signed-in person's workspaces for the sidebar."""

from django.utils.functional import SimpleLazyObject

from .queries import workspaces


def navigation(request):
    """`nav_workspaces`: open workspaces with their unread counts, read only when a
    page shows them."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"nav_workspaces": SimpleLazyObject(lambda: workspaces.nav_workspaces(user))}
