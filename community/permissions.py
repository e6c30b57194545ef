"""Every rule about who may see or do what in communities, threads, posts and organisations.

Views, consumers, queries, services and templates all ask these functions; nothing else
decides. `access_*` return the object or raise `Http404` for both missing and invisible
objects (a stranger must not learn that a private community exists); `can_*` answer a
yes/no for a visible object; `require_*` raise `PermissionDenied` with the refusal people
read (views and services raise the same one); `*_visible_to` and the like give querysets
for lists, search and feeds, consistent with the matching `can_*`.

The rows decisions are made of (memberships, affiliations, verified addresses, owner and
admin counts) are cached for one request or one socket operation, never longer: a
middleware opens a scope around every request and the socket consumer opens one around
every operation with `operation()`. Outside a scope (shell, management commands, services
called from tests) every question reads the database. The write side tells the scope what
it changed through `membership_changed` and `affiliation_changed`, each called from the one
place its rows are recorded; under their row locks services decide inside `fresh()`.
"""

import zoneinfo
from contextlib import contextmanager
from contextvars import ContextVar
from enum import StrEnum

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, FilteredRelation, OuterRef, Q
from django.http import Http404
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import (
    Affiliation,
    Attachment,
    Block,
    Community,
    HeldPost,
    Membership,
    Organisation,
    Post,
    ReviewItem,
    Thread,
    ThreadRedirect,
)

Visibility = Community.Visibility
Role = Membership.Role
State = Membership.State

# --- the decision cache: one request or one socket operation -------------------------

_scope = ContextVar("crocevia_permission_scope", default=None)


class Decisions(dict):
    """What one scope has read, by key: ("membership", user id, community id),
    ("owners", community id), ("affiliation", user id, organisation id),
    ("admins", organisation id), ("verified", user id)."""

    def __init__(self):
        super().__init__()
        self.fresh = 0


@contextmanager
def operation(decisions=None):
    """Cache permission lookups until the block ends: one request or one socket operation.

    `community.middleware.PermissionScopeMiddleware` opens one for every HTTP request. The
    socket opens one around each operation it handles, before anything asks:

        with permissions.operation():
            user = permissions.current_user(socket_user)
            ...

    Nested blocks share the outer scope. Outside any scope nothing is cached.

    `decisions` (a `Decisions()` the caller keeps) makes the block use those answers
    instead of a new scope: a live subscription that must decide without the database
    between its re-checks (which buttons each arriving post shows) keeps one, and
    starts a new one whenever it re-checks access.
    """
    if decisions is None and _scope.get() is not None:
        yield
        return
    token = _scope.set(Decisions() if decisions is None else decisions)
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


# The apps above (workspaces, ...) cache their own decisions in the same scope.
remembered = _remembered
forget = _forget


def membership_changed(membership):
    """Forget what the scope knows about `membership`'s person and community.

    Called for every membership row written (`record_membership_event` in
    `services.memberships` records each change), so no decision made later in the
    request or socket operation uses the row as it was.
    """
    _forget(
        ("membership", membership.user_id, membership.community_id),
        ("owners", membership.community_id),
        ("direct_people", membership.community_id),
    )


def affiliation_changed(affiliation):
    """Forget what the scope knows about `affiliation`'s person and organisation (the
    affiliation services record every change through `_record`, which calls this)."""
    _forget(
        ("affiliation", affiliation.user_id, affiliation.organisation_id),
        ("admins", affiliation.organisation_id),
    )


def remember_memberships(user, communities, memberships):
    """Seed the scope with `user`'s `memberships` in `communities` (None where there is
    none), for queries that fetched them anyway: their badges then cost no query."""
    scope = _scope.get()
    if scope is None or scope.fresh or not user.is_authenticated:
        return
    found = {membership.community_id: membership for membership in memberships}
    for community in communities:
        scope[("membership", user.pk, community.pk)] = found.get(community.pk)


# --- refusals -------------------------------------------------------------------------


def require(allowed, message=None):
    """Raise PermissionDenied (403) unless `allowed`; services use it for visible objects."""
    if not allowed:
        raise PermissionDenied(str(message) if message else _("You may not do that."))


def requirement(rule, message=None):
    """`require_<rule>(user, obj)`: PermissionDenied with `message` unless `rule` allows."""

    def require_rule(user, *obj):
        require(rule(user, *obj), message)

    require_rule.__name__ = rule.__name__.replace("can_", "require_", 1)
    require_rule.__qualname__ = require_rule.__name__
    require_rule.__doc__ = (
        f"Raise PermissionDenied, saying why, unless `{rule.__name__}` allows it."
    )
    return require_rule


# --- who the user is ------------------------------------------------------------------


def is_site_staff(user):
    """Site staff see and moderate everything."""
    return bool(user.is_authenticated and user.is_active and (user.is_staff or user.is_superuser))


def stand_in_person(pk, *, staff):
    """An unsaved active person with id `pk` who is site staff or not: statements
    compiled once for everyone (`queries.prepared`) are built for one of these."""
    from .models import User

    return User(pk=pk, is_active=True, is_staff=staff)


def can_open_admin(user):
    """The administration link: the people Django's admin site lets in (active staff)."""
    return bool(user.is_authenticated and user.is_active and user.is_staff)


def is_verified(user):
    """True when the user confirmed an email address (allauth)."""
    if not user.is_authenticated:
        return False

    def load():
        from allauth.account.models import EmailAddress

        return EmailAddress.objects.filter(user=user, verified=True).exists()

    return _remembered(("verified", user.pk), load)


def needs_verification(user):
    """Signed in, but without a confirmed address: pages ask them to confirm it."""
    return user.is_authenticated and not is_verified(user)


def current_user(user):
    """`user` as the database knows them now.

    A socket keeps the user it connected with for hours: each socket operation starts
    from this (inside `operation()`), so a ban, a removal, a demotion or a deactivation
    made meanwhile (on any process) applies to its very next frame. Inactive, suspended
    or deleted accounts come back anonymous.
    """
    return current_users([user])[user.pk]


def current_users(users):
    """`current_user` for several people with one query: {pk: person as now}
    (anonymous visitors stay as they are)."""
    from django.contrib.auth.models import AnonymousUser

    from .models import User

    wanted = {user.pk for user in users if user.is_authenticated}
    fresh = {
        person.pk: person
        for person in User.objects.select_related("organisation")
        .filter(pk__in=wanted, is_active=True)
        # A suspended account acts as nobody until its suspension ends.
        .exclude(suspended_until__gt=timezone.now())
    }
    return {
        user.pk: (fresh.get(user.pk) or AnonymousUser()) if user.is_authenticated else user
        for user in users
    }


def read_memberships(users, community):
    """Read the memberships of `users` in `community` with one query, for the rest of
    the scope (no-op outside one): what `membership_of` then answers without asking."""
    scope = _scope.get()
    if scope is None:
        return
    wanted = [
        user.pk
        for user in users
        if user.is_authenticated
        and (scope.fresh or ("membership", user.pk, community.pk) not in scope)
    ]
    if not wanted:
        return
    rows = {
        row.user_id: row
        for row in Membership.objects.filter(community=community, user_id__in=wanted)
    }
    for pk in wanted:
        scope["membership", pk, community.pk] = rows.get(pk)


def membership_of(user, community):
    """The user's membership row in `community` (any state) or None."""
    if not user.is_authenticated:
        return None
    return _remembered(
        ("membership", user.pk, community.pk),
        lambda: Membership.objects.filter(user=user, community=community).first(),
    )


def _in_state(user, community, state):
    membership = membership_of(user, community)
    return membership is not None and membership.state == state


def _active(membership):
    return membership is not None and membership.state == State.ACTIVE


def is_member(user, community):
    return _in_state(user, community, State.ACTIVE)


def is_invited(user, community):
    return _in_state(user, community, State.INVITED)


def is_pending(user, community):
    """The user asked to join and waits for a moderator."""
    return _in_state(user, community, State.PENDING)


def is_banned(user, community):
    return _in_state(user, community, State.BANNED)


def is_owner(user, community):
    membership = membership_of(user, community)
    return _active(membership) and membership.role == Role.OWNER


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


# --- communities run by another app (workspace discussions) ---------------------------

# Each workspace's discussion is a private community of kind `workspace`: its people
# come and go through the workspace (its services write the memberships), never through
# the community's own join, request, invite, leave, role, visibility and ownership flows,
# which refuse for that kind. The app above registers when nothing may be written in
# such a community (an archived workspace), so threads, rooms and the socket obey it
# without this app knowing workspaces.
_read_only_rules = {}

