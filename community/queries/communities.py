"""Reads for communities: directory, home page, thread lists, members and requests."""

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    When,
)
from django.http import Http404
from taggit.models import Tag

from .. import permissions
from ..models import Community, Membership, Organisation, Thread, User
from .thread_lists import participants_attach

__all__ = [
    "attach_viewer_memberships",
    "community_directory",
    "community_members",
    "community_membership",
    "community_threads",
    "directory_themes",
    "home_context",
    "join_requests",
    "nav_communities",
    "pending_invitations",
    "pending_request_count",
]

State = Membership.State
Role = Membership.Role

HOME_FEATURED_COMMUNITIES = 6
HOME_LATEST_THREADS = 12
DIRECTORY_THEMES = 24


def nav_communities(user):
    """The communities the user is an active member of, for the navigation (not
    workspace discussions: the sidebar lists workspaces on their own)."""
    return Community.objects.filter(
        memberships__user=user,
        memberships__state=Membership.State.ACTIVE,
        kind=Community.Kind.COMMUNITY,
    )


def _listed_communities(user):
    """Communities (not workspace discussions) whose existence `user` may know."""
    return permissions.communities_visible_to(
        user, Community.objects.filter(kind=Community.Kind.COMMUNITY)
    )


def community_directory(user, *, q="", tag=""):
    """The directory: communities visible to `user`, most recently active first.

    `q` searches name and description; `tag` is a theme slug. Themes are prefetched.
    """
    communities = _listed_communities(user)
    if tag:
        communities = communities.filter(themes__slug=tag)
    q = " ".join((q or "").split())
    if q:
        communities = communities.filter(
            Q(name__icontains=q) | Q(description__icontains=q)
        )
    return communities.prefetch_related("themes").order_by(
        F("last_activity_at").desc(nulls_last=True), "name", "pk"
    )


def directory_themes(user, limit=DIRECTORY_THEMES):
    """The most used themes among the communities `user` may see (filter chips)."""
    return list(
        Tag.objects.filter(
            community_communitytheme_items__content_object__in=_listed_communities(user)
        )
        .annotate(uses=Count("community_communitytheme_items"))
        .order_by("-uses", "name")[:limit]
    )


def attach_viewer_memberships(user, communities):
    """Set `community.viewer_membership` (or None) on each of `communities` in one query.

    Also seeds the permission cache, so badges and buttons cost no further queries.
    """
    communities = list(communities)
    found = {}
    if user.is_authenticated and communities:
        memberships = Membership.objects.filter(
            user=user, community__in=[community.pk for community in communities]
        )
        found = {membership.community_id: membership for membership in memberships}
        permissions.remember_memberships(user, communities, found.values())
    for community in communities:
        community.viewer_membership = found.get(community.pk)
    return communities


def _thread_rows(queryset):
    """The joins a thread row needs: authors and last posters with organisations, and
    the tags as a list (`thread.tag_list`).

    A list, not `thread.tags.all`: prefetching into taggit's manager builds one
    queryset per thread (a fifth of the home page's time), a list costs nothing.
    """
    return queryset.select_related(
        "author__organisation", "last_poster__organisation"
    ).prefetch_related(Prefetch("tags", to_attr="tag_list"))


def community_threads(user, community, *, tag=""):
    """The discussion list of a community as `user` sees it (without the threads its
    kind's rule hides from them): pinned first, then most recently active.

    Callers check `permissions.can_read_community` first.
    """
    threads = community.threads.filter(kind=Thread.Kind.DISCUSSION)
    hidden = permissions.hidden_threads_condition(user, kind=community.kind)
    if hidden is not None:
        threads = threads.exclude(hidden)
    if tag:
        threads = threads.filter(tags__slug=tag)
    return _thread_rows(threads).order_by("-is_pinned", "-last_activity_at", "-pk")


def _role_order():
    return Case(
        When(role=Role.OWNER, then=0),
        When(role=Role.MODERATOR, then=1),
        default=2,
        output_field=IntegerField(),
    )


