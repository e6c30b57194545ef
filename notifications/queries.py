"""Reading notifications: a person's unread count (a navigation figure and the bell's
JSON), their list as a page or the bell's dropdown shows it, each checked again now.

A page of rows costs a constant number of queries whatever it holds: the rows with
what they are about, then the person's memberships, participations, hidden threads,
workspaces, tasks and invitations for the whole page at once."""

from django.db.models import Exists, F, Func, OuterRef, Q, Subquery, Value
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from community import permissions
from community.models import Community, Membership, ReadPosition, User
from innovation.anonymity import seeker_shown
from innovation.models import Challenge, ExpressionOfInterest, Proposal, TechnologyOffer
from workspaces import permissions as workspace_permissions
from workspaces.models import Invitation, Task, Workspace

from .models import Notification
from .visibility import can_see

Kind = Notification.Kind

# The page's filters: groups of kinds, by the name the address carries.
GROUPS = {
    "mentions": ((Kind.MENTION, Kind.QUOTE), _("Mentions and quotes")),
    "direct": ((Kind.DIRECT,), _("Direct messages")),
    "replies": (
        (Kind.REPLY_THREAD, Kind.WATCHING, Kind.NEW_THREAD),
        _("Replies and watched news"),
    ),
    "membership": (
        (Kind.INVITATION, Kind.JOIN_APPROVED, Kind.JOIN_DECLINED, Kind.ROLE_CHANGED),
        _("Invitations and memberships"),
    ),
    "workspaces": (
        (Kind.WORKSPACE_ADDED, Kind.TASK_ASSIGNED, Kind.TASK_DUE, Kind.DOCUMENT),
        _("Workspaces, tasks and documents"),
    ),
    "reactions": ((Kind.REACTION,), _("Reactions")),
    "moderation": ((Kind.MODERATION,), _("Moderation")),
    "offers": ((Kind.INTEREST, Kind.OFFER_EXPIRY), _("Technology offers")),
    "innovation": ((Kind.INNOVATION,), _("Open innovation")),
    "matches": ((Kind.NEW_MATCH,), _("New matches")),
    "desk": (
        (Kind.DESK_DECISION, Kind.DESK_HELP, Kind.INTRODUCTION),
        _("Innovation desk"),
    ),
}


# Kinds whose one unread row stands for every post since it began in a thread: its
# count and latest poster are read from the thread at display, and reading the
# thread to its last post settles it (see `settled_q`).
COALESCED = (Kind.WATCHING, Kind.REPLY_THREAD, Kind.DIRECT)


def settled_q():
    """Unread rows of a coalesced kind whose thread their recipient has since read to
    its last post: they count as read, without a write (a correlated EXISTS)."""
    return Q(kind__in=COALESCED) & Exists(
        ReadPosition.objects.filter(
            user_id=OuterRef("recipient_id"),
            thread_id=OuterRef("thread_id"),
            last_read_number__gte=OuterRef("thread__post_count"),
        )
    )


def unread(queryset):
    """The rows of `queryset` still unread: not marked read, not settled by reading."""
    return queryset.filter(read_at__isnull=True).exclude(settled_q())


def unread_count_expression(person):
    """The unread count of `person` as a subquery, for the navigation's one statement
    (`community.queries.navigation.register_figure`)."""
    return Subquery(
        unread(Notification.objects.filter(recipient_id=person.pk))
        .order_by()
        .values(one=Value(1))
        .annotate(count=Func(F("pk"), function="COUNT"))
        .values("count")
    )


def unread_count(person):
    return unread(Notification.objects.filter(recipient_id=person.pk)).count()


def with_reading(rows):
    """`rows` (a Notification queryset) with what a coalesced row's display needs in
    the same statement: its recipient's read position in the thread (`read_upto`) and
    the thread's last poster."""
    return rows.select_related("post__thread__last_poster").annotate(
        read_upto=Subquery(
            ReadPosition.objects.filter(
                user_id=OuterRef("recipient_id"), thread_id=OuterRef("thread_id")
            ).values("last_read_number")[:1]
        )
    )


def notifications_of(person, *, unread_only=False, group=None):
    """`person`'s notifications, latest news first, with what each is about loaded."""
    rows = with_reading(
        Notification.objects.filter(recipient_id=person.pk).select_related(
            "actor", "community", "thread__community", "post__thread__community"
        )
    )
    if unread_only:
        rows = unread(rows)
    if group in GROUPS:
        rows = rows.filter(kind__in=GROUPS[group][0])
    return rows.order_by("-updated_at", "-pk")