MANAGED_ELSEWHERE_REFUSAL = gettext_lazy(
    "The people of a workspace's discussion are managed from the workspace."
)


STAFF_READER_REFUSAL = gettext_lazy(
    "Site staff read and moderate this discussion but do not write in it: only "
    "the workspace's participants do."
)


def register_read_only_rule(kind, rule):
    """`rule(community)` answers the refusal people read while nothing may be written
    in `community` (a community of `kind`), or None; registered by the app that owns
    communities of that kind, from its AppConfig.ready()."""
    _read_only_rules[kind] = rule


def read_only_refusal(community):
    """Why nothing may be written in `community` now (a message), or None."""
    rule = _read_only_rules.get(community.kind)
    return rule(community) if rule is not None else None


def is_read_only(community):
    return read_only_refusal(community) is not None


def is_managed_elsewhere(community):
    """True for workspace discussions and introductions, whose memberships the
    services of the app that runs them keep (never the community's own flows)."""
    return community.kind != Community.Kind.COMMUNITY


def is_staff_reader(user, community):
    """Site staff in a community managed elsewhere, where they are not members: they
    read and moderate it (hide posts, lock threads) but write nothing in it. (Not in
    direct messages, which staff do not read: `is_direct`.)"""
    return (
        is_managed_elsewhere(community)
        and not is_direct(community)
        and is_site_staff(user)
        and not is_member(user, community)
    )


# --- direct messages (issue 13) ---------------------------------------------------------

# A direct conversation has this many participants at most (the person starting it
# included).
DIRECT_MAX_PEOPLE = 10

BLOCKED_REFUSAL = gettext_lazy("You cannot send messages to this person.")
STRANGER_LIMIT_CODE = "direct_stranger"


def is_direct(community):
    """A private conversation between people (`Community.Kind.DIRECT`)."""
    return community.kind == Community.Kind.DIRECT


def is_reported_direct(community):
    """A participant reported a message of this conversation (a review item exists):
    staff then know it exists, and see the reported message in the review queue."""
    return _remembered(
        ("reported_direct", community.pk),
        lambda: ReviewItem.objects.filter(community=community).exists(),
    )


def _blocks_of(user):
    """(ids `user` blocked, ids who blocked `user`), read together in one query."""

    def load():
        blocked, blockers = set(), set()
        for blocker, blocked_id in Block.objects.filter(
            Q(blocker=user) | Q(blocked=user)
        ).values_list("blocker_id", "blocked_id"):
            if blocker == user.pk:
                blocked.add(blocked_id)
            else:
                blockers.add(blocker)
        return frozenset(blocked), frozenset(blockers)

    return _remembered(("blocks", user.pk), load)


def blocked_ids(user):
    """The ids of the people `user` blocked (a set; empty for visitors)."""
    if not user.is_authenticated:
        return frozenset()
    return _blocks_of(user)[0]


def blockers_of(user):
    """The ids of the people who blocked `user`."""
    if not user.is_authenticated:
        return frozenset()
    return _blocks_of(user)[1]


def has_blocked(user, person):
    return person.pk in blocked_ids(user)


def blocks_between(user, person):
    """Either of the two blocked the other."""
    return person.pk in blocked_ids(user) or person.pk in blockers_of(user)


def blocks_changed(user):
    """Forget what the scope knows of `user`'s blocks (both ways)."""
    _forget(("blocks", user.pk))


def direct_participant_ids(community):
    """The ids of a conversation's participants (its active members), one query."""
    return _remembered(
        ("direct_people", community.pk),
        lambda: frozenset(
            Membership.objects.filter(
                community=community, state=State.ACTIVE
            ).values_list("user_id", flat=True)
        ),
    )


def blocks_a_participant(user, community):
    """`user` blocked someone taking part in the conversation: it is hidden from them."""
    blocked = blocked_ids(user)
    return bool(blocked) and bool(blocked & direct_participant_ids(community))


def is_blocked_in(user, community):
    """In a conversation of two, the other person blocked `user`: they may not write."""
    blockers = blockers_of(user)
    if not blockers:
        return False
    others = direct_participant_ids(community) - {user.pk}
    return len(others) == 1 and bool(others & blockers)


def blocked_participant_condition(user):
    """A condition on Community: an active participant of it is someone `user`
    blocked (`community` as the outer row), for the lists and searches that
    `blocks_a_participant` decides one by one."""
    return Exists(
        Membership.objects.filter(
            community=OuterRef("pk"),
            state=State.ACTIVE,
            user__in=Block.objects.filter(blocker=user).values("blocked_id"),
        )
    )


def can_block_person(user, person):
    """Signed-in people block anyone but themselves (staff included: a block only
    stops direct messages)."""
    return (
        user.is_authenticated
        and person.is_active
        and person.pk != user.pk
        and not has_blocked(user, person)
    )


def can_unblock_person(user, person):
    return user.is_authenticated and has_blocked(user, person)


def can_message_person(user, person):
    """May `user` start (or reopen) a direct conversation with `person`? Verified,
    active people, never with themselves, nor across a block either way."""
    if not user.is_authenticated or not person.is_active or person.pk == user.pk:
        return False
    if not is_verified(user):
        return False
    return not blocks_between(user, person)


def require_message_person(user, person):
    """Raise PermissionDenied, saying why, unless `user` may write to `person`."""
    require(user.is_authenticated, gettext_lazy("Log in to send messages."))
    require(person.pk != user.pk, gettext_lazy("You cannot send a message to yourself."))
    require(
        is_verified(user),
        gettext_lazy("Confirm your e-mail address before sending messages."),
    )
    require(not has_blocked(user, person), gettext_lazy(
        "You blocked this person: unblock them to send a message."
    ))
    require(can_message_person(user, person), BLOCKED_REFUSAL)


def can_add_to_direct(user, community):
    """Participants add people to a conversation while it has fewer than ten."""
    return (
        is_direct(community)
        and can_read_community(user, community)
        and len(direct_participant_ids(community)) < DIRECT_MAX_PEOPLE
    )


def can_leave_direct(user, community):
    """Participants leave a group conversation (of three or more); a conversation of
    two stays (blocking is the way to stop hearing from someone)."""
    return (
        is_direct(community)
        and is_member(user, community)
        and len(direct_participant_ids(community)) > 2
    )


def can_join_direct(person, community):
    """No block stands between `person` and anyone taking part in the conversation
    (either way): only then may they be added to it."""
    people = direct_participant_ids(community)
    return not (people & blocked_ids(person) or people & blockers_of(person))


require_block_person = requirement(
    can_block_person, gettext_lazy("You cannot block this person.")
)
require_unblock_person = requirement(
    can_unblock_person, gettext_lazy("You have not blocked this person.")
)
require_leave_direct = requirement(
    can_leave_direct,
    gettext_lazy("You can leave a group conversation, not one between two people."),
)


def require_add_to_direct(user, community, newcomers):
    """Raise PermissionDenied, saying why, unless `user` (a participant) may add
    `newcomers` to the conversation (the size is the service's ValidationError)."""
    require(
        is_direct(community) and can_read_community(user, community),
        gettext_lazy("Only the people of this conversation add people to it."),
    )
    for person in newcomers:
        require(
            can_join_direct(person, community),
            _("%(name)s cannot be added to this conversation.") % {"name": person.name},
        )


def access_conversation(user, thread_id):
    """Return the room of a conversation `user` takes part in, or raise Http404."""
    thread = access_room(user, thread_id)
    if not is_direct(thread.community):
        raise Http404("No such conversation.")
    return thread


def shares_a_circle(user, person):
    """`user` and `person` share a community (or workspace) or an organisation: they
    are no strangers for the direct-message rate limit."""
    shared = Membership.objects.filter(
        user=person,
        state=State.ACTIVE,
        community__memberships__user=user,
        community__memberships__state=State.ACTIVE,
    ).exclude(community__kind=Community.Kind.DIRECT)
    if shared.exists():
        return True
    if user.organisation_id and user.organisation_id == person.organisation_id:
        return True
    mine = Affiliation.objects.filter(
        user=user, state=Affiliation.State.ACTIVE
    ).values("organisation_id")
    return Affiliation.objects.filter(
        user=person, state=Affiliation.State.ACTIVE, organisation_id__in=mine
    ).exists()


