"""Turn committed live events into notifications (live's after-commit batch subscriber).

Community and workspaces never import this app: they record their events as they
always do (`post.created` with the people a text mentions, `thread.created`,
`member.*` on the person's `user:<id>` stream, `post.hidden`, `review.closed`, a
workspace's `task.*`, `document.uploaded`, `invitation.created`, `participant.*`), and
this subscriber reads them, once per commit with all its events.

Who is told of a new post (Discourse-like): the people it mentions; the people it
quotes (the quote button's "@name …:" line over a "> " quote); the thread's author
(a reply in their thread); and the thread's watchers. Nobody whose level for the
thread is muted hears anything of it, mentions included. Replies and watched news
are coalesced: one unread row per person and thread, inserted by the first post they
have not read and never rewritten (what it stands for is read from the thread when
shown); a mention or quote is its own row. Per thread of a group: one query decides who may read and their
levels, and one statement writes the whole group's rows (`services.notifications_store`)."""

import logging
import re

from community import permissions
from community.markdown import mentioned_usernames
from community.models import Affiliation, Block, Community, Post, Thread, User
from innovation import permissions as innovation_permissions
from innovation.models import ChallengeQuestion, Proposal
from live.events import register_batch_subscriber, stream_kind

from . import audience, matches, services, visibility
from .models import Notification
from .services import Entry

logger = logging.getLogger(__name__)

Kind = Notification.Kind

# Membership events on the person's own stream, and what they are told.
_MEMBERSHIP_KINDS = {
    "member.invited": Kind.INVITATION,
    "member.approved": Kind.JOIN_APPROVED,
    "member.declined": Kind.JOIN_DECLINED,
    "member.role_changed": Kind.ROLE_CHANGED,
    "member.banned": Kind.MODERATION,
    "member.muted": Kind.MODERATION,
    "member.removed": Kind.MODERATION,
    "member.warned": Kind.MODERATION,
}

# A workspace's participant events, and what the participant is told.
_WORKSPACE_KINDS = {
    "participant.joined": Kind.WORKSPACE_ADDED,
    "participant.role_changed": Kind.ROLE_CHANGED,
}

# The innovation desk's events on a person's stream, and what they are told.
_DESK_KINDS = {
    "desk.approved": Kind.DESK_DECISION,
    "desk.refused": Kind.DESK_DECISION,
    "desk.help_assigned": Kind.DESK_HELP,
    # A firm asks the desk for help with a draft: every active facilitator is told.
    "desk.help_requested": Kind.DESK_HELP,
    "desk.introduced": Kind.INTRODUCTION,
}

# The quote button's credit line ("@ada wrote:", "@ada ha scritto:") over a quote.
_QUOTE_CREDIT = re.compile(
    r"^@([A-Za-z0-9_][A-Za-z0-9_.+-]{0,148}[A-Za-z0-9_]?)\b[^\n]{0,60}:[ \t]*\n"
    r"(?:[ \t]*\n)*[ \t]{0,3}>",
    re.MULTILINE,
)


def quoted_usernames(body):
    """The usernames `body` quotes through the quote button's credit lines (lower)."""
    if "@" not in body or ">" not in body:
        return set()
    return {match.group(1).lower() for match in _QUOTE_CREDIT.finditer(body)}


def _loaded(post):
    return Post.thread.is_cached(post) and Thread.community.is_cached(post.thread)


def _posts_of(events):
    """The posts of `post.created` events: the writer's own (loaded with their
    threads) when it handed them on, the others read in one query."""
    posts = [getattr(event, "subject", None) for event in events]
    missing = [
        event.payload.get("id")
        for event, post in zip(events, posts, strict=True)
        if post is None or not _loaded(post)
    ]
    if missing:
        read = Post.objects.select_related("thread__community").in_bulk(missing)
        posts = [
            post
            if post is not None and _loaded(post)
            else read.get(event.payload.get("id"))
            for event, post in zip(events, posts, strict=True)
        ]
    return posts


def _quotes(items):
    """{post id: ids of the people it quotes}, for discussions' posts: the credit
    lines' names matched against the people the post mentions (one query, and only
    when a post of the group quotes)."""
    names = {}
    for _event, post, mentions in items:
        if post.thread.kind == Thread.Kind.DISCUSSION and mentions:
            found = quoted_usernames(post.body)
            if found:
                names[post.pk] = found
    if not names:
        return {}
    wanted = {pk for _e, post, mentions in items if post.pk in names for pk in mentions}
    usernames = dict(User.objects.filter(pk__in=wanted).values_list("pk", "username"))
    return {
        post.pk: {
            pk for pk in mentions if usernames.get(pk, "").lower() in names[post.pk]
        }
        for _event, post, mentions in items
        if post.pk in names
    }


