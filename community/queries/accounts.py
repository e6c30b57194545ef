"""Reads for accounts: what a profile page shows to a given viewer."""

from .. import permissions
from ..models import Community, Membership, Post

__all__ = ["PROFILE_RECENT_POSTS", "profile_memberships", "profile_recent_posts"]

PROFILE_RECENT_POSTS = 10


def profile_memberships(viewer, person):
    """`person`'s active memberships that `viewer` may see listed.

    A community whose member list the viewer may not see (restricted or private, when
    the viewer is not a member) is left out entirely: no row, no count.
    """
    return list(
        permissions.memberships_visible_to(
            viewer,
            Membership.objects.filter(
                user=person, community__kind=Community.Kind.COMMUNITY
            ),
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