def organisation_contacts(user, organisation):
    """Whom "Contact this organisation" writes to: its active admins, less `user`
    and anyone a block stands between (a list of people, by name)."""
    from .models import User

    admins = User.objects.filter(
        is_active=True,
        affiliations__organisation=organisation,
        affiliations__state=Affiliation.State.ACTIVE,
        affiliations__role=Affiliation.Role.ADMIN,
    ).exclude(pk=user.pk if user.is_authenticated else None)
    return [person for person in admins.order_by("display_name", "pk")[
        : DIRECT_MAX_PEOPLE - 1
    ] if not blocks_between(user, person)]


def can_contact_organisation(user, organisation):
    """Verified people write to an organisation's admins (not its own admins)."""
    return (
        user.is_authenticated
        and is_verified(user)
        and not is_organisation_admin(user, organisation)
        and bool(organisation_contacts(user, organisation))
    )


def organisations_contactable(user, organisations):
    """The ids among `organisations` that `user` may contact (`can_contact_organisation`,
    decided for a page of directory cards in one query whatever their number, after
    the person's verified address)."""
    if not user.is_authenticated or not is_verified(user) or not organisations:
        return frozenset()
    blocked = Block.objects.filter(blocker=user).values("blocked_id")
    blockers = Block.objects.filter(blocked=user).values("blocker_id")
    admins = Affiliation.objects.filter(
        Q(user=user) | (~Q(user__in=blocked) & ~Q(user__in=blockers)),
        organisation_id__in=[organisation.pk for organisation in organisations],
        state=Affiliation.State.ACTIVE,
        role=Affiliation.Role.ADMIN,
        user__is_active=True,
    ).values_list("organisation_id", "user_id")
    mine, others = set(), set()
    for organisation_id, admin_id in admins:
        (mine if admin_id == user.pk else others).add(organisation_id)
    return frozenset(others - mine)


require_contact_organisation = requirement(
    can_contact_organisation, gettext_lazy("You cannot contact this organisation here.")
)


def posts_staff_may_read_condition():
    """A condition on Post for the admin: every post but those of direct
    conversations, of which only the reported ones (a review item exists)."""
    return ~Q(thread__community__kind=Community.Kind.DIRECT) | Q(
        Exists(ReviewItem.objects.filter(post=OuterRef("pk")))
    )


# The app that owns communities of a kind may also hide some of their threads from
# some people (a deleted document's thread, from everyone but the workspace's leads):
# `rule(user)` answers a condition on Thread (the threads of that kind hidden from
# `user`) or None. Hidden threads are missing for them: pages, permalinks, lists and
# live streams answer as for a thread that never was.
_hidden_thread_rules = {}


def register_hidden_threads_rule(kind, rule):
    """Register `rule(user)` for communities of `kind` (from AppConfig.ready()).

    A rule never hides from a signed-in person a thread it shows an anonymous visitor
    (`thread_readers` relies on it)."""
    _hidden_thread_rules[kind] = rule


def hides_threads(kind):
    """Whether some threads of communities of `kind` may be hidden from some people
    (a rule is registered for the kind)."""
    return kind in _hidden_thread_rules


def hidden_threads_condition(user, kind=None):
    """A condition on Thread matching every thread hidden from `user` (of communities
    of `kind` only, when given), or None when none can be."""
    condition = None
    for rule_kind, rule in _hidden_thread_rules.items():
        if kind is not None and rule_kind != kind:
            continue
        hidden = rule(user)
        if hidden is None:
            continue
        hidden = Q(community__kind=rule_kind) & hidden
        condition = hidden if condition is None else condition | hidden
    return condition


def is_thread_hidden(user, thread):
    """Is `thread` hidden from `user` by its community kind's rule?"""
    rule = _hidden_thread_rules.get(thread.community.kind)
    if rule is None:
        return False
    hidden = rule(user)
    if hidden is None:
        return False
    return _remembered(
        ("thread_hidden", user.pk, thread.pk),
        lambda: Thread.objects.filter(pk=thread.pk).filter(hidden).exists(),
    )


def remember_hidden_threads(user, thread_ids):
    """Seed the scope with whether each of `thread_ids` is hidden from `user`, with one
    query (none when no rule applies), for lists that check many threads at once."""
    scope = _scope.get()
    if scope is None or scope.fresh or not thread_ids:
        return
    condition = hidden_threads_condition(user)
    hidden = (
        set(Thread.objects.filter(pk__in=thread_ids).filter(condition).values_list("pk", flat=True))
        if condition is not None
        else set()
    )
    for pk in thread_ids:
        scope[("thread_hidden", user.pk, pk)] = pk in hidden


def thread_visibility_changed(thread_id):
    """Forget what the scope knows of who sees `thread_id` (the owning app's rule
    changed its answer, e.g. its document was deleted or restored)."""
    scope = _scope.get()
    if scope is None:
        return
    _forget(
        *[
            key
            for key in list(scope)
            if isinstance(key, tuple)
            and len(key) == 3
            and key[0] == "thread_hidden"
            and key[2] == thread_id
        ]
    )


# --- communities ----------------------------------------------------------------------

# Membership states that let a person know a private community exists.
_SEES_PRIVATE = (State.ACTIVE, State.INVITED, State.PENDING)
# The roles that moderate a community (with site staff).
_MODERATING_ROLES = (Role.OWNER, Role.MODERATOR)

READ_REFUSAL = gettext_lazy("Only the members of this community can read it.")
LAST_OWNER_REFUSAL = gettext_lazy(
    "You are the only owner of this community: transfer the ownership to "
    "another member before leaving."
)


def can_see_community(user, community):
    """May the user know the community exists (its page, its name in lists)?"""
    if is_direct(community):
        # Staff learn of a conversation only when a participant reported a message
        # of it (they reach that message through the review queue).
        return (
            is_member(user, community) and not blocks_a_participant(user, community)
        ) or (is_site_staff(user) and is_reported_direct(community))
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
    if is_direct(community):
        # Participants only, never staff; hidden from a participant who blocked
        # another one (until they unblock).
        return is_member(user, community) and not blocks_a_participant(user, community)
    if community.visibility == Visibility.PUBLIC:
        return True
    return is_site_staff(user) or is_member(user, community)


def can_post_in_community(user, community):
    """May the user start threads and reply (active, unmuted member, or staff), in a
    community that is not read-only?"""
    if is_read_only(community):
        return False
    if is_site_staff(user):
        # Workspace discussions are confidential: staff read and moderate them, and
        # write only if they take part (they are then members).
        return not is_staff_reader(user, community)
    return is_member(user, community) and not is_muted(user, community)


def can_create_thread(user, community):
    # A direct conversation is its one room: no discussions in it.
    return not is_direct(community) and can_post_in_community(user, community)


def can_join_community(user, community):
    """May the user join at once, without an invitation (public communities)?"""
    if not is_verified(user) or is_managed_elsewhere(community):
        return False
    membership = membership_of(user, community)
    # A request left pending when a restricted community turned public joins at once.
    return community.visibility == Visibility.PUBLIC and (
        membership is None or membership.state == State.PENDING
    )


def can_accept_invitation(user, community):
    """Invitees with a confirmed address accept and become members at once."""
    if is_managed_elsewhere(community):
        return False
    return is_verified(user) and is_invited(user, community)


def require_join_community(user, community):
    """Raise PermissionDenied, saying why, unless the user may become a member at once:
    joining a public community or accepting an invitation (`memberships.community_join`)."""
    require(
        can_join_community(user, community) or can_accept_invitation(user, community),
        gettext_lazy("You cannot join this community."),
    )


def can_request_to_join(user, community):
    """May the user ask to join a restricted community?"""
    if not is_verified(user) or is_managed_elsewhere(community):
        return False
    return (
        community.visibility == Visibility.RESTRICTED
        and membership_of(user, community) is None
    )


def can_cancel_request(user, community):
    return is_pending(user, community)


def can_decline_invitation(user, community):
    return is_invited(user, community)


def _owner_count(community):
    return _remembered(
        ("owners", community.pk),
        lambda: Membership.objects.filter(
            community_id=community.pk, role=Role.OWNER, state=State.ACTIVE
        ).count(),
    )


def is_last_owner(user, community):
    """True for the only active owner, who must hand over before leaving.

    The one last-owner rule: the leave button, the members page and
    `memberships.community_leave` (under the community's row lock, in `fresh()`) ask it.
    """
    return is_owner(user, community) and _owner_count(community) <= 1


