"""Every rule about who may see or do what in communities, threads, posts and organisations.

Views, consumers, queries, services and templates all ask these functions; nothing else
decides. `access_*` return the object or raise `Http404` for both missing and invisible
objects (a stranger must not learn that a private community exists); `can_*` answer a
yes/no for a visible object; `*_visible_to` give querysets for lists, search and feeds.

The rows decisions are made of (memberships, affiliations, verified addresses) are
cached for one request or one socket operation, never longer: a middleware opens a
scope around every request and the socket consumer opens one around every operation
with `operation()`. Outside a scope (shell, management commands, services called from
tests) every question reads the database. The write side tells the scope what it
changed through `membership_changed` and `affiliation_changed`, each called from the one
place its rows are recorded; under their row locks services decide inside `fresh()`.
"""

from contextlib import contextmanager
from contextvars import ContextVar

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Affiliation, Community, Membership, Organisation, Post, Thread

Visibility = Community.Visibility
Role = Membership.Role
State = Membership.State

# --- the decision cache: one request or one socket operation -------------------------

_scope = ContextVar("crocevia_permission_scope", default=None)


class _Scope(dict):
    """What one request or socket operation has read, by key: ("membership", user id,
    community id), ("affiliation", user id, organisation id), ("verified", user id)."""

    def __init__(self):
        super().__init__()
        self.fresh = 0


@contextmanager
def operation():
    """Cache permission lookups until the block ends: one request or one socket operation.

    `community.middleware.PermissionScopeMiddleware` opens one for every HTTP request. The
    socket consumer opens one around each frame it handles, before anything asks:

        with permissions.operation():
            user = permissions.current_user(socket_user)
            ...

    Nested blocks share the outer scope. Outside any scope nothing is cached.
    """
    if _scope.get() is not None:
        yield
        return
    token = _scope.set(_Scope())
    try:
        yield
    finally:
        _scope.reset(token)


@contextmanager
def fresh():
    """Decide on the rows as the database has them now, whatever the scope has seen.

    Services use it under their row locks (`transaction.atomic()` after
    `select_for_update()`), where an answer read before the lock may be out of date: two
    owners leaving at once must not both see the other one stay. Inside, every lookup
    reads the database and the scope keeps the new answer.
    """
    scope = _scope.get()
    if scope is None:
        yield
        return
    scope.fresh += 1
    try:
        yield
    finally:
        scope.fresh -= 1


def _remembered(key, load):
    scope = _scope.get()
    if scope is None:
        return load()
    if scope.fresh or key not in scope:
        scope[key] = load()
    return scope[key]


def _forget(*keys):
    scope = _scope.get()
    if scope is None:
        return

    def drop():
        for key in keys:
            scope.pop(key, None)

    drop()
    # Again after commit: anything read between the write and the commit saw rows
    # that were not final yet.
    transaction.on_commit(drop)


def membership_changed(membership):
    """Forget what the scope knows about `membership`'s person and community.

    Called for every membership row written (`record_membership_event` in
    `services.memberships` records each change), so no decision made later in the
    request or socket operation uses the row as it was.
    """
    _forget(("membership", membership.user_id, membership.community_id))


def affiliation_changed(affiliation):
    """Forget what the scope knows about `affiliation`'s person and organisation (the
    affiliation services record every change through `_record`, which calls this)."""
    _forget(("affiliation", affiliation.user_id, affiliation.organisation_id))


def remember_memberships(user, communities, memberships):
    """Seed the scope with `user`'s `memberships` in `communities` (None where there is
    none), for queries that fetched them anyway: their badges then cost no query."""
    scope = _scope.get()
    if scope is None or scope.fresh or not user.is_authenticated:
        return
    found = {membership.community_id: membership for membership in memberships}
    for community in communities:
        scope[("membership", user.pk, community.pk)] = found.get(community.pk)

# --- who the user is ------------------------------------------------------------------


def is_site_staff(user):
    """Site staff see and moderate everything."""
    return bool(user.is_authenticated and user.is_active and (user.is_staff or user.is_superuser))