def community_members(community, *, role=""):
    """Active memberships with people and organisations: owners, moderators, members."""
    members = community.memberships.filter(state=State.ACTIVE)
    if role in Role.values:
        members = members.filter(role=role)
    return members.select_related("user__organisation").order_by(
        _role_order(), "created_at", "pk"
    )


def join_requests(community):
    """Pending requests to join, oldest first (the moderators' queue)."""
    return (
        community.memberships.filter(state=State.PENDING)
        .select_related("user__organisation")
        .order_by("created_at", "pk")
    )


def pending_invitations(community):
    """Invitations not answered yet, newest first, with who sent them."""
    return (
        community.memberships.filter(state=State.INVITED)
        .select_related("user__organisation", "invited_by__organisation")
        .order_by("-created_at", "-pk")
    )


def pending_request_count(community):
    return community.memberships.filter(state=State.PENDING).count()


def community_membership(community, pk, *, states):
    """The membership `pk` of `community` in one of `states`, or Http404."""
    membership = (
        community.memberships.select_related("user__organisation")
        .filter(pk=pk, state__in=states)
        .first()
    )
    if membership is None:
        raise Http404("No such membership.")
    return membership


def _latest_threads(threads, limit):
    return participants_attach(
        _thread_rows(
            threads.filter(
                kind=Thread.Kind.DISCUSSION, community__kind=Community.Kind.COMMUNITY
            ).select_related("community")
        ).order_by("-last_activity_at", "-pk")[:limit]
    )


def _featured_communities(user, *, exclude_member=False):
    communities = _listed_communities(user)
    if exclude_member and user.is_authenticated:
        communities = communities.exclude(
            Exists(Membership.objects.filter(user=user, community=OuterRef("pk")))
        )
    return list(
        communities.prefetch_related("themes").order_by(
            "-member_count", F("last_activity_at").desc(nulls_last=True), "name"
        )[:HOME_FEATURED_COMMUNITIES]
    )


def home_context(user):
    """Everything the home page shows, in a fixed number of queries.

    Visitors: figures about the network, featured communities, the latest threads of
    public communities. Signed-in people: the latest threads of their communities,
    their invitations and pending requests, the requests waiting for them as
    moderators, and suggestions when they have joined nothing yet.
    """
    if not user.is_authenticated:
        return {
            "stats": {
                "communities": _listed_communities(user).count(),
                "organisations": Organisation.objects.count(),
                "people": User.objects.filter(is_active=True).count(),
            },
            "featured_communities": _featured_communities(user),
            "latest_threads": _latest_threads(
                permissions.threads_visible_to(user), HOME_LATEST_THREADS
            ),
        }
    my_threads = _latest_threads(
        permissions.threads_visible_to(user).filter(
            permissions.is_member_condition(user, OuterRef("community_id"))
        ),
        HOME_LATEST_THREADS * 2,
    )
    mine = list(
        Membership.objects.filter(
            user=user,
            state__in=[State.INVITED, State.PENDING],
            community__kind=Community.Kind.COMMUNITY,
        )
        .select_related("community", "invited_by__organisation")
        .order_by("-created_at")
    )
    has_communities = Membership.objects.filter(
        user=user, state=State.ACTIVE, community__kind=Community.Kind.COMMUNITY
    ).exists()
    waiting = list(
        permissions.communities_moderated_by(user)
        .annotate(
            pending=Count("memberships", filter=Q(memberships__state=State.PENDING))
        )
        .filter(pending__gt=0)
        .order_by("name")
    )
    context = {
        "my_threads": my_threads,
        "invitations": [m for m in mine if m.state == State.INVITED],
        "my_requests": [m for m in mine if m.state == State.PENDING],
        "requests_to_decide": waiting,
        "has_communities": has_communities,
        "can_create_community": permissions.can_create_community(user),
    }
    if not has_communities:
        context["suggested_communities"] = _featured_communities(
            user, exclude_member=True
        )
        context["latest_threads"] = _latest_threads(
            permissions.threads_visible_to(user), HOME_LATEST_THREADS
        )
    return context