def can_leave_community(user, community):
    """Active members leave; the last owner must first hand the community over.
    Workspace participants leave the workspace instead."""
    if is_managed_elsewhere(community):
        return False
    return is_member(user, community) and not is_last_owner(user, community)


def require_leave_community(user, community):
    """Raise PermissionDenied for people who are not active members (banned people cannot
    clear their ban by leaving), and ValidationError (code `last_owner`) for the last
    owner: they can put it right by handing over, so pages show it as a notice."""
    require(not is_managed_elsewhere(community), MANAGED_ELSEWHERE_REFUSAL)
    require(
        is_member(user, community), gettext_lazy("You are not a member of this community.")
    )
    if is_last_owner(user, community):
        raise ValidationError(str(LAST_OWNER_REFUSAL), code="last_owner")


def can_moderate_community(user, community):
    """Owners, moderators and site staff moderate a community."""
    if is_site_staff(user):
        return True
    membership = membership_of(user, community)
    return _active(membership) and membership.role in _MODERATING_ROLES


def communities_moderated_by(user, queryset=None):
    """The communities `user` moderates (`can_moderate_community` for lists): where they
    are an active owner or moderator, and every one for site staff."""
    queryset = Community.objects.all() if queryset is None else queryset
    if is_site_staff(user):
        return queryset
    if not user.is_authenticated:
        return queryset.none()
    moderating = Membership.objects.filter(
        user=user,
        community=OuterRef("pk"),
        state=State.ACTIVE,
        role__in=_MODERATING_ROLES,
    )
    return queryset.filter(Exists(moderating))


def can_edit_community(user, community):
    """Owners (and site staff) edit name, description, themes and visibility; a
    workspace's discussion follows its workspace instead."""
    if is_managed_elsewhere(community):
        return False
    return is_site_staff(user) or is_owner(user, community)


def can_manage_roles(user, community):
    """Owners promote and demote moderators and transfer ownership (in a workspace's
    discussion the workspace's roles decide)."""
    return can_edit_community(user, community)


def can_transfer_ownership(user, community):
    """Owners hand the community over (site staff too, for abandoned communities)."""
    return can_manage_roles(user, community)


def can_decide_join_requests(user, community):
    return can_moderate_community(user, community)


def can_see_join_requests(user, community):
    """The queue of requests to join is for the people who decide them."""
    return can_decide_join_requests(user, community)


def can_invite_to_community(user, community):
    """Owners and moderators invite people (the only way into a private community);
    workspaces invite through their own invitations."""
    if is_managed_elsewhere(community):
        return False
    return can_moderate_community(user, community)


def can_see_members(user, community):
    """Member lists follow the content: anyone for public communities, members for the
    others (`memberships_visible_to` is the same rule for lists)."""
    return can_read_community(user, community)


def can_reinvite_banned(user, community):
    """Lifting a ban by invitation is for owners and site staff, not for moderators."""
    return can_manage_roles(user, community)


def require_reinvite_banned(user, community, *, invitee):
    """Raise PermissionDenied, naming `invitee`, unless the user may invite them back."""
    require(
        can_reinvite_banned(user, community),
        _("%(name)s is banned from this community; only an owner can invite them.")
        % {"name": invitee.name},
    )


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
    if is_managed_elsewhere(community) or not can_moderate_community(user, community):
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


def can_create_community(user):
    return is_verified(user)


require_create_community = requirement(
    can_create_community,
    gettext_lazy("Confirm your email address before creating a community."),
)
require_edit_community = requirement(
    can_edit_community, gettext_lazy("Only the owners can change this community.")
)
require_request_to_join = requirement(
    can_request_to_join, gettext_lazy("You cannot ask to join this community.")
)
require_cancel_request = requirement(
    can_cancel_request, gettext_lazy("You have no request waiting in this community.")
)
require_decline_invitation = requirement(
    can_decline_invitation, gettext_lazy("You have no invitation to this community.")
)
require_manage_roles = requirement(
    can_manage_roles, gettext_lazy("Only owners change roles.")
)
require_transfer_ownership = requirement(
    can_transfer_ownership, gettext_lazy("Only an owner can transfer the ownership.")
)
require_decide_join_requests = requirement(
    can_decide_join_requests,
    gettext_lazy("Only owners and moderators decide on requests."),
)
require_see_join_requests = requirement(
    can_see_join_requests, gettext_lazy("Only owners and moderators see requests to join.")
)
require_invite_to_community = requirement(
    can_invite_to_community, gettext_lazy("Only owners and moderators invite people.")
)
require_see_members = requirement(can_see_members)
require_change_role = requirement(
    can_change_role, gettext_lazy("Owners change hands only by transfer.")
)
require_sanction_member = requirement(
    can_sanction_member,
    gettext_lazy("You may not take this decision about this person."),
)
require_lift_ban = requirement(can_lift_ban, gettext_lazy("Only owners lift bans."))


# --- moderation: the moderator's home and the audit log -------------------------------


def can_see_moderation(user, community):
    """The moderator's home of a community is for its owners and moderators (in a
    workspace's discussion, its leads) and for site staff; moderators of another
    community have no power here. Direct conversations have none (their reported
    messages reach staff through the review queue only)."""
    return not is_direct(community) and can_moderate_community(user, community)


def can_see_audit_log(user, community):
    """The audit log (and its CSV export) is for the same people as the moderator's
    home: what moderators did is not shown to the members they did it to."""
    return can_see_moderation(user, community)


def can_change_moderation_settings(user, community):
    """Owners (a workspace's leads) and staff set the report threshold; moderators
    apply it."""
    return not is_direct(community) and (is_site_staff(user) or is_owner(user, community)) and not is_read_only(
        community
    )


def can_report_post(user, post):
    """Members who can read a post report it (not their own, not one already deleted
    or hidden; not its community's moderators, who act on it directly). Once per
    post: the service refuses a second report with a message."""
    if not user.is_authenticated or post.author_id == user.pk:
        return False
    if post.is_deleted or post.is_hidden:
        return False
    community = post.thread.community
    if not is_member(user, community) or is_read_only(community):
        return False
    # Moderators do not report: they hide the post themselves.
    return not can_moderate_community(user, community)


def can_see_review_queue(user, community):
    """The review queue of a community: its moderators and staff, like its home;
    a direct conversation's (the messages its participants reported): staff."""
    if is_direct(community):
        return is_site_staff(user)
    return can_see_moderation(user, community)


def can_review_posts(user, community):
    """Claim and decide review items: the community's moderators and staff, while the
    community may be written in (an archived workspace's discussion may not)."""
    return can_moderate_community(user, community) and not is_read_only(community)


def review_communities_condition(user):
    """A condition on ReviewItem: the items of communities `user` moderates (staff:
    every one), for the combined queue and the navigation's count."""
    if is_site_staff(user):
        return Q()
    if not user.is_authenticated:
        return Q(pk__in=[])
    moderating = Membership.objects.filter(
        user=user,
        community=OuterRef("community"),
        state=State.ACTIVE,
        role__in=_MODERATING_ROLES,
    )
    return Q(Exists(moderating))


def can_see_combined_queue(user):
    """The queue of every community one moderates: staff, and people who moderate at
    least one community."""
    if not user.is_authenticated:
        return False
    return is_site_staff(user) or communities_moderated_by(user).exists()


require_see_combined_queue = requirement(
    can_see_combined_queue, gettext_lazy("Only moderators have a review queue.")
)
require_change_moderation_settings = requirement(
    can_change_moderation_settings,
    gettext_lazy("Only this community's owners change its moderation settings."),
)
require_report_post = requirement(
    can_report_post, gettext_lazy("You cannot report this post.")
)
require_see_review_queue = requirement(
    can_see_review_queue,
    gettext_lazy("Only this community's owners and moderators see its review queue."),
)
require_review_posts = requirement(
    can_review_posts,
    gettext_lazy("Only this community's owners and moderators review reports."),
)
require_see_moderation = requirement(
    can_see_moderation,
    gettext_lazy("Only this community's owners and moderators see its moderation."),
)
require_see_audit_log = requirement(
    can_see_audit_log,
    gettext_lazy("Only this community's owners and moderators see its audit log."),
)


# --- moderation: people, claims and decisions (issue 10, area P) ---------------------


def can_take_over_review(user, community):
    """Owners (a workspace's leads) and staff take over an item another moderator
    holds (moderators wait for the claim to lapse: `REVIEW_CLAIM_MINUTES`)."""
    return can_change_moderation_settings(user, community)