def is_verified(user):
    """True when the user confirmed an email address (allauth)."""
    if not user.is_authenticated:
        return False

    def load():
        from allauth.account.models import EmailAddress

        return EmailAddress.objects.filter(user=user, verified=True).exists()

    return _remembered(("verified", user.pk), load)


def current_user(user):
    """`user` as the database knows them now.

    A socket keeps the user it connected with for hours: each socket operation starts
    from this (inside `operation()`), so a ban, a removal, a demotion or a deactivation
    made meanwhile (on any process) applies to its very next frame. Inactive or deleted
    accounts come back anonymous.
    """
    from django.contrib.auth.models import AnonymousUser

    from .models import User

    if not user.is_authenticated:
        return user
    fresh_user = (
        User.objects.select_related("organisation")
        .filter(pk=user.pk, is_active=True)
        .first()
    )
    return fresh_user if fresh_user is not None else AnonymousUser()


def membership_of(user, community):
    """The user's membership row in `community` (any state) or None."""
    if not user.is_authenticated:
        return None
    return _remembered(
        ("membership", user.pk, community.pk),
        lambda: Membership.objects.filter(user=user, community=community).first(),
    )


def _active(membership):
    return membership is not None and membership.state == State.ACTIVE


def is_member(user, community):
    return _active(membership_of(user, community))


def is_muted(user, community):
    membership = membership_of(user, community)
    return bool(
        _active(membership)
        and membership.muted_until
        and membership.muted_until > timezone.now()
    )


def is_member_condition(user, community):
    """`is_member` in SQL, for queries deciding row by row in one query; `community` may
    be an `OuterRef`. Only for signed-in users."""
    return Exists(
        Membership.objects.filter(user=user, community=community, state=State.ACTIVE)
    )


# --- communities ----------------------------------------------------------------------

# Membership states that let a person know a private community exists.
_SEES_PRIVATE = (State.ACTIVE, State.INVITED, State.PENDING)



def can_see_community(user, community):
    """May the user know the community exists (its page, its name in lists)?"""
    if community.visibility != Visibility.PRIVATE:
        return True
    if is_site_staff(user):
        return True
    membership = membership_of(user, community)
    # Invitees see the community so they can accept; people whose request was waiting
    # when it turned private still see it so they can withdraw; banned members of a
    # private community lose sight of it altogether.
    return membership is not None and membership.state in _SEES_PRIVATE


def can_read_community(user, community):
    """May the user read the community's threads and posts?"""
    if community.visibility == Visibility.PUBLIC:
        return True
    return is_site_staff(user) or is_member(user, community)


def can_post_in_community(user, community):
    """May the user start threads and reply (active, unmuted member, or staff)?"""
    if is_site_staff(user):
        return True
    return is_member(user, community) and not is_muted(user, community)


def can_create_thread(user, community):
    return can_post_in_community(user, community)


def can_join_community(user, community):
    """May the user become a member at once (public communities, or accepting an invite)?"""
    if not user.is_authenticated or not is_verified(user):
        return False
    membership = membership_of(user, community)
    if membership is not None and membership.state == State.INVITED:
        return True
    # A request left pending when a restricted community turned public joins at once.
    return community.visibility == Visibility.PUBLIC and (
        membership is None or membership.state == State.PENDING
    )


def can_request_to_join(user, community):
    """May the user ask to join a restricted community?"""
    if not user.is_authenticated or not is_verified(user):
        return False
    return (
        community.visibility == Visibility.RESTRICTED
        and membership_of(user, community) is None
    )


def can_cancel_request(user, community):
    membership = membership_of(user, community)
    return membership is not None and membership.state == State.PENDING


def can_decline_invitation(user, community):
    membership = membership_of(user, community)
    return membership is not None and membership.state == State.INVITED


def can_moderate_community(user, community):
    """Owners, moderators and site staff moderate a community."""
    if is_site_staff(user):
        return True
    membership = membership_of(user, community)
    return _active(membership) and membership.role in (Role.OWNER, Role.MODERATOR)


def can_edit_community(user, community):
    """Owners (and site staff) edit name, description, themes and visibility."""
    if is_site_staff(user):
        return True
    membership = membership_of(user, community)
    return _active(membership) and membership.role == Role.OWNER