def _attach_offers(notifications):
    """Attach each interest or offer-expiry row's interest or offer (`item`)."""
    interests = {n.item_ref for n in notifications if n.kind == Kind.INTEREST}
    offers = {n.item_ref for n in notifications if n.kind == Kind.OFFER_EXPIRY}
    interests = (
        ExpressionOfInterest.objects.select_related(
            "offer__organisation", "organisation"
        ).in_bulk(interests)
        if interests
        else {}
    )
    offers = (
        TechnologyOffer.objects.select_related("organisation").in_bulk(offers)
        if offers
        else {}
    )
    for n in notifications:
        if n.kind == Kind.INTEREST:
            n.offer_item = interests.get(n.item_ref)
        elif n.kind == Kind.OFFER_EXPIRY:
            n.offer_item = offers.get(n.item_ref)


def attach(notifications):
    """Attach to each row its workspace, item (task, invitation) and the thread it
    names (`about_thread`), reading each table once for all the rows; returns the ids
    of the threads and communities named."""
    workspace_ids = {n.workspace_id_ref for n in notifications if n.workspace_id_ref}
    tasks = {
        n.item_ref
        for n in notifications
        if n.kind in (Kind.TASK_ASSIGNED, Kind.TASK_DUE) and n.item_ref
    }
    invitations = {
        n.item_ref
        for n in notifications
        if n.kind == Kind.INVITATION and n.workspace_id_ref and n.item_ref
    }
    workspaces = Workspace.objects.in_bulk(workspace_ids) if workspace_ids else {}
    tasks = Task.objects.in_bulk(tasks) if tasks else {}
    invitations = (
        Invitation.objects.select_related("workspace").in_bulk(invitations)
        if invitations
        else {}
    )
    _attach_offers(notifications)
    desk_items = _desk_items(notifications)
    _coalesced_now(notifications)
    _attach_innovation(notifications)
    threads = set()
    communities = set()
    for n in notifications:
        n.workspace = workspaces.get(n.workspace_id_ref)
        n.item = None
        if n.kind == Kind.INVITATION and n.workspace_id_ref:
            n.item = invitations.get(n.item_ref)
            n.workspace = n.item.workspace if n.item is not None else None
        elif n.kind in (Kind.TASK_ASSIGNED, Kind.TASK_DUE):
            n.item = tasks.get(n.item_ref)
        elif n.kind == Kind.INNOVATION:
            n.item = n.innovation_item
        elif n.kind in DESK_ITEM_KINDS:
            n.item = desk_items.get((n.detail, n.item_ref))
        # The thread the notification names (a post's, or its own).
        n.about_thread = n.post.thread if n.post_id else n.thread
        if n.about_thread is not None:
            threads.add(n.about_thread.pk)
            communities.add(n.about_thread.community_id)
    return threads, communities, workspace_ids


def _attach_innovation(notifications):
    """For open-innovation rows: the proposal (or, for an answered question, the
    challenge) as `innovation_item`, its challenge as `challenge`, and the seeker as
    the recipient may read it (`seeker`: a name or an anonymous description)."""
    rows = [n for n in notifications if n.kind == Kind.INNOVATION and n.item_ref]
    if not rows:
        return
    on_challenge = {n.item_ref for n in rows if n.event_type == "question.answered"}
    on_proposal = {n.item_ref for n in rows if n.event_type != "question.answered"}
    challenges = (
        Challenge.objects.select_related("organisation").in_bulk(on_challenge)
        if on_challenge
        else {}
    )
    proposals = (
        Proposal.objects.select_related(
            "challenge__organisation", "organisation"
        ).in_bulk(on_proposal)
        if on_proposal
        else {}
    )
    recipients = User.objects.in_bulk({n.recipient_id for n in rows})
    for n in rows:
        if n.event_type == "question.answered":
            item = challenges.get(n.item_ref)
            challenge = item
        else:
            item = proposals.get(n.item_ref)
            challenge = item.challenge if item is not None else None
        n.innovation_item = item
        n.challenge = challenge
        recipient = recipients.get(n.recipient_id)
        n.seeker = (
            seeker_shown(challenge, recipient)
            if challenge is not None and recipient is not None
            else ""
        )
# Notifications about a firm's challenge or offer (`detail` names which).
DESK_ITEM_KINDS = (Kind.DESK_DECISION, Kind.DESK_HELP)


def _desk_items(notifications):
    """{(kind, id): the challenge or offer} the desk's notifications name, one query
    per model."""
    from innovation.models import Challenge, TechnologyOffer

    wanted = {"challenge": set(), "offer": set()}
    for n in notifications:
        if n.kind in DESK_ITEM_KINDS and n.detail in wanted and n.item_ref:
            wanted[n.detail].add(n.item_ref)
    found = {}
    for kind, model in (("challenge", Challenge), ("offer", TechnologyOffer)):
        if wanted[kind]:
            # The organisation names a help request's firm to the desk.
            items = model.objects.select_related("organisation").in_bulk(wanted[kind])
            for pk, item in items.items():
                found[(kind, pk)] = item
    return found


