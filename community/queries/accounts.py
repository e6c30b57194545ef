"""Reads for accounts: what a profile page shows to a given viewer."""

from .. import permissions
from ..models import Community, Membership, Post

__all__ = ["PROFILE_RECENT_POSTS", "profile_memberships", "profile_recent_posts"]

PROFILE_RECENT_POSTS = 10


def profile_memberships(viewer, person):
    """`person`'s active memberships in communities that `viewer` may know about.

    A private community the viewer is not in is left out entirely (no row, no count).
    """
    visible = permissions.communities_visible_to(
        viewer, Community.objects.filter(kind=Community.Kind.COMMUNITY)
    )
    return list(
        Membership.objects.filter(
            user=person, state=Membership.State.ACTIVE, community__in=visible
        )
        .select_related("community")
        .order_by("community__name")
    )


def profile_recent_posts(viewer, person, limit=PROFILE_RECENT_POSTS):
    """`person`'s latest live posts in communities whose content `viewer` may read."""
    posts = permissions.posts_visible_to(
        viewer,
        Post.objects.filter(author=person, is_deleted=False, is_hidden=False),
    )
    return list(
        posts.select_related("thread__community")
        .only(
            "number",
            "body_html",
            "created_at",
            "thread__title",
            "thread__community__name",
            "thread__community__slug",
        )
        .order_by("-created_at", "-pk")[:limit]
    )