def can_manage_roles(user, community):
    """Owners promote and demote moderators and transfer ownership."""
    return can_edit_community(user, community)


def can_decide_join_requests(user, community):
    return can_moderate_community(user, community)


def can_invite_to_community(user, community):
    """Owners and moderators invite people (the only way into a private community)."""
    return can_moderate_community(user, community)


def can_see_members(user, community):
    """Member lists follow the content: anyone for public communities, members for the
    others (`memberships_visible_to` is the same rule for lists)."""
    return can_read_community(user, community)


def can_reinvite_banned(user, community):
    """Lifting a ban by invitation is for owners and site staff, not for moderators."""
    return can_manage_roles(user, community)


def can_change_role(user, membership):
    """Owners (and staff) move active members between member and moderator."""
    if not can_manage_roles(user, membership.community):
        return False
    # Owners change hands only through an ownership transfer.
    return membership.is_active and membership.role != Role.OWNER


def can_sanction_member(user, membership):
    """May the user mute, remove or ban the person behind `membership`?

    Moderators sanction members (and people who asked or were invited); moderators are
    sanctioned only by owners and staff; owners never (ownership changes hands by
    transfer), and nobody sanctions themselves.
    """
    community = membership.community
    if not can_moderate_community(user, community):
        return False
    if user.pk == membership.user_id:
        return False
    if membership.is_active and membership.role == Role.OWNER:
        return False
    if membership.is_active and membership.role == Role.MODERATOR:
        return can_manage_roles(user, community)
    return True


def can_lift_ban(user, membership):
    """Owners and staff lift bans (moderators may not undo each other's decisions)."""
    return membership.state == State.BANNED and can_manage_roles(
        user, membership.community
    )


def is_last_owner(user, community):
    """True for the only active owner, who must hand over before leaving."""
    membership = membership_of(user, community)
    if not _active(membership) or membership.role != Role.OWNER:
        return False
    return not community.memberships.filter(
        role=Role.OWNER, state=State.ACTIVE
    ).exclude(pk=membership.pk).exists()


def can_create_community(user):
    return is_verified(user)


# --- threads and posts ----------------------------------------------------------------


def can_read_thread(user, thread):
    return can_read_community(user, thread.community)


def can_reply(user, thread):
    """Members reply to open threads; moderators also to locked ones."""
    if not can_post_in_community(user, thread.community):
        return False
    return not thread.is_locked or can_moderate_community(user, thread.community)


def require_reply(user, thread):
    """Raise PermissionDenied, saying why, unless `user` may write in `thread`."""
    if can_reply(user, thread):
        return
    room = thread.kind == Thread.Kind.ROOM
    if thread.is_locked and can_post_in_community(user, thread.community):
        raise PermissionDenied(
            _("This room is locked.") if room else _("This thread is locked.")
        )
    raise PermissionDenied(
        _("Only members of this community can write here.")
        if room
        else _("Only members of this community can reply.")
    )


def can_edit_post(user, post):
    """Authors edit their own live posts while they may still post in the community."""
    if not user.is_authenticated or post.author_id != user.pk:
        return False
    if post.is_deleted or post.is_hidden:
        return False
    return can_post_in_community(user, post.thread.community)


def can_delete_post(user, post):
    """Authors delete (soft) their own posts; the thread stays readable around them."""
    if not user.is_authenticated or post.author_id != user.pk or post.is_deleted:
        return False
    return is_member(user, post.thread.community) or is_site_staff(user)


def can_view_thread_history(user, thread):
    """Revision histories are for members (and staff), not for anonymous readers."""
    return is_site_staff(user) or is_member(user, thread.community)


def can_view_post_history(user, post):
    return can_view_thread_history(user, post.thread)


def can_lock_thread(user, thread):
    """Moderators lock and unlock threads and rooms (only moderators write in locked ones)."""
    return can_moderate_community(user, thread.community)


def can_pin_thread(user, thread):
    return can_moderate_community(user, thread.community)


def can_hide_post(user, post):
    """Moderators hide posts from everyone (a placeholder stays) and show them again."""
    return can_moderate_community(user, post.thread.community)


def can_quote_post(user, post):
    return post.is_visible_content and can_reply(user, post.thread)