def _posts_created(events):
    """The entries of a commit's `post.created` events, thread by thread."""
    by_thread = {}
    for event, post in zip(events, _posts_of(events), strict=True):
        if post is None or post.is_deleted or post.is_hidden:
            continue
        mentions = {int(pk) for pk in event.payload.get("mentions") or ()}
        by_thread.setdefault(post.thread_id, []).append((event, post, mentions))
    entries = []
    for items in by_thread.values():
        found, settle = _thread_entries(items)
        if settle is not None:
            thread_id, first, people = settle
            services.thread_notifications_settle(
                thread_id=thread_id, first_number=first, recipient_ids=people
            )
        entries.extend(found)
    return entries


def _thread_entries(items):
    thread = items[0][1].thread
    discussion = thread.kind == Thread.Kind.DISCUSSION
    quotes = _quotes(items)
    named = set().union(*(mentions for _e, _p, mentions in items), *quotes.values())
    if discussion and thread.author_id is not None:
        named.add(thread.author_id)
    # A direct message is addressed to every other participant (those who may read
    # it: `thread_readers` leaves out anyone who blocked one of them).
    direct = permissions.is_direct(thread.community)
    if direct:
        named |= set(permissions.direct_participant_ids(thread.community))
    readers = audience.thread_audience(thread, named)
    # Muted: nothing about this thread, mentions included.
    readers = {pk: r for pk, r in readers.items() if r.level != audience.MUTED}
    if not readers:
        return [], None
    people = {pk: r.level for pk, r in readers.items()}
    community = thread.community_id
    key = audience.thread_key(thread.pk)
    author = thread.author_id if discussion else None
    # Their unread row of the thread stands for these posts too (it is not written):
    # unless they have read to the last post before this group, which settled it —
    # then it is closed and the group starts a new one. Caught up by replying (the
    # last post they read is their own: a busy thread's writers, group after group),
    # the row stays: the posts after theirs make it unread again, counted at display,
    # as they did before, without a new row and a bell frame per reply.
    first = min(post.number for _e, post, _m in items)
    settled = {
        pk
        for pk, r in readers.items()
        if r.open_from is not None and r.read_upto >= first - 1 and not r.read_own
    }
    covered = {pk for pk, r in readers.items() if r.open_from is not None} - settled
    entries = []
    gathered = {}  # person id -> their coalesced entry for this group
    for event, post, mentions in items:
        quoted = quotes.get(post.pk, ())
        writer = post.author_id
        for pk, level in people.items():
            if pk == writer:
                continue
            if pk in quoted or pk in mentions:
                entries.append(
                    Entry(
                        recipient_id=pk,
                        kind=Kind.QUOTE if pk in quoted else Kind.MENTION,
                        event_type=event.type,
                        actor_id=writer,
                        post_id=post.pk,
                        thread_id=thread.pk,
                        community_id=community,
                    )
                )
                continue
            if direct:
                kind = Kind.DIRECT
            elif pk == author and post.number > 1:
                kind = Kind.REPLY_THREAD
            elif level == audience.WATCHING:
                kind = Kind.WATCHING
            else:
                continue
            # Covered by their unread row, started already, or read (replying
            # reads the thread up to one's own post).
            if pk in covered or pk in gathered or post.number <= readers[pk].read_upto:
                continue
            # The first unseen post starts the row; later ones never rewrite it.
            gathered[pk] = Entry(
                recipient_id=pk,
                kind=kind,
                event_type=event.type,
                actor_id=writer,
                post_id=post.pk,
                thread_id=thread.pk,
                community_id=community,
                unread_key=key,
            )
            entries.append(gathered[pk])
    settle = (thread.pk, first, sorted(settled)) if settled else None
    return entries, settle


def _threads_created(events):
    """New discussions: the community's (or workspace's) watchers hear of each, but
    not those its first post mentions (that post's own event tells them)."""
    ids = [event.payload.get("id") for event in events]
    threads = Thread.objects.select_related("community").in_bulk(ids)
    bodies = dict(
        Post.objects.filter(thread_id__in=ids, number=1).values_list(
            "thread_id", "body"
        )
    )
    entries = []
    for event in events:
        thread = threads.get(event.payload.get("id"))
        if thread is None or thread.kind != Thread.Kind.DISCUSSION:
            continue
        named = {
            name.lower() for name in mentioned_usernames(bodies.get(thread.pk, ""))
        }
        for pk, username in audience.community_watchers(thread):
            if username.lower() in named:
                continue
            entries.append(
                Entry(
                    recipient_id=pk,
                    kind=Kind.NEW_THREAD,
                    event_type=event.type,
                    actor_id=event.actor_id or thread.author_id,
                    thread_id=thread.pk,
                    community_id=thread.community_id,
                )
            )
    return entries