def _coalesced_now(notifications):
    """For each unread row of a coalesced kind, what it stands for now, from its
    thread: `count` the posts its recipient has not read since it began, `actor` the
    thread's last poster, and `settled` (shown and treated as read) when they have
    read to the last post. A row marked read keeps what it stored when it was. The
    read positions come with the rows (`with_reading`), else in one query."""
    rows = [
        n
        for n in notifications
        if n.kind in COALESCED and n.post_id is not None and n.read_at is None
    ]
    missing = [n for n in rows if not hasattr(n, "read_upto")]
    if missing:
        found = {
            (user, thread): number
            for user, thread, number in ReadPosition.objects.filter(
                user_id__in={n.recipient_id for n in missing},
                thread_id__in={n.thread_id for n in missing},
            ).values_list("user_id", "thread_id", "last_read_number")
        }
        for n in missing:
            n.read_upto = found.get((n.recipient_id, n.thread_id))
    for n in rows:
        thread = n.post.thread
        began = n.post.number - 1
        read = n.read_upto or 0
        if read >= thread.post_count:
            n.settled = True
            n.count = max(thread.post_count - began, 1)
        else:
            n.count = max(thread.post_count - max(read, began), 1)
        if thread.last_poster_id is not None:
            n.actor = thread.last_poster


def _load(person, notifications):
    """`attach`, and tell the permission scope the person's memberships,
    participations and hidden threads for all the rows at once."""
    threads, communities, workspace_ids = attach(notifications)
    if communities:
        permissions.remember_memberships(
            person,
            [Community(pk=pk) for pk in communities],
            Membership.objects.filter(user=person, community_id__in=communities),
        )
    permissions.remember_hidden_threads(person, threads)
    workspace_permissions.remember_participants(person, workspace_ids)


def visible(person, notifications):
    """Those of `notifications` `person` may still see now (permissions checked at
    display: a post since hidden or deleted, a community they left or were banned
    from, a workspace they no longer take part in drops out)."""
    notifications = list(notifications)
    _load(person, notifications)
    return [n for n in notifications if can_see(person, n)]


def latest(person, size=8):
    """The bell's dropdown: `person`'s latest notifications they may still see."""
    return visible(person, notifications_of(person)[:size])


def notification_for(person, pk):
    """`person`'s notification `pk` if they may see it now, else None."""
    found = notifications_of(person).filter(pk=pk).first()
    return next(iter(visible(person, [found] if found is not None else [])), None)


def target_url(notification):
    """Where a notification leads: the exact post, the thread, the workspace's task,
    documents or invitations, else the community (a moderation outcome: the person's
    notices from the moderators)."""
    workspace = notification.workspace_id_ref
    if notification.kind == Kind.NEW_MATCH:
        # The organisation's suggestions, on the tab of the item's kind.
        tab = "challenges" if notification.event_type.startswith("challenge") else "offers"
        return f"{reverse('innovation:suggestions')}?tab={tab}"
    if notification.kind == Kind.MODERATION:
        return reverse("community:my-moderation")
    if notification.kind == Kind.INTEREST:
        return reverse("innovation:interest-detail", args=[notification.item_ref])
    if notification.kind == Kind.OFFER_EXPIRY:
        return reverse("innovation:offer-detail", args=[notification.item_ref])
    if notification.kind == Kind.INNOVATION:
        if notification.event_type == "question.answered":
            return (
                reverse("innovation:challenge-detail", args=[notification.item_ref])
                + "#questions"
            )
        return reverse("innovation:proposal-detail", args=[notification.item_ref])
    if notification.kind in DESK_ITEM_KINDS:
        return reverse(
            "innovation:desk-item", args=[notification.detail, notification.item_ref]
        )
    if notification.kind == Kind.INTRODUCTION:
        return reverse("innovation:introduction-detail", args=[notification.item_ref])
    if workspace is not None:
        if notification.kind == Kind.INVITATION:
            return reverse("workspaces:invitation-list")
        if notification.kind in (Kind.TASK_ASSIGNED, Kind.TASK_DUE):
            return reverse(
                "workspaces:task-detail", args=[workspace, notification.item_ref]
            )
        if notification.kind == Kind.DOCUMENT:
            return reverse("workspaces:document-list", args=[workspace])
        return notification.workspace.get_absolute_url()
    if notification.post_id is not None:
        return notification.post.get_absolute_url()
    if notification.thread_id is not None:
        return notification.thread.get_absolute_url()
    return notification.community.get_absolute_url()