# --- rooms ----------------------------------------------------------------------------


def can_create_room(user, community):
    """Owners and moderators (and site staff) open standing chat rooms."""
    return can_moderate_community(user, community)


def can_promote_post(user, post):
    """A room message becomes a discussion by its author (who may start threads) or a
    moderator; removed messages have nothing left to continue."""
    if post.thread.kind != Thread.Kind.ROOM or not post.is_visible_content:
        return False
    community = post.thread.community
    if can_moderate_community(user, community):
        return True
    return (
        user.is_authenticated
        and post.author_id == user.pk
        and can_create_thread(user, community)
    )


def can_mark_read(user, thread):
    """Signed-in readers keep a read position (their unread counts)."""
    return user.is_authenticated and can_read_thread(user, thread)


# --- organisations --------------------------------------------------------------------


def affiliation_of(user, organisation):
    """The user's affiliation row with `organisation` (any state) or None."""
    if not user.is_authenticated:
        return None
    return _remembered(
        ("affiliation", user.pk, organisation.pk),
        lambda: Affiliation.objects.filter(user=user, organisation=organisation).first(),
    )


def can_create_organisation(user):
    return is_verified(user)


def is_organisation_admin(user, organisation):
    affiliation = affiliation_of(user, organisation)
    return bool(
        affiliation
        and affiliation.state == Affiliation.State.ACTIVE
        and affiliation.role == Affiliation.Role.ADMIN
    )


def can_edit_organisation(user, organisation):
    return is_site_staff(user) or is_organisation_admin(user, organisation)


def can_decide_affiliations(user, organisation):
    return can_edit_organisation(user, organisation)


def can_request_affiliation(user, organisation):
    """Verified users ask to join an organisation they are not in (nor waiting for)."""
    if not is_verified(user):
        return False
    affiliation = affiliation_of(user, organisation)
    return affiliation is None or affiliation.state == Affiliation.State.DECLINED


def is_organisation_member(user, organisation):
    """An active affiliation (admin or member) links the user to the organisation."""
    affiliation = affiliation_of(user, organisation)
    return bool(affiliation and affiliation.state == Affiliation.State.ACTIVE)


def can_withdraw_affiliation(user, organisation):
    """People waiting for approval may withdraw their request."""
    affiliation = affiliation_of(user, organisation)
    return bool(affiliation and affiliation.state == Affiliation.State.PENDING)


def can_manage_organisation_roles(user, organisation):
    """Organisation admins (and site staff) name and remove other admins."""
    return can_edit_organisation(user, organisation)


def can_leave_organisation(user, organisation):
    """Members leave; the last admin must first name another admin."""
    affiliation = affiliation_of(user, organisation)
    if affiliation is None or affiliation.state != Affiliation.State.ACTIVE:
        return False
    if affiliation.role == Affiliation.Role.ADMIN:
        return (
            organisation.affiliations.filter(
                role=Affiliation.Role.ADMIN, state=Affiliation.State.ACTIVE
            ).count()
            > 1
        )
    return True


# --- visibility querysets -------------------------------------------------------------


def communities_visible_to(user, queryset=None):
    """Communities whose existence the user may know about."""
    queryset = Community.objects.all() if queryset is None else queryset
    if is_site_staff(user):
        return queryset
    if not user.is_authenticated:
        return queryset.exclude(visibility=Visibility.PRIVATE)
    seen = Membership.objects.filter(
        user=user, community=OuterRef("pk"), state__in=_SEES_PRIVATE
    )
    return queryset.filter(~Q(visibility=Visibility.PRIVATE) | Q(Exists(seen)))


def communities_readable_by(user, queryset=None):
    """Communities whose content (threads, posts) the user may read."""
    queryset = Community.objects.all() if queryset is None else queryset
    if is_site_staff(user):
        return queryset
    if not user.is_authenticated:
        return queryset.filter(visibility=Visibility.PUBLIC)
    return queryset.filter(
        Q(visibility=Visibility.PUBLIC) | Q(is_member_condition(user, OuterRef("pk")))
    )