def _post_moderated(event):
    """A moderator hid or deleted someone's post: its author is told."""
    post = (
        Post.objects.select_related("thread").filter(pk=event.payload.get("id")).first()
    )
    if post is None or post.author_id is None or post.author_id == event.actor_id:
        return []
    return [
        Entry(
            recipient_id=post.author_id,
            kind=Kind.MODERATION,
            event_type=event.type,
            actor_id=event.actor_id,
            post_id=post.pk,
            thread_id=post.thread_id,
            community_id=post.thread.community_id,
        )
    ]


def _reacted(events):
    """First reactions of people to a post: its author is told, one row per post
    while unread (`reactions:<post id>`, counting the people, naming the latest).
    Never for their own reactions (dropped when stored), nor when the post is
    hidden or deleted, the author may no longer read the thread or has muted it, or
    blocked the person reacting. A reaction taken back and given again is not a first
    one unless it was the person's only reaction there."""
    firsts = [
        event
        for event in events
        if event.type == "reaction.added"
        and event.payload.get("first")
        and event.payload.get("author") is not None
        and event.payload.get("author") != event.actor_id
    ]
    if not firsts:
        return []
    posts = Post.objects.select_related("thread__community").in_bulk(
        {event.payload.get("id") for event in firsts}
    )
    blocked = set(
        Block.objects.filter(
            blocker_id__in={event.payload.get("author") for event in firsts},
            blocked_id__in={event.actor_id for event in firsts},
        ).values_list("blocker_id", "blocked_id")
    )
    entries = []
    heard = {}  # post id -> whether its author hears of it
    for event in firsts:
        post = posts.get(event.payload.get("id"))
        if post is None or not post.is_visible_content or post.author_id is None:
            continue
        if (post.author_id, event.actor_id) in blocked:
            continue
        if post.pk not in heard:
            reader = audience.thread_audience(post.thread, {post.author_id}).get(
                post.author_id
            )
            heard[post.pk] = reader is not None and reader.level != audience.MUTED
        if not heard[post.pk]:
            continue
        entries.append(
            Entry(
                recipient_id=post.author_id,
                kind=Kind.REACTION,
                event_type=event.type,
                actor_id=event.actor_id,
                post_id=post.pk,
                thread_id=post.thread_id,
                community_id=post.thread.community_id,
                unread_key=f"reactions:{post.pk}",
            )
        )
    return entries


def _review_closed(event):
    """Each reporter of a post hears that their report was handled."""
    from community.models import Report

    item = event.payload.get("item")
    rows = Report.objects.filter(item_id=item).values_list(
        "reporter_id", "post_id", "post__thread_id"
    )
    return [
        Entry(
            recipient_id=reporter,
            kind=Kind.MODERATION,
            event_type=event.type,
            actor_id=event.actor_id,
            post_id=post,
            thread_id=thread,
            community_id=event.payload.get("community"),
        )
        for reporter, post, thread in rows.distinct()
        if reporter is not None
    ]


def _stream_id(event):
    """The id in the event's stream name (`user:9` -> 9, `workspace:4` -> 4)."""
    return int(event.stream.partition(":")[2])


def _membership(event):
    kind = _MEMBERSHIP_KINDS.get(event.type)
    recipient = _stream_id(event)
    if kind is None or event.actor_id in (None, recipient):
        return []
    community_id = event.payload.get("community")
    if Community.objects.filter(
        pk=community_id, kind=Community.Kind.WORKSPACE
    ).exists():
        return []  # a workspace's discussion: its own participant events tell it
    return [
        Entry(
            recipient_id=recipient,
            kind=kind,
            event_type=event.type,
            actor_id=event.actor_id,
            community_id=community_id,
        )
    ]


def _participant(event):
    kind = _WORKSPACE_KINDS.get(event.type)
    recipient = event.payload.get("user")
    if kind is None or recipient is None or event.actor_id in (None, recipient):
        return []
    workspace_id = _stream_id(event)
    person = User.objects.filter(pk=recipient, is_active=True).first()
    if person is None or not visibility.workspace_visible(person, workspace_id):
        return []
    return [
        Entry(
            recipient_id=recipient,
            kind=kind,
            event_type=event.type,
            actor_id=event.actor_id,
            workspace_id_ref=workspace_id,
        )
    ]