def review_decisions_allowed(user, item, author_membership):
    """The decisions `user` may take on `item` (values of ReviewItem.Decision), given
    the author's membership row (None when they left or their account is gone): only
    these are offered, so a refusal never comes as a bare 403."""
    post = item.post
    if not can_review_posts(user, item.community):
        return []
    allowed = ["dismissed"]
    if can_hide_post(user, post):
        allowed.append("hidden")
        if post.is_hidden:
            allowed.append("restored")
    if can_remove_post(user, post):
        allowed.append("removed")
    if post.author_id is not None:
        allowed.append("warned")
    if author_membership is not None and can_sanction_member(user, author_membership):
        if author_membership.is_active:
            allowed.append("silenced")
        if author_membership.state != State.BANNED:
            allowed.append("banned")
    return allowed


def can_see_members_moderation(user, community):
    """The moderators' member list (states, sanctions, actions): the community's
    moderators and staff."""
    return can_see_moderation(user, community)


def member_actions_allowed(user, membership):
    """The member list's actions `user` may take on `membership` (codes of
    `MemberActionForm.ACTIONS`), each decided by the rule its service applies."""
    allowed = []
    if membership.state == State.ACTIVE and can_sanction_member(user, membership):
        allowed.append("warn")
        muted = membership.muted_until and membership.muted_until > timezone.now()
        allowed.append("unsilence" if muted else "silence")
        allowed.append("remove")
    if membership.state != State.BANNED and can_sanction_member(user, membership):
        allowed.append("ban")
    if can_lift_ban(user, membership):
        allowed.append("unban")
    if can_change_role(user, membership):
        allowed.append("demote" if membership.role == Role.MODERATOR else "promote")
    if can_suspend_account(user, membership.user):
        suspended = getattr(membership.user, "is_suspended", False)
        allowed.append("unsuspend" if suspended else "suspend")
    return allowed


require_see_members_moderation = requirement(
    can_see_members_moderation,
    gettext_lazy("Only this community's owners and moderators see this page."),
)
require_take_over_review = requirement(
    can_take_over_review,
    gettext_lazy("Only owners and staff take over another moderator's item."),
)


def can_suspend_account(user, person):
    """Site staff suspend accounts site-wide (not their own, not a superuser's unless
    they are one): the same rule as closing an account."""
    return can_deactivate_account(user, person)


require_suspend_account = requirement(
    can_suspend_account, gettext_lazy("Only site staff suspend accounts.")
)


# --- posting rules: slow mode, held posts, watched words (issue 10, R) ----------------


def is_exempt_from_posting_rules(user, community):
    """Owners, moderators and staff are not slowed, held or counted as new members
    (watched words apply to everyone: they are the community's vocabulary)."""
    return can_moderate_community(user, community)


def can_set_slow_mode(user, thread):
    """Moderators set a thread's or room's slow mode (as they lock it)."""
    return can_lock_thread(user, thread)


def can_see_moderation_settings(user, community):
    """The settings page: the community's moderators read it (they apply it)."""
    return can_see_moderation(user, community)


def can_manage_watched_words(user, community):
    """Moderators and owners (and staff) add and remove watched words."""
    return can_review_posts(user, community)


def can_decide_held_posts(user, community):
    """Moderators approve or reject held posts, like review items."""
    return can_review_posts(user, community)


def local_time_text(user, moment):
    """`moment` as a date and time in the person's time zone (their profile's, else
    the active one): refusals sent over the socket have no request to take it from."""
    zone = None
    name = getattr(user, "time_zone", "") or ""
    if name:
        try:
            zone = zoneinfo.ZoneInfo(name)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            zone = None
    return date_format(timezone.localtime(moment, zone), "DATETIME_FORMAT")


def muted_until(user, community):
    """When the user's silence in `community` ends (None when not silenced)."""
    if not is_muted(user, community):
        return None
    return membership_of(user, community).muted_until


require_set_slow_mode = requirement(
    can_set_slow_mode, gettext_lazy("Only moderators set slow mode.")
)
require_see_moderation_settings = requirement(
    can_see_moderation_settings,
    gettext_lazy("Only this community's owners and moderators see its settings."),
)
require_manage_watched_words = requirement(
    can_manage_watched_words,
    gettext_lazy("Only this community's owners and moderators manage watched words."),
)
require_decide_held_posts = requirement(
    can_decide_held_posts,
    gettext_lazy("Only this community's owners and moderators approve held posts."),
)


def access_held_post(user, community, held_id):
    """A held post of `community` for its moderators (checked first), else
    PermissionDenied; Http404 for one of another community or none."""
    require_see_review_queue(user, community)
    held = (
        HeldPost.objects.select_related(
            "community", "thread__community", "author__organisation", "decided_by"
        )
        .filter(pk=held_id, community=community)
        .first()
    )
    if held is None:
        raise Http404("No such held post.")
    return held


# --- threads and posts ----------------------------------------------------------------


class Reply(StrEnum):
    """What the bottom of a thread or room offers a person (`reply_state`)."""

    REPLY = "reply"  # the composer
    READ_ONLY = "read_only"  # nobody writes here now (an archived workspace)
    READER = "reader"  # site staff reading a workspace discussion they are not in
    LOCKED = "locked"  # nobody but moderators writes here now
    LOGIN = "login"  # visitors: log in or sign up
    MUTED = "muted"  # a member muted by a moderator
    JOIN = "join"  # joining (or accepting an invitation) lets them write
    REQUEST = "request"  # asking to join may, one day
    PENDING = "pending"  # their request waits for a moderator
    NONE = "none"  # nothing they can do (banned, unverified, outsiders of private ones)
    BLOCKED = "blocked"  # a direct conversation whose other person blocked them


def reply_state(user, thread):
    """Whether `user` may write in `thread` and, if not, why: the one reply rule.

    `can_reply` and `require_reply` are this answer; thread and room pages show the
    composer or the notice that matches it.
    """
    community = thread.community
    if is_read_only(community):
        return Reply.READ_ONLY
    if is_direct(community) and is_member(user, community) and is_blocked_in(
        user, community
    ):
        return Reply.BLOCKED
    if is_staff_reader(user, community):
        return Reply.READER
    if can_post_in_community(user, community):
        # Locked threads and rooms take messages from moderators only.
        if not thread.is_locked or can_moderate_community(user, community):
            return Reply.REPLY
        return Reply.LOCKED
    if thread.is_locked:
        return Reply.LOCKED
    if not user.is_authenticated:
        return Reply.LOGIN
    if is_muted(user, community):
        return Reply.MUTED
    if can_join_community(user, community) or can_accept_invitation(user, community):
        return Reply.JOIN
    if can_request_to_join(user, community):
        return Reply.REQUEST
    if can_cancel_request(user, community):
        return Reply.PENDING
    return Reply.NONE


def can_reply(user, thread):
    """Members reply to open threads; moderators also to locked ones."""
    return reply_state(user, thread) == Reply.REPLY


def require_reply(user, thread):
    """Raise PermissionDenied, saying why, unless `user` may write in `thread`."""
    state = reply_state(user, thread)
    if state == Reply.REPLY:
        return
    room = thread.kind == Thread.Kind.ROOM
    if state == Reply.READ_ONLY:
        message = read_only_refusal(thread.community)
    elif state == Reply.READER:
        message = str(STAFF_READER_REFUSAL)
    elif state == Reply.BLOCKED:
        message = str(BLOCKED_REFUSAL)
    elif state == Reply.LOCKED:
        message = _("This room is locked.") if room else _("This thread is locked.")
    elif state == Reply.MUTED:
        message = _(
            "A moderator has silenced you in this community until %(until)s: you "
            "can read but not write until then."
        ) % {"until": local_time_text(user, muted_until(user, thread.community))}
    else:
        message = (
            _("Only members of this community can write here.")
            if room
            else _("Only members of this community can reply.")
        )
    raise PermissionDenied(message)


def can_keep_draft(user, thread):
    """A composer's draft is kept for whoever may write in `thread` now."""
    return user.is_authenticated and can_reply(user, thread)


def require_composer(user):
    """Raise PermissionDenied unless `user` is signed in: the composer's helpers
    (preview, drafts, editing in place) are for people who write."""
    if not user.is_authenticated:
        raise PermissionDenied(_("Log in to write here."))


def require_keep_draft(user, thread):
    """Raise PermissionDenied, saying why, unless `user` may keep a draft here."""
    require_composer(user)
    require_reply(user, thread)


