"""Write services for moderators' thread and room tools: delete a post, rename, move,
split and merge threads.

Each one checks `permissions`, validates, writes inside `transaction.atomic()` with
its audit entry, and records the live events that let open pages follow at once.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.translation import gettext as _

from live.events import event_record, stream_name

from .. import payloads, permissions
from ..models import (
    AuditEntry,
    Community,
    HeldPost,
    ModerationNotice,
    Post,
    ReviewItem,
    Thread,
    ThreadRedirect,
)
from .answers import answer_withdraw
from .attachments import attachments_withdraw
from .audit import audit_record
from .moderation import clean_hide_reason
from .rooms import clean_room_name, room_name_taken
from .rules import hold_refusal, text_screen, watched_rules
from .threads import clean_title, record_post_event

__all__ = [
    "post_remove",
    "post_removed_set",
    "thread_merge",
    "thread_move",
    "thread_rename",
    "thread_split",
]

Action = AuditEntry.Action

# Post numbers are moved out of the way by this much while a thread is renumbered:
# the (thread, number) pairs stay unique at every step, on every database.
_RENUMBER_OFFSET = 100_000_000


def _thread_event(thread, type, payload, actor):
    event_record(
        stream=stream_name("thread", thread.pk), type=type, payload=payload, actor=actor
    )


def _community_event(community_id, type, payload, actor):
    event_record(
        stream=stream_name("community", community_id),
        type=type,
        payload=payload,
        actor=actor,
    )


def _locked_threads(*threads):
    """Lock the threads' rows (in id order, as every writer takes them) and return
    them as they are now, by id."""
    rows = (
        Thread.objects.select_for_update(of=("self",))
        .select_related("community")
        .filter(pk__in=[thread.pk for thread in threads])
        .order_by("pk")
    )
    found = {row.pk: row for row in rows}
    if len(found) != len({thread.pk for thread in threads}):
        raise ValidationError(_("This thread no longer exists."), code="gone")
    return found


def _screened_title(title, community):
    """`title` as `community`'s watched words let it through, moderators' titles
    included (the words are the community's vocabulary): a "block" word refuses it
    naming the rule, "replace" words are censored, and a "hold" word is refused, as
    in an edit (a title a moderator gives cannot wait for a moderator)."""
    title, held = text_screen(title, watched_rules(community), "title")
    if held is not None:
        raise hold_refusal(held, "title")
    return title


# --- deleting a post -------------------------------------------------------------------


def post_removed_set(post, *, actor, reason=""):
    """Delete `post` as a moderator ("removed by a moderator" for everyone, its text
    never shown again, moderators included; its attachments removed with their
    files); the caller holds a transaction and has
    checked the rule. Writes the audit entry, the author's notice and `post.removed`
    on the thread's stream."""
    post.is_deleted = True
    post.is_removed = True
    post.deleted_at = timezone.now()
    post.is_hidden = False
    post.hidden_by = None
    post.hidden_reason = ""
    post.save(
        update_fields=[
            "is_deleted",
            "is_removed",
            "deleted_at",
            "is_hidden",
            "hidden_by",
            "hidden_reason",
        ]
    )
    # Its files leave with it: gone from storage once this commits.
    attachments_withdraw([post])
    record_post_event(post, "post.removed", actor)
    answer_withdraw(post, actor=actor)
    community = post.thread.community
    audit_record(
        actor=actor,
        community=community,
        action=Action.POST_REMOVED,
        post=post,
        reason=reason,
    )
    if post.author_id is not None:
        ModerationNotice.objects.create(
            user_id=post.author_id,
            community=community,
            kind=ModerationNotice.Kind.POST_REMOVED,
            post_id_ref=post.pk,
            reason=reason,
        )


def post_remove(*, actor, post, reason=""):
    """Delete someone's post or room message as a moderator; return it.

    The community's moderators and staff (`permissions.can_remove_post`), else
    PermissionDenied; ValidationError for a reason over 300 characters. The author is
    told (with the reason); an open review item of the post closes as "Post deleted"
    and its reporters are told. Emits `post.removed` on `thread:<id>`: pages, catch-up
    and sockets show the placeholder, never the text.
    """
    permissions.require_remove_post(actor, post)
    reason = clean_hide_reason(reason)
    with transaction.atomic():
        # The post's row first, as reports and review decisions take it.
        locked = (
            Post.objects.select_for_update(of=("self",))
            .select_related("thread__community", "author")
            .get(pk=post.pk)
        )
        if locked.is_deleted:
            raise ValidationError(_("This post was deleted already."), code="deleted")
        post_removed_set(locked, actor=actor, reason=reason)
        now = timezone.now()
        for item in ReviewItem.objects.select_for_update().filter(
            post=locked, status=ReviewItem.Status.OPEN
        ):
            ModerationNotice.objects.bulk_create(
                ModerationNotice(
                    user_id=reporter,
                    community=locked.thread.community,
                    kind=ModerationNotice.Kind.REPORT_OUTCOME,
                    post_id_ref=locked.pk,
                    decision=ReviewItem.Decision.REMOVED,
                )
                for reporter in item.reports.values_list(
                    "reporter", flat=True
                ).distinct()
            )
            item.status = ReviewItem.Status.CLOSED
            item.decision = ReviewItem.Decision.REMOVED
            item.decided_by = actor
            item.decided_at = now
            item.reason = reason
            item.save(
                update_fields=[
                    "status",
                    "decision",
                    "decided_by",
                    "decided_at",
                    "reason",
                ]
            )
    for field in (
        "is_deleted",
        "is_removed",
        "deleted_at",
        "is_hidden",
        "hidden_reason",
    ):
        setattr(post, field, getattr(locked, field))
    return post


# --- renaming --------------------------------------------------------------------------


def thread_rename(*, actor, thread, title):
    """Give a thread (the thread form's title rules) or a room (the room name rules,
    unique in its community) a new title; return the thread.

    Moderators and staff (`permissions.can_rename_thread`), else PermissionDenied;
    ValidationError keyed by `title`. Audited with the old and the new title. Emits
    `thread.renamed` on `thread:<id>` and on `community:<id>` (nothing when unchanged).
    """
    permissions.require_rename_thread(actor, thread)
    if thread.kind == Thread.Kind.ROOM:
        try:
            title = clean_room_name(title)
        except ValidationError as error:
            raise ValidationError({"title": error.message_dict["name"]}) from error
    else:
        title = clean_title(title)
    title = _screened_title(title, thread.community)
    with transaction.atomic():
        row = _locked_threads(thread)[thread.pk]
        old = row.title
        if old == title:
            return thread
        if (
            row.kind == Thread.Kind.ROOM
            and Thread.objects.filter(
                community=row.community, kind=Thread.Kind.ROOM, title__iexact=title
            )
            .exclude(pk=row.pk)
            .exists()
        ):
            raise ValidationError({"title": room_name_taken().message_dict["name"]})
        Thread.objects.filter(pk=row.pk).update(title=title)
        thread.title = title
        audit_record(
            actor=actor,
            community=row.community,
            action=Action.THREAD_RENAMED,
            thread=thread,
            reason=f"{old} → {title}",
        )
        # The old title stays in the audit log, for moderators: the streams' readers
        # (anonymous ones included) see the title the page shows now.
        payload = payloads.thread_data(thread)
        _thread_event(thread, "thread.renamed", payload, actor)
        _community_event(row.community_id, "thread.renamed", payload, actor)
    return thread


def _move_title_screen(title, community):
    """A thread keeps its title when it moves: the new community's watched words
    must let it through unchanged, else the moderator renames it first."""
    try:
        screened, held = text_screen(title, watched_rules(community), "title")
    except ValidationError as error:
        screened, held = None, error
    if screened != title or held is not None:
        raise ValidationError(
            _(
                "%(community)s does not allow this title as it is (watched words): "
                "rename the thread first."
            )
            % {"community": community.name},
            code="watched_word",
        )


def _held_follow(source, into):
    """Held replies of the thread `source` follow its posts to the thread `into` (a
    move: the same thread; a merge: the target), and the moderators of `into`'s
    community decide them: each community's waiting count follows."""
    held = HeldPost.objects.filter(thread_id=source.pk)
    waiting = held.filter(status=HeldPost.Status.HELD).count()
    held.update(thread_id=into.pk, community_id=into.community_id)
    if waiting and source.community_id != into.community_id:
        Community.objects.filter(pk=source.community_id).update(
            held_open_count=Greatest(F("held_open_count") - waiting, 0)
        )
        Community.objects.filter(pk=into.community_id).update(
            held_open_count=F("held_open_count") + waiting
        )


# --- moving ----------------------------------------------------------------------------


def thread_move(*, actor, thread, community):
    """Move a thread or room, with its posts, reports and read positions, to
    `community`; return the thread (its old address redirects to the new one).

    Moderators of both communities and staff (`permissions.can_move_thread_to`),
    else PermissionDenied; ValidationError when a room of the same name is there.
    Emits `thread.moved` on `thread:<id>` (which re-checks every subscription:
    readers who cannot read the new community lose it), `thread.moved_out` on the
    old community's stream (without saying where) and `thread.moved_in` on the new
    one's.
    """
    permissions.require_move_thread(actor, thread)
    permissions.require_move_thread_to(actor, thread, community)
    with transaction.atomic():
        row = _locked_threads(thread)[thread.pk]
        source = row.community
        if source.pk != thread.community_id:
            raise ValidationError(_("This thread was moved meanwhile."), code="moved")
        if (
            row.kind == Thread.Kind.ROOM
            and Thread.objects.filter(
                community=community, kind=Thread.Kind.ROOM, title__iexact=row.title
            ).exists()
        ):
            raise ValidationError(
                _("%(community)s already has a room with this name: rename it first.")
                % {"community": community.name},
                code="unique",
            )
        _move_title_screen(row.title, community)
        Thread.objects.filter(pk=row.pk).update(community=community)
        ReviewItem.objects.filter(post__thread=row).update(community=community)
        source_row = Thread(pk=row.pk, community_id=source.pk)
        _held_follow(source_row, Thread(pk=row.pk, community_id=community.pk))
        if row.kind == Thread.Kind.DISCUSSION:
            Community.objects.filter(pk=source.pk).update(
                thread_count=F("thread_count") - 1
            )
            Community.objects.filter(pk=community.pk).update(
                thread_count=F("thread_count") + 1
            )
        thread.community = community
        audit_record(
            actor=actor,
            community=source,
            action=Action.THREAD_MOVED,
            thread=thread,
            reason=f"{source.name} → {community.name}",
        )
        audit_record(
            actor=actor,
            community=community,
            action=Action.THREAD_MOVED,
            thread=thread,
            reason=f"{source.name} → {community.name}",
        )
        # The thread's own readers learn only that it moved; the page's reload
        # takes those who may read it to its new address.
        brief = {"id": thread.pk, "title": thread.title, "kind": thread.kind}
        _thread_event(thread, "thread.moved", brief, actor)
        _community_event(source.pk, "thread.moved_out", brief, actor)
        _community_event(
            community.pk, "thread.moved_in", payloads.thread_data(thread), actor
        )
    return thread


# --- splitting and merging -------------------------------------------------------------


def _renumber(thread, order):
    """Number the posts of `thread` 1, 2, 3, ... in `order`; set its post count, last
    activity and last poster from them. Two steps, so no (thread, number) pair is
    ever held twice."""
    posts = Post.objects.filter(thread=thread)
    posts.update(number=F("number") + _RENUMBER_OFFSET)
    ordered = list(posts.order_by(*order).only("pk", "author_id", "created_at"))
    for number, post in enumerate(ordered, start=1):
        post.number = number
    Post.objects.bulk_update(ordered, ["number"], batch_size=500)
    last = ordered[-1] if ordered else None
    latest = posts.aggregate(latest=Max("created_at"))["latest"]
    Thread.objects.filter(pk=thread.pk).update(
        post_count=len(ordered),
        last_activity_at=latest or thread.last_activity_at,
        last_poster_id=last.author_id if last else None,
    )
    return ordered


def thread_split(*, actor, thread, post_ids, title):
    """Move the posts `post_ids` of the discussion `thread` into a new discussion
    called `title` in the same community; return the new thread.

    Moderators and staff (`permissions.can_split_thread`), else PermissionDenied.
    ValidationError (keyed by `title` or `posts`) for a bad title, no post chosen, a
    post of another thread, or every post (one must stay). Both threads are numbered
    again in their order; permalinks (by post id) keep working, each post keeps its
    history, reports and review items. Emits `thread.split` on the old thread's
    stream and `thread.created` on the community's.
    """
    permissions.require_split_thread(actor, thread)
    title = _screened_title(clean_title(title), thread.community)
    try:
        wanted = {int(pk) for pk in post_ids}
    except (TypeError, ValueError):
        wanted = set()
    if not wanted:
        raise ValidationError(
            {"posts": _("Choose the posts to move to the new thread.")}
        )
    with transaction.atomic():
        row = _locked_threads(thread)[thread.pk]
        chosen = list(Post.objects.filter(thread=row, pk__in=wanted).order_by("number"))
        if len(chosen) != len(wanted):
            raise ValidationError(
                {
                    "posts": _(
                        "Some of the chosen posts are not in this thread any more."
                    )
                }
            )
        if len(chosen) >= row.post_count:
            raise ValidationError(
                {"posts": _("Leave at least one post in this thread.")}
            )
        first = chosen[0]
        new = Thread.objects.create(
            community=row.community,
            title=title,
            kind=Thread.Kind.DISCUSSION,
            author_id=first.author_id,
            last_activity_at=first.created_at,
            post_count=0,
        )
        Post.objects.filter(pk__in=[post.pk for post in chosen]).update(
            thread=new, number=F("number") + _RENUMBER_OFFSET
        )
        _renumber(new, ("number",))
        _renumber(row, ("number",))
        Community.objects.filter(pk=row.community_id).update(
            thread_count=F("thread_count") + 1
        )
        new.refresh_from_db()
        audit_record(
            actor=actor,
            community=row.community,
            action=Action.THREAD_SPLIT,
            thread=row,
            reason=f"{len(chosen)} → {new.title} (#{new.pk})",
        )
        _thread_event(
            row,
            "thread.split",
            {"id": row.pk, "into": new.pk, "posts": sorted(post.pk for post in chosen)},
            actor,
        )
        _community_event(
            row.community_id, "thread.created", payloads.thread_data(new), actor
        )
    return new


def thread_merge(*, actor, thread, target):
    """Merge the discussion `thread` into the discussion `target`: its posts join
    `target`'s, interleaved by time and numbered again; `thread` goes and its address
    redirects to `target` (permalinks, by post id, keep working). Return `target`.

    Moderators of both communities and staff (`permissions.can_merge_thread`), else
    PermissionDenied. Each post keeps its history, reports and review items. Emits
    `thread.merged` on both threads' streams (the old one's subscriptions end) and on
    the old thread's community stream.
    """
    permissions.require_merge_thread(actor, thread)
    permissions.require_merge_thread_into(actor, thread, target)
    with transaction.atomic():
        rows = _locked_threads(thread, target)
        source, into = rows[thread.pk], rows[target.pk]
        Post.objects.filter(thread=source).update(
            thread=into, number=F("number") + 2 * _RENUMBER_OFFSET
        )
        _renumber(into, ("created_at", "pk"))
        _held_follow(source, into)
        if source.community_id != into.community_id:
            ReviewItem.objects.filter(post__thread=into).exclude(
                community=into.community
            ).update(community=into.community)
        tags = {tag.name for tag in source.tags.all()}
        if tags:
            into.tags.add(*tags)
        if source.promoted_from_id and not into.promoted_from_id:
            promoted_from = source.promoted_from_id
            Thread.objects.filter(pk=source.pk).update(promoted_from=None)
            Thread.objects.filter(pk=into.pk).update(promoted_from_id=promoted_from)
        # Earlier merges into the old thread now lead to the target too.
        ThreadRedirect.objects.filter(thread=source).update(thread=into)
        ThreadRedirect.objects.create(old_thread_id=source.pk, thread=into)
        Community.objects.filter(pk=source.community_id).update(
            thread_count=F("thread_count") - 1
        )
        audit_record(
            actor=actor,
            community=into.community,
            action=Action.THREAD_MERGED,
            thread=into,
            reason=f"{source.title} (#{source.pk}) → {into.title}",
        )
        if source.community_id != into.community_id:
            audit_record(
                actor=actor,
                community=source.community,
                action=Action.THREAD_MERGED,
                thread=source,
                reason=f"{source.title} (#{source.pk}) → {into.title}",
            )
        merged = {"id": source.pk, "into": into.pk}
        _thread_event(source, "thread.merged", merged, actor)
        _thread_event(into, "thread.merged", {"id": into.pk, "from": source.pk}, actor)
        _community_event(source.community_id, "thread.merged", merged, actor)
        source.delete()
    target.refresh_from_db()
    return target