def _task(event):
    """A task given to someone (created for them, or its assignee changed)."""
    data = event.payload
    assignee = data.get("assignee")
    if assignee is None or assignee == event.actor_id:
        return []
    if event.type == "task.updated" and "assignee" not in (data.get("changes") or ()):
        return []
    workspace_id = _stream_id(event)
    person = User.objects.filter(pk=assignee, is_active=True).first()
    if person is None or not visibility.workspace_visible(person, workspace_id):
        return []
    return [
        Entry(
            recipient_id=assignee,
            kind=Kind.TASK_ASSIGNED,
            event_type=event.type,
            actor_id=event.actor_id,
            workspace_id_ref=workspace_id,
            item_ref=data.get("id"),
        )
    ]


def _documents(events):
    """Documents uploaded: every other participant (not muting the workspace) is
    told, one unread row per workspace counting them."""
    from workspaces.models import Workspace

    by_workspace = {}
    for event in events:
        by_workspace.setdefault(_stream_id(event), []).append(event)
    workspaces = Workspace.objects.in_bulk(list(by_workspace))
    entries = []
    for workspace_id, uploads in by_workspace.items():
        workspace = workspaces.get(workspace_id)
        if workspace is None:
            continue
        people = audience.workspace_followers(workspace)
        for event in uploads:
            for pk in people:
                entries.append(
                    Entry(
                        recipient_id=pk,
                        kind=Kind.DOCUMENT,
                        event_type=event.type,
                        actor_id=event.actor_id,
                        workspace_id_ref=workspace_id,
                        item_ref=event.payload.get("document"),
                        unread_key=f"documents:{workspace_id}",
                    )
                )
    return entries


def _invitation(event):
    """A workspace invitation to someone with an account."""
    from workspaces.models import Invitation

    invitation = Invitation.objects.filter(pk=event.payload.get("id")).first()
    if invitation is None or invitation.invitee_id is None:
        return []
    return [
        Entry(
            recipient_id=invitation.invitee_id,
            kind=Kind.INVITATION,
            event_type=event.type,
            actor_id=event.actor_id,
            workspace_id_ref=invitation.workspace_id,
            item_ref=invitation.pk,
        )
    ]


def _people_of(organisation_id, *, besides=None):
    """The active people of an organisation (ids), but `besides`."""
    return [
        pk
        for pk in Affiliation.objects.filter(
            organisation_id=organisation_id,
            state=Affiliation.State.ACTIVE,
            user__is_active=True,
        ).values_list("user_id", flat=True)
        if pk != besides
    ]


def _offer(event):
    """A technology offer's events: an interest sent or withdrawn (the owner's
    people), an interest's decision (the sender's people), an offer expiring or
    expired (the owner's people, once per offer and expiry date)."""
    from innovation.models import ExpressionOfInterest, TechnologyOffer

    data = event.payload
    if event.type in ("interest.sent", "interest.status"):
        interest = (
            ExpressionOfInterest.objects.select_related("offer")
            .filter(pk=data.get("interest"))
            .first()
        )
        if interest is None:
            return []
        status = data.get("status", "")
        if event.type == "interest.sent" or status == ExpressionOfInterest.Status.WITHDRAWN:
            people = _people_of(interest.offer.organisation_id, besides=event.actor_id)
        else:
            people = _people_of(interest.organisation_id, besides=event.actor_id)
        return [
            Entry(
                recipient_id=pk,
                kind=Kind.INTEREST,
                event_type=event.type,
                actor_id=event.actor_id,
                item_ref=interest.pk,
                detail=status[:40],
            )
            for pk in people
        ]
    if event.type in ("offer.expiring", "offer.expired"):
        offer = TechnologyOffer.objects.filter(pk=data.get("offer")).first()
        if offer is None:
            return []
        detail = (data.get("expires_at") or "")[:40]
        already = set(
            Notification.objects.filter(
                kind=Kind.OFFER_EXPIRY,
                event_type=event.type,
                item_ref=offer.pk,
                detail=detail,
            ).values_list("recipient_id", flat=True)
        )
        return [
            Entry(
                recipient_id=pk,
                kind=Kind.OFFER_EXPIRY,
                event_type=event.type,
                item_ref=offer.pk,
                detail=detail,
            )
            for pk in _people_of(offer.organisation_id)
            if pk not in already
        ]
    return []