def can_see_draft(user, thread):
    """A kept draft is given back only while its author may still read `thread`
    (drafts never outlive a ban, a removal or a thread hidden from them)."""
    return user.is_authenticated and can_read_thread(user, thread)


def can_read_thread(user, thread):
    return can_read_community(user, thread.community) and not is_thread_hidden(
        user, thread
    )


def thread_readers(thread, people):
    """Those of `people` (a queryset of users) who may read `thread` now, as a
    queryset: `can_read_thread` decided in SQL for many people at once (active
    accounts only), for notifications and the like that tell a crowd.

    A hidden-threads rule (`register_hidden_threads_rule`) never hides from a signed-in
    person what it shows an anonymous visitor; so only a thread hidden from anonymous
    visitors is decided person by person (a deleted document's thread: rare)."""
    from django.contrib.auth.models import AnonymousUser

    community = thread.community
    people = people.filter(is_active=True)
    if is_direct(community):
        # Participants only (never staff), less those who blocked one of them.
        people = people.filter(
            Exists(
                Membership.objects.filter(
                    user=OuterRef("pk"), community_id=community.pk, state=State.ACTIVE
                )
            )
        ).exclude(
            Exists(
                Block.objects.filter(
                    blocker=OuterRef("pk"),
                    blocked__memberships__community_id=community.pk,
                    blocked__memberships__state=State.ACTIVE,
                )
            )
        )
        return people
    if community.visibility != Visibility.PUBLIC:
        people = people.filter(
            Q(is_staff=True)
            | Q(is_superuser=True)
            | Exists(
                Membership.objects.filter(
                    user=OuterRef("pk"), community_id=community.pk, state=State.ACTIVE
                )
            )
        )
    if community.kind in _hidden_thread_rules and is_thread_hidden(
        AnonymousUser(), thread
    ):
        allowed = [person.pk for person in people if not is_thread_hidden(person, thread)]
        people = people.model.objects.filter(pk__in=allowed)
    return people


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
    if is_read_only(post.thread.community):
        return False
    return is_member(user, post.thread.community) or is_site_staff(user)


def can_view_thread_history(user, thread):
    """Revision histories are for members (and staff), not for anonymous readers."""
    return is_site_staff(user) or is_member(user, thread.community)


def can_view_post_history(user, post):
    return can_view_thread_history(user, post.thread)


def can_lock_thread(user, thread):
    """Moderators lock and unlock threads and rooms (only moderators write in locked ones)."""
    community = thread.community
    return can_moderate_community(user, community) and not is_read_only(community)


def can_pin_thread(user, thread):
    community = thread.community
    return can_moderate_community(user, community) and not is_read_only(community)


def can_hide_post(user, post):
    """Moderators hide posts from everyone (a placeholder stays) and show them again."""
    community = post.thread.community
    return can_moderate_community(user, community) and not is_read_only(community)


def can_quote_post(user, post):
    return post.is_visible_content and can_reply(user, post.thread)


# --- reactions -------------------------------------------------------------------------


def can_react_post(user, post):
    """Those who may write in the post's thread react to it (`reply_state`: not a
    silenced or banned member, not in a locked thread unless moderating, not staff
    reading a workspace); a hidden or deleted post takes no reactions. Readers who
    may not write see the counts only."""
    return post.is_visible_content and can_reply(user, post.thread)


def require_react_post(user, post):
    """Raise PermissionDenied, saying why, unless `user` may react to `post`."""
    require(
        post.is_visible_content,
        gettext_lazy("This post is hidden or deleted: it takes no reactions."),
    )
    require_reply(user, post.thread)


def require_create_thread(user, community):
    """Raise PermissionDenied, saying why, unless the user may start a thread here."""
    refusal = read_only_refusal(community)
    require(refusal is None, refusal)
    require(not is_staff_reader(user, community), STAFF_READER_REFUSAL)
    require(
        can_create_thread(user, community),
        gettext_lazy("Only members of this community can start threads."),
    )
require_edit_post = requirement(
    can_edit_post, gettext_lazy("You can only edit your own posts.")
)
require_delete_post = requirement(
    can_delete_post, gettext_lazy("You can only delete your own posts.")
)
require_view_post_history = requirement(
    can_view_post_history,
    gettext_lazy("Only members of this community can see edit histories."),
)
require_lock_thread = requirement(
    can_lock_thread, gettext_lazy("Only moderators lock threads.")
)
require_pin_thread = requirement(can_pin_thread, gettext_lazy("Only moderators pin threads."))
require_hide_post = requirement(can_hide_post, gettext_lazy("Only moderators hide posts."))


# --- moderation: thread and room tools, deleting and seeing hidden posts (T) -----------


def can_see_hidden_post(user, post):
    """A hidden post's text, marked "hidden by a moderator", is for the community's
    moderators and staff (who may show it again); readers see the placeholder. A
    deleted post's text is for nobody."""
    if not post.is_hidden or post.is_deleted:
        return False
    return can_moderate_community(user, post.thread.community)


def can_remove_post(user, post):
    """Moderators delete posts and room messages ("removed by a moderator"), unlike
    hiding for good: nobody sees the text again, moderators included."""
    return not post.is_deleted and can_hide_post(user, post)


def can_moderate_post(user, post):
    """The post's moderation page (hide, show again, delete): for its moderators
    while something is left to act on."""
    return can_remove_post(user, post)


def can_rename_thread(user, thread):
    """Moderators rename threads and rooms."""
    return can_lock_thread(user, thread)


def _tools_community(community):
    """Threads move, split and merge only between communities of the network:
    a workspace's discussion keeps its threads (its tasks and documents link them)."""
    return not is_managed_elsewhere(community) and not is_read_only(community)


def can_move_thread(user, thread):
    """Moderators move a thread or room out of their community (to another one they
    moderate, `can_move_thread_to`)."""
    return _tools_community(thread.community) and can_lock_thread(user, thread)


def can_move_thread_to(user, thread, community):
    """Moving needs the moderator's rights in both communities."""
    return (
        community.pk != thread.community_id
        and can_move_thread(user, thread)
        and _tools_community(community)
        and can_moderate_community(user, community)
    )


def communities_to_move_to(user, thread):
    """Where `user` may move `thread`: the other network communities they moderate."""
    return communities_moderated_by(
        user,
        Community.objects.filter(kind=Community.Kind.COMMUNITY).exclude(
            pk=thread.community_id
        ),
    ).order_by("name")


def can_split_thread(user, thread):
    """Moderators take posts out of a discussion into a new one (not rooms)."""
    return (
        thread.kind == Thread.Kind.DISCUSSION
        and _tools_community(thread.community)
        and can_lock_thread(user, thread)
    )


def can_merge_thread(user, thread, target=None):
    """Moderators merge a discussion into another (`target`, when known) that they
    also moderate; rooms are not merged."""
    if not can_split_thread(user, thread):
        return False
    if target is None:
        return True
    return (
        target.pk != thread.pk
        and target.kind == Thread.Kind.DISCUSSION
        and _tools_community(target.community)
        and can_moderate_community(user, target.community)
    )


def access_merged_thread(user, thread_id):
    """The thread that took the posts of merged thread `thread_id`, if `user` may
    read it; else Http404 (as for a thread that never was)."""
    redirect = (
        ThreadRedirect.objects.filter(old_thread_id=thread_id)
        .values_list("thread_id", flat=True)
        .first()
    )
    if redirect is None:
        raise Http404("No such thread.")
    return access_thread(user, redirect)


require_remove_post = requirement(
    can_remove_post, gettext_lazy("Only moderators delete other people's posts.")
)
require_moderate_post = requirement(
    can_moderate_post, gettext_lazy("Only moderators act on this post.")
)
require_rename_thread = requirement(
    can_rename_thread, gettext_lazy("Only moderators rename threads and rooms.")
)
require_move_thread = requirement(
    can_move_thread, gettext_lazy("Only moderators move threads.")
)
require_split_thread = requirement(
    can_split_thread, gettext_lazy("Only moderators split discussions.")
)
require_merge_thread = requirement(
    can_merge_thread, gettext_lazy("Only moderators merge discussions.")
)


def require_move_thread_to(user, thread, community):
    require(
        can_move_thread_to(user, thread, community),
        gettext_lazy("You can only move a thread to another community you moderate."),
    )


def require_merge_thread_into(user, thread, target):
    require(
        can_merge_thread(user, thread, target),
        gettext_lazy(
            "You can only merge a discussion into another discussion you moderate."
        ),
    )


# --- rooms ----------------------------------------------------------------------------