def memberships_visible_to(user, queryset=None):
    """Active memberships the user may see listed: those of communities whose member
    list they may see (`can_see_members`), e.g. on a person's profile."""
    queryset = Membership.objects.all() if queryset is None else queryset
    return queryset.filter(
        state=State.ACTIVE, community__in=communities_readable_by(user)
    )


def threads_visible_to(user, queryset=None):
    queryset = Thread.objects.all() if queryset is None else queryset
    return queryset.filter(community__in=communities_readable_by(user))


def posts_visible_to(user, queryset=None):
    queryset = Post.objects.all() if queryset is None else queryset
    return queryset.filter(thread__community__in=communities_readable_by(user))


# --- access: the object, or 404 ------------------------------------------------------


def access_community(user, slug, *, action="see"):
    """Return the community for `slug` or raise Http404 if missing or invisible.

    `action="read"` also requires read access to the content: restricted and private
    communities answer 403 to people who may see them but not read them (invitees,
    pending members), and 404 to everyone else.
    """
    community = Community.objects.filter(slug=slug).first()
    if community is None or not can_see_community(user, community):
        raise Http404("No such community.")
    if action == "read" and not can_read_community(user, community):
        raise PermissionDenied(_("Only the members of this community can read it."))
    return community


def access_thread(user, thread_id, *, community_slug=None):
    """Return a readable thread (with its community) or raise Http404."""
    thread = (
        Thread.objects.select_related("community", "author__organisation")
        .filter(pk=thread_id)
        .first()
    )
    if thread is None or (community_slug is not None and thread.community.slug != community_slug):
        raise Http404("No such thread.")
    if not can_see_community(user, thread.community):
        raise Http404("No such thread.")
    if not can_read_thread(user, thread):
        raise PermissionDenied(_("Only the members of this community can read it."))
    return thread


def access_room(user, thread_id, *, community_slug=None):
    """Return a readable room (a thread of kind `room`) or raise Http404."""
    thread = access_thread(user, thread_id, community_slug=community_slug)
    if thread.kind != Thread.Kind.ROOM:
        raise Http404("No such room.")
    return thread


def access_post(user, post_id):
    """Return a readable post (with thread and community) or raise Http404."""
    post = (
        Post.objects.select_related("thread__community", "author__organisation")
        .filter(pk=post_id)
        .first()
    )
    if post is None or not can_see_community(user, post.thread.community):
        raise Http404("No such post.")
    if not can_read_thread(user, post.thread):
        raise PermissionDenied(_("Only the members of this community can read it."))
    return post


def access_organisation(user, slug):
    """Organisations are public profiles; missing slugs answer 404."""
    organisation = Organisation.objects.filter(slug=slug).first()
    if organisation is None:
        raise Http404("No such organisation.")
    return organisation


def access_affiliation(user, organisation, affiliation_id):
    """Return an affiliation of `organisation` for its admins to act on.

    Raise PermissionDenied unless the user decides the organisation's affiliations
    (checked first, so strangers learn nothing about pending requests), and Http404
    when the id is not one of this organisation's affiliations.
    """
    require(can_decide_affiliations(user, organisation))
    affiliation = (
        Affiliation.objects.select_related("user__organisation", "organisation")
        .filter(pk=affiliation_id, organisation=organisation)
        .first()
    )
    if affiliation is None:
        raise Http404("No such affiliation.")
    return affiliation


def can_edit_profile(user, person):
    """People edit only their own profile (avatar, bio, language, ...)."""
    return bool(user.is_authenticated and user.is_active and user.pk == person.pk)


def can_deactivate_account(user, person):
    """Site staff close and reopen accounts: not their own, and a superuser's only
    when they are superusers themselves."""
    if not is_site_staff(user) or user.pk == person.pk:
        return False
    return user.is_superuser or not person.is_superuser


def access_user(user, username):
    """Profiles are public to everyone; inactive accounts answer 404."""
    from .models import User

    person = (
        User.objects.select_related("organisation")
        .filter(username=username, is_active=True)
        .first()
    )
    if person is None:
        raise Http404("No such person.")
    return person


def require(allowed, message=None):
    """Raise PermissionDenied (403) unless `allowed`; services use it for visible objects."""
    if not allowed:
        raise PermissionDenied(message or _("You may not do that."))