def _innovation(event):
    """A challenge's news: a proposal submitted (the seeker's people), its status
    changed by the seeker (the solver's people), a question answered (its asker).
    Only ids are stored: the sentence names an anonymous seeker as
    `innovation.anonymity` lets each recipient read it."""
    data = event.payload
    if event.type == "question.answered":
        question = (
            ChallengeQuestion.objects.filter(pk=data.get("question"))
            .select_related("challenge__organisation")
            .first()
        )
        asker = question.asked_by if question is not None else None
        if asker is None or not asker.is_active:
            return []
        if not innovation_permissions.can_see_challenge(asker, question.challenge):
            return []
        return [
            Entry(
                recipient_id=asker.pk,
                kind=Kind.INNOVATION,
                event_type=event.type,
                actor_id=event.actor_id,
                item_ref=question.challenge_id,
            )
        ]
    if event.type not in ("proposal.submitted", "proposal.status_changed"):
        return []
    proposal = (
        Proposal.objects.filter(pk=data.get("id"))
        .select_related("challenge__organisation", "organisation")
        .first()
    )
    if proposal is None:
        return []
    if event.type == "proposal.submitted":
        people = _people_of(proposal.challenge.organisation_id)
    else:
        people = _people_of(proposal.organisation_id)
    return [
        Entry(
            recipient_id=pk,
            kind=Kind.INNOVATION,
            event_type=event.type,
            actor_id=event.actor_id,
            item_ref=proposal.pk,
            detail=str(data.get("status", ""))[:40],
        )
        for pk in people
    ]


def _desk(event):
    """A decision of the innovation desk on a firm's challenge or offer, a facilitator
    taking its draft, a firm asking the desk for help (each facilitator's stream), an
    introduction: the person whose stream it is, told."""
    kind = _DESK_KINDS.get(event.type)
    recipient = _stream_id(event)
    if kind is None or event.actor_id in (None, recipient):
        return []
    data = event.payload
    return [
        Entry(
            recipient_id=recipient,
            kind=kind,
            event_type=event.type,
            actor_id=event.actor_id,
            item_ref=data.get("id"),
            thread_id=data.get("thread"),
            detail=data.get("kind", ""),
        )
    ]


def _one(event):
    """The entries of one event other than posts, threads and documents."""
    kind = stream_kind(event.stream)
    if kind == "thread" and event.type in ("post.hidden", "post.removed"):
        return _post_moderated(event)
    if kind == "moderation" and event.type == "review.closed":
        return _review_closed(event)
    if kind == "user" and event.type.startswith("member."):
        return _membership(event)
    if kind == "offer":
        return _offer(event)
    if kind == "challenge":
        return _innovation(event)
    if kind == "user" and event.type.startswith("desk."):
        return _desk(event)
    if kind == "workspace":
        if event.type.startswith("participant."):
            return _participant(event)
        if event.type in ("task.created", "task.updated"):
            return _task(event)
        if event.type == "invitation.created":
            return _invitation(event)
    return []


def _guarded(build, *args):
    try:
        return build(*args)
    except Exception:
        logger.exception("notifications: %s failed", build.__name__)
        return []


def notify(events):
    """live's batch subscriber: a commit's events become their notifications, stored
    together (a group of posts costs a constant few statements per thread)."""
    posts, threads, documents, others, published = [], [], [], [], []
    reactions = []
    for event in events:
        kind = stream_kind(event.stream)
        if kind == "thread" and event.type == "post.created":
            posts.append(event)
        elif kind == "thread" and event.type.startswith("reaction."):
            reactions.append(event)
        elif kind == "community" and event.type == "thread.created":
            threads.append(event)
        elif kind == "workspace" and event.type == "document.uploaded":
            documents.append(event)
        elif (kind, event.type) in matches.PUBLISHED:
            published.append(event)
        elif kind in ("thread", "moderation", "user", "workspace", "offer", "challenge"):
            others.append(event)
    entries = []
    if posts:
        entries.extend(_guarded(_posts_created, posts))
    if threads:
        entries.extend(_guarded(_threads_created, threads))
    if documents:
        entries.extend(_guarded(_documents, documents))
    if reactions:
        entries.extend(_guarded(_reacted, reactions))
    for event in others:
        entries.extend(_guarded(_one, event))
    if published:
        entries.extend(_guarded(matches.new_matches, published))
    if entries:
        services.notifications_store(entries)


def register():
    register_batch_subscriber(notify)