def can_create_room(user, community):
    """Owners and moderators (and site staff) open standing chat rooms, not in a
    read-only community, nor staff in one they only read."""
    return (
        can_moderate_community(user, community)
        and not is_read_only(community)
        and not is_staff_reader(user, community)
    )


def can_promote_post(user, post):
    """A room message becomes a discussion by its author (who may start threads) or a
    moderator; removed messages have nothing left to continue."""
    if post.thread.kind != Thread.Kind.ROOM or not post.is_visible_content:
        return False
    community = post.thread.community
    if is_direct(community):
        return False  # a private conversation does not turn into a discussion
    if is_read_only(community) or is_staff_reader(user, community):
        return False
    if can_moderate_community(user, community):
        return True
    return (
        user.is_authenticated
        and post.author_id == user.pk
        and can_create_thread(user, community)
    )


def can_accept_answer(user, post):
    """A question's author (while they may write in its community) or its moderators
    mark a visible reply as the accepted answer, and take the mark back; not in a
    read-only community, nor staff who only read it. Never the question itself."""
    thread = post.thread
    if thread.kind != Thread.Kind.DISCUSSION or not thread.is_question:
        return False
    if post.number <= 1 or not post.is_visible_content:
        return False
    return can_mark_answers(user, thread)


def can_mark_answers(user, thread):
    """Whether `user` marks answers in the question `thread` at all (the page's
    controls); `can_accept_answer` decides for one post."""
    if thread.kind != Thread.Kind.DISCUSSION or not thread.is_question:
        return False
    community = thread.community
    if is_read_only(community) or is_staff_reader(user, community):
        return False
    if can_moderate_community(user, community):
        return True
    # The author decides while the thread is open and they may still post here.
    return (
        user.is_authenticated
        and thread.author_id == user.pk
        and not thread.is_locked
        and can_post_in_community(user, community)
    )


require_accept_answer = requirement(
    can_accept_answer,
    gettext_lazy(
        "Only the question's author or a moderator marks the accepted answer, and "
        "only on a visible reply."
    ),
)
require_mark_answers = requirement(
    can_mark_answers,
    gettext_lazy("Only the question's author or a moderator marks the accepted answer."),
)


def can_mark_read(user, thread):
    """Signed-in readers keep a read position (their unread counts)."""
    return user.is_authenticated and can_read_thread(user, thread)


# --- notification levels ----------------------------------------------------------------


def can_set_thread_level(user, thread):
    """Signed-in readers of a thread or room choose how closely they follow it, members
    or not (as Discourse lets anyone watch a topic they can read); a member banned
    from the community does not follow it any more."""
    return can_mark_read(user, thread) and not is_banned(user, thread.community)


def can_set_community_level(user, community):
    """Active members choose how closely they follow a community (workspaces: their
    participants, through the discussion's membership); the level lives on the
    membership row, so people without one have none to set."""
    return is_member(user, community)


require_set_thread_level = requirement(
    can_set_thread_level,
    gettext_lazy("Only readers of this conversation can choose how to follow it."),
)
require_set_community_level = requirement(
    can_set_community_level,
    gettext_lazy("Only members can choose how to follow this community."),
)


require_create_room = requirement(
    can_create_room, gettext_lazy("Only owners and moderators can open rooms.")
)
require_promote_post = requirement(
    can_promote_post,
    gettext_lazy("Only its author or a moderator can start a thread from this message."),
)
require_mark_read = requirement(
    can_mark_read,
    gettext_lazy("Only readers of this conversation can keep a read position."),
)


# --- organisations --------------------------------------------------------------------

LAST_ADMIN_REFUSAL = gettext_lazy(
    "You are the only administrator of this organisation: make another member "
    "administrator before leaving."
)
NO_ADMIN_LEFT_REFUSAL = gettext_lazy("An organisation needs at least one administrator.")


def affiliation_of(user, organisation):
    """The user's affiliation row with `organisation` (any state) or None."""
    if not user.is_authenticated:
        return None
    return _remembered(
        ("affiliation", user.pk, organisation.pk),
        lambda: Affiliation.objects.filter(user=user, organisation=organisation).first(),
    )


def _admin_count(organisation):
    return _remembered(
        ("admins", organisation.pk),
        lambda: Affiliation.objects.filter(
            organisation_id=organisation.pk,
            role=Affiliation.Role.ADMIN,
            state=Affiliation.State.ACTIVE,
        ).count(),
    )


def _keeps_another_admin(organisation):
    """The one last-admin rule: an admin may stop being one only while another remains."""
    return _admin_count(organisation) > 1


def can_create_organisation(user):
    return is_verified(user)


def is_organisation_admin(user, organisation):
    affiliation = affiliation_of(user, organisation)
    return bool(
        affiliation
        and affiliation.state == Affiliation.State.ACTIVE
        and affiliation.role == Affiliation.Role.ADMIN
    )


def is_organisation_member(user, organisation):
    """An active affiliation (admin or member) links the user to the organisation."""
    affiliation = affiliation_of(user, organisation)
    return bool(affiliation and affiliation.state == Affiliation.State.ACTIVE)


def is_last_organisation_admin(user, organisation):
    """True for the only active admin, who must name another before leaving."""
    return is_organisation_admin(user, organisation) and not _keeps_another_admin(
        organisation
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


def can_withdraw_affiliation(user, organisation):
    """People waiting for approval may withdraw their request."""
    affiliation = affiliation_of(user, organisation)
    return bool(affiliation and affiliation.state == Affiliation.State.PENDING)


def can_manage_organisation_roles(user, organisation):
    """Organisation admins (and site staff) name and remove other admins."""
    return can_edit_organisation(user, organisation)


def can_remove_organisation_admin(user, organisation):
    """Admins (and staff) take the admin role from an admin while another one remains."""
    return can_manage_organisation_roles(user, organisation) and _keeps_another_admin(
        organisation
    )


def can_leave_organisation(user, organisation):
    """Members leave; the last admin must first name another admin."""
    return is_organisation_member(user, organisation) and not is_last_organisation_admin(
        user, organisation
    )


def require_leave_organisation(user, organisation):
    """Raise PermissionDenied for people who are not active members, and ValidationError
    for the last admin (they can put it right by naming another admin)."""
    require(
        is_organisation_member(user, organisation),
        gettext_lazy("You are not a member of this organisation."),
    )
    if is_last_organisation_admin(user, organisation):
        raise ValidationError(str(LAST_ADMIN_REFUSAL), code="last_admin")


require_create_organisation = requirement(
    can_create_organisation,
    gettext_lazy("Confirm your email address before creating an organisation."),
)
require_edit_organisation = requirement(
    can_edit_organisation,
    gettext_lazy("Only the organisation's administrators may edit it."),
)
require_decide_affiliations = requirement(can_decide_affiliations)
require_request_affiliation = requirement(
    can_request_affiliation,
    gettext_lazy("Confirm your email address before asking to join an organisation."),
)
require_manage_organisation_roles = requirement(
    can_manage_organisation_roles,
    gettext_lazy("Only the organisation's administrators may change roles."),
)


def require_remove_organisation_admin(user, organisation):
    """Raise PermissionDenied unless the user manages the organisation's roles, and
    ValidationError when the admin role would go from its last holder."""
    require_manage_organisation_roles(user, organisation)
    if not _keeps_another_admin(organisation):
        raise ValidationError(str(NO_ADMIN_LEFT_REFUSAL), code="last_admin")


# --- people ---------------------------------------------------------------------------


def can_edit_profile(user, person):
    """People edit only their own profile (avatar, bio, language, ...)."""
    return bool(user.is_authenticated and user.is_active and user.pk == person.pk)


def can_deactivate_account(user, person):
    """Site staff close and reopen accounts: not their own, and a superuser's only
    when they are superusers themselves."""
    if not is_site_staff(user) or user.pk == person.pk:
        return False
    return user.is_superuser or not person.is_superuser


def can_save_language(user):
    """Signed-in people keep their interface language in their profile."""
    return user.is_authenticated


require_edit_profile = requirement(can_edit_profile)
require_save_language = requirement(
    can_save_language, gettext_lazy("Log in to save a language.")
)
require_deactivate_account = requirement(
    can_deactivate_account, gettext_lazy("You may not close or reopen this account.")
)


# --- visibility querysets -------------------------------------------------------------


def communities_visible_to(user, queryset=None):
    """Communities whose existence the user may know about."""
    queryset = Community.objects.all() if queryset is None else queryset
    if is_site_staff(user):
        return queryset.filter(
            ~Q(kind=Community.Kind.DIRECT)
            | Q(is_member_condition(user, OuterRef("pk")))
            | Q(Exists(ReviewItem.objects.filter(community=OuterRef("pk"))))
        )
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
        # Staff read everything but direct conversations they are not part of.
        return queryset.filter(
            ~Q(kind=Community.Kind.DIRECT)
            | (
                Q(is_member_condition(user, OuterRef("pk")))
                & ~Q(blocked_participant_condition(user))
            )
        )
    if not user.is_authenticated:
        return queryset.filter(visibility=Visibility.PUBLIC)
    return queryset.filter(
        Q(visibility=Visibility.PUBLIC) | Q(is_member_condition(user, OuterRef("pk")))
    ).exclude(Q(kind=Community.Kind.DIRECT) & Q(blocked_participant_condition(user)))


def memberships_visible_to(user, queryset=None):
    """Active memberships the user may see listed: those of communities whose member
    list they may see (`can_see_members`), e.g. on a person's profile."""
    queryset = Membership.objects.all() if queryset is None else queryset
    return queryset.filter(
        state=State.ACTIVE, community__in=communities_readable_by(user)
    )


def threads_visible_to(user, queryset=None):
    queryset = Thread.objects.all() if queryset is None else queryset
    queryset = queryset.filter(community__in=communities_readable_by(user))
    hidden = hidden_threads_condition(user)
    return queryset if hidden is None else queryset.exclude(hidden)


def posts_visible_to(user, queryset=None):
    queryset = Post.objects.all() if queryset is None else queryset
    queryset = queryset.filter(thread__community__in=communities_readable_by(user))
    hidden = hidden_threads_condition(user)
    if hidden is None:
        return queryset
    return queryset.exclude(thread__in=Thread.objects.filter(hidden).values("pk"))


def readers_of(community, queryset=None):
    """People who may read `community`'s threads now, for suggesting whom to mention
    (`queryset`: among these people): active accounts, and for a community that is
    not public only its active members; never anyone banned from it. (Site staff
    read everything but are suggested only where they belong.)"""
    from .models import User

    queryset = User.objects.all() if queryset is None else queryset
    queryset = queryset.filter(is_active=True).exclude(
        pk__in=Membership.objects.filter(
            community=community, state=State.BANNED
        ).values("user_id")
    )
    if community.visibility == Visibility.PUBLIC:
        return queryset
    return queryset.filter(
        pk__in=Membership.objects.filter(
            community=community, state=State.ACTIVE
        ).values("user_id")
    )


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
    if action == "read":
        require(can_read_community(user, community), READ_REFUSAL)
    return community


def _thread_row(thread_id, user=None):
    """The thread with its community; with `user`'s membership of its community read
    in the same statement (a join), kept for the scope like any membership
    `membership_of` reads."""
    rows = Thread.objects.select_related("community")
    scope = _scope.get()
    remember = scope is not None and user is not None and user.is_authenticated
    if remember:
        rows = rows.annotate(
            viewer_membership=FilteredRelation(
                "community__memberships",
                condition=Q(community__memberships__user_id=user.pk),
            ),
            # Not a permission: the reader's read position and level, which the
            # thread and room pages show, joined here so they cost no statement.
            viewer_position=FilteredRelation(
                "read_positions", condition=Q(read_positions__user_id=user.pk)
            ),
            # And their unsent draft, which the composer gives back.
            viewer_draft=FilteredRelation(
                "drafts", condition=Q(drafts__author_id=user.pk)
            ),
        ).select_related("viewer_membership", "viewer_position", "viewer_draft")
    # One row at most: `first()` would order by id, a fifth of the statement's cost.
    thread = next(iter(rows.filter(pk=thread_id)[:1]), None)
    if remember and thread is not None:
        # No membership row: the join leaves no attribute at all.
        scope["membership", user.pk, thread.community_id] = getattr(
            thread, "viewer_membership", None
        )
        thread.reader_position = getattr(thread, "viewer_position", None)
        thread.reader_draft = getattr(thread, "viewer_draft", None)
    return thread


def _readable(user, thread, community_slug=None):
    """`thread` (a row or None) if `user` may read it, else Http404/PermissionDenied."""
    if thread is None or (community_slug is not None and thread.community.slug != community_slug):
        raise Http404("No such thread.")
    if not can_see_community(user, thread.community) or is_thread_hidden(user, thread):
        raise Http404("No such thread.")
    if is_direct(thread.community) and not can_read_community(user, thread.community):
        # Staff who know of a reported conversation still find nothing to read.
        raise Http404("No such thread.")
    require(can_read_thread(user, thread), READ_REFUSAL)
    return thread


def access_thread(user, thread_id, *, community_slug=None):
    """Return a readable thread (with its community) or raise Http404."""
    return _readable(user, _thread_row(thread_id, user), community_slug)


def access_thread_for_each(users, thread_id):
    """`access_thread` for several people at once (posts that arrive together): one
    thread query and one membership query. Returns {person's pk: the thread, or the
    Http404/PermissionDenied that refuses it}; all get the same thread object."""
    # Posting needs the thread and its community, not its author's profile.
    thread = Thread.objects.select_related("community").filter(pk=thread_id).first()
    if thread is not None:
        read_memberships(users, thread.community)
    answers = {}
    for user in users:
        try:
            answers[user.pk] = _readable(user, thread)
        except (Http404, PermissionDenied) as error:
            answers[user.pk] = error
    return answers


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
    if is_thread_hidden(user, post.thread):
        raise Http404("No such post.")
    if is_direct(post.thread.community) and not can_read_community(
        user, post.thread.community
    ):
        raise Http404("No such post.")
    require(can_read_thread(user, post.thread), READ_REFUSAL)
    return post


def can_attach_files(user, thread):
    """Files go with posts: whoever may write in `thread` may upload them for it."""
    return can_reply(user, thread)


def require_attach_files(user, thread):
    """Raise PermissionDenied, saying why, unless `user` may upload files for `thread`."""
    require_reply(user, thread)


def can_attach_in_community(user, community):
    """Files go with posts: whoever may start a thread in `community` may upload them
    for its first post, before the thread exists (the new-thread form)."""
    return can_create_thread(user, community)


def require_attach_in_community(user, community):
    """Raise PermissionDenied, saying why, unless `user` may upload files for a new
    thread in `community`."""
    require_create_thread(user, community)


def access_attachment(user, attachment_id):
    """Return an attachment `user` may download now (with its post, thread and
    community), else raise Http404 (missing and forbidden alike).

    A pending upload (not sent yet, for a thread or for a new thread in a
    community) is its uploader's alone. A sent one follows its post at this moment:
    the thread's readers, unless the post was deleted (by its author or a moderator:
    the file is gone for everyone) or hidden (then only those who see hidden posts,
    `can_see_hidden_post`).
    """
    attachment = (
        Attachment.objects.select_related("post__thread__community")
        .filter(pk=attachment_id)
        .first()
    )
    if attachment is None:
        raise Http404("No such attachment.")
    post = attachment.post
    if post is None:
        if not user.is_authenticated or attachment.uploaded_by_id != user.pk:
            raise Http404("No such attachment.")
        return attachment
    try:
        _readable(user, post.thread)
    except PermissionDenied:
        raise Http404("No such attachment.") from None
    if post.is_deleted:
        raise Http404("No such attachment.")
    if post.is_hidden and not can_see_hidden_post(user, post):
        raise Http404("No such attachment.")
    return attachment


def access_review_item(user, community, item_id):
    """Return a review item of `community` for its moderators (checked first, so
    others learn nothing of what was reported), else PermissionDenied; Http404 for an
    item of another community or none."""
    require_see_review_queue(user, community)
    item = (
        ReviewItem.objects.select_related(
            "community",
            "post__thread__community",
            "post__author__organisation",
            "claimed_by",
            "decided_by",
        )
        .filter(pk=item_id, community=community)
        .first()
    )
    # A thread its kind's rule hides from this moderator is missing for them here too.
    if item is None or is_thread_hidden(user, item.post.thread):
        raise Http404("No such review item.")
    return item


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
    require_decide_affiliations(user, organisation)
    affiliation = (
        Affiliation.objects.select_related("user__organisation", "organisation")
        .filter(pk=affiliation_id, organisation=organisation)
        .first()
    )
    if affiliation is None:
        raise Http404("No such affiliation.")
    return affiliation


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
