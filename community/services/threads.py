"""Write services for discussion threads and their posts."""

import sqlite3
from contextlib import nullcontext
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from live.events import event_record, event_record_many, stream_name

from .. import payloads, permissions
from ..markdown import mentioned_user_ids, render_markdown
from ..models import AuditEntry, Community, HeldPost, Post, PostRevision, Thread
from ..ratelimit import RateLimited, rate_limit_hit
from ..tagging import tag_names_clean
from . import answers, attachments, drafts, reading, rules
from .audit import audit_record

__all__ = [
    "held_release",
    "post_delete",
    "post_edit",
    "post_preview",
    "post_replies",
    "post_reply",
    "NewReply",
    "thread_create",
    "thread_title_max_length",
]

THREAD_TAGS_MAX = 5
THREAD_TAG_MAX_LENGTH = 40


# --- validation ------------------------------------------------------------------------


def thread_title_max_length():
    """The longest title a thread may have, in characters (for forms and services)."""
    # The column's own size caps whatever the environment asks for.
    return min(
        settings.THREAD_TITLE_MAX_LENGTH, Thread._meta.get_field("title").max_length
    )


def _clean_title(title):
    title = " ".join((title or "").split())
    if not title:
        raise ValidationError({"title": _("Give the thread a title.")}, code="required")
    limit = thread_title_max_length()
    if len(title) > limit:
        raise ValidationError(
            {
                "title": ngettext(
                    "The title is too long: at most %(limit)d character.",
                    "The title is too long: at most %(limit)d characters.",
                    limit,
                )
                % {"limit": limit}
            },
            code="max_length",
        )
    return title


# Renaming a thread (moderators) follows the thread form's title rules.
clean_title = _clean_title


def _is_text(value):
    """False for strings no page or database can hold: lone UTF-16 surrogates (which
    JSON frames can carry as `\\ud800`) and NUL characters."""
    if "\x00" in value:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _clean_body(body):
    """Normalise line endings and outer blank lines; refuse empty or over-long bodies."""
    body = (body or "").replace("\r\n", "\n").replace("\r", "\n")
    # Leading spaces may be Markdown (an indented code block): only drop blank lines.
    body = body.rstrip().lstrip("\n")
    if not body.strip():
        raise ValidationError({"body": _("Write something first.")}, code="required")
    if not _is_text(body):
        raise ValidationError(
            {"body": _("The message contains characters that are not text.")},
            code="invalid",
        )
    limit = settings.POST_BODY_MAX_LENGTH
    if len(body) > limit:
        raise ValidationError(
            {
                "body": ngettext(
                    "The message is too long: at most %(limit)d character "
                    "(it has %(length)d).",
                    "The message is too long: at most %(limit)d characters "
                    "(it has %(length)d).",
                    limit,
                )
                % {"limit": limit, "length": len(body)}
            },
            code="max_length",
        )
    return body


def _clean_tags(tags):
    """Thread tags, lower-cased; ValidationError keyed by `tags`."""
    try:
        return tag_names_clean(
            tags, max_count=THREAD_TAGS_MAX, max_length=THREAD_TAG_MAX_LENGTH
        )
    except ValidationError as error:
        raise ValidationError({"tags": error.error_list}) from error


def _resent_post(actor, client_id):
    """The post `actor` already stored under `client_id`, if any (idempotent resend)."""
    if client_id is None:
        return None
    return _stored_posts({(actor.pk, client_id)}).get((actor.pk, client_id))


def record_post_event(post, type, actor, *, mentions=(), payload=None):
    """Record `type` about `post` on its thread's stream: ids, and the people a new
    text mentions (looked up before the transaction); clients are shown the post as
    it is when the event reaches them."""
    event_record(
        stream=stream_name("thread", post.thread_id),
        type=type,
        payload=payloads.post_data(post, mentions) if payload is None else payload,
        actor=actor,
    )


# --- threads ---------------------------------------------------------------------------


def thread_create(
    *,
    actor,
    community,
    title,
    body,
    tags=(),
    client_id=None,
    may_hold=False,
    is_question=False,
    attachments=(),
):
    """Start a discussion thread in `community` with its first post; return the thread.

    Callers: active, unmuted members of the community and site staff
    (`permissions.can_create_thread`), else PermissionDenied. Raises ValidationError
    for an empty or over-long title or body, bad tags, or past the "thread" rate limit.
    A resent form with the same `client_id` returns the thread created the first time.
    Emits `thread.created` on `community:<id>` and `post.created` on `thread:<id>`.

    Posting rules (`services.rules`): watched words block or censor the title and
    body; when a "hold" word or first-posts approval keeps the thread back, it
    returns a HeldPost with `may_hold` (the new-thread form), else refuses with a
    ValidationError (callers that need the thread at once). `is_question`: the
    thread asks a question whose accepted answer may be marked (`services.answers`);
    a held thread is approved as a plain discussion.

    `attachments` are ids of the actor's pending uploads for a new thread in this
    community (`services.attachments`, uploaded from the new-thread form), attached
    to the first post in its transaction; with some, the body may be empty. Any that
    is not theirs, not for this community, sent or expired refuses the thread
    (ValidationError, nothing written); so does a thread with files that would be
    held for a moderator (a held post carries no files, as for replies).
    """
    permissions.require_create_thread(actor, community)
    resent = _resent_post(actor, client_id)
    if resent is not None and resent.number == 1:
        return resent.thread
    if resent is not None:
        raise ValidationError(_("This form was already sent. Reload the page."))
    files = _files_claim(actor, community, attachments)

    errors = {}
    cleaned = {}
    for field, clean, value in (
        ("title", _clean_title, title),
        # A file may go alone: then the text may be empty.
        ("body", _clean_body if not files else _clean_body_or_files, body),
        ("tags", _clean_tags, tags),
    ):
        try:
            cleaned[field] = clean(value)
        except ValidationError as error:
            errors.update(error.message_dict)
    watched = rules.watched_rules(community)
    held_by = None
    for field in ("title", "body"):
        if field in cleaned:
            try:
                cleaned[field], held = rules.text_screen(cleaned[field], watched, field)
            except ValidationError as error:
                errors.update(error.message_dict)
            else:
                held_by = held_by or held
    if errors:
        raise ValidationError(errors)

    first_posts = rules.needs_approval(actor, community)
    is_held = held_by is not None or first_posts
    if files and is_held and may_hold and rules.may_hold(community):
        # A held thread waits as text only; its files would be seen by nobody
        # meanwhile, and expire. The uploads stay pending: the form offers them again.
        raise ValidationError(
            _(
                "This thread must be approved by a moderator first: remove its files "
                "and publish it without them."
            ),
            code="held",
        )
    rate_limit_hit(actor, "thread")
    body_html = render_markdown(cleaned["body"])
    if (held_by is not None or first_posts) and not (
        may_hold and rules.may_hold(community)
    ):
        # Callers that need the thread at once (promotions, workspaces) get a refusal.
        if held_by is not None:
            raise rules.hold_refusal(held_by)
        raise ValidationError(
            _(
                "A moderator approves your first posts in this community: start a "
                "thread from its “New thread” page."
            ),
            code="held",
        )
    if held_by is not None or first_posts:
        # The thread waits with its first post: nobody else learns of it until then.
        return rules.held_create(
            actor=actor,
            community=community,
            thread=None,
            title=cleaned["title"],
            tags=cleaned["tags"],
            body=cleaned["body"],
            body_html=body_html,
            client_id=client_id,
            why=HeldPost.Why.FIRST_POSTS if first_posts else HeldPost.Why.WATCHED_WORD,
            word=held_by.word if held_by is not None else "",
        )
    return _thread_write(
        actor, community, cleaned["title"], cleaned["body"], body_html, cleaned["tags"],
        client_id, is_question=is_question, files=files,
    )


def _files_claim(actor, community, ids):
    """`thread_create`'s pending uploads, checked (`attachments.attachments_claim`)."""
    return attachments.attachments_claim(actor, community, ids)


def _clean_body_or_files(value):
    """A first post sent with files may have no text."""
    return "" if not (value or "").strip() else _clean_body(value)


def _thread_write(
    actor, community, title, body, body_html, tags, client_id, held=None,
    *, is_question=False, files=(),
):
    """Write a new thread with its first post and their events (for `thread_create`
    and for a held thread a moderator approves); return the thread."""
    mentions = mentioned_user_ids(body)
    now = timezone.now()
    try:
        with transaction.atomic():
            thread = Thread.objects.create(
                community=community,
                title=title,
                kind=Thread.Kind.DISCUSSION,
                author=actor,
                last_activity_at=now,
                last_poster=actor,
                post_count=1,
                slow_mode_seconds=community.slow_mode_default,
                is_question=is_question,
            )
            if tags:
                thread.tags.set(tags)
            post = Post.objects.create(
                thread=thread,
                number=1,
                author=actor,
                body=body,
                body_html=body_html,
                client_id=client_id,
            )
            if held is not None:
                held.post = post
                held.thread = thread
            attachments.attachments_attach(post, files)
            Community.objects.filter(pk=community.pk).update(
                thread_count=F("thread_count") + 1, last_activity_at=now
            )
            event_record(
                stream=stream_name("community", community.pk),
                type="thread.created",
                payload=payloads.thread_data(thread),
                actor=actor,
            )
            record_post_event(post, "post.created", actor, mentions=mentions)
            # The author has read their thread and watches it (auto-watch).
            reading.positions_advance(
                [(actor.pk, thread.pk, 1, reading.AUTO_WATCH[thread.kind])]
            )
    except IntegrityError:
        # A concurrent resend with the same client_id won the race.
        resent = _resent_post(actor, client_id)
        if resent is None or held is not None:
            raise
        return resent.thread
    community.refresh_from_db(fields=["thread_count", "last_activity_at"])
    return thread


# --- posts -----------------------------------------------------------------------------


def post_reply(*, actor, thread, body, client_id=None, attachments=()):
    """Add a reply at the end of `thread`; return the post.

    Callers: active, unmuted members and staff; locked threads only take replies from
    moderators (`permissions.can_reply`), else PermissionDenied. Raises ValidationError
    for an empty or over-long body or past the "post" rate limit. A resent post with
    the same `client_id` returns the stored post without writing or emitting again.
    `attachments` are ids of the actor's pending uploads for this thread
    (`services.attachments`), attached in the post's transaction; with some, the
    body may be empty. Emits `post.created` on `thread:<id>`.
    """
    (outcome,) = post_replies([NewReply(actor, thread, body, client_id, None, attachments)])
    if isinstance(outcome, Exception):
        raise outcome
    if isinstance(outcome, HeldPost):
        return outcome
    thread.refresh_from_db(fields=["post_count", "last_activity_at", "last_poster"])
    return outcome


@dataclass(frozen=True)
class NewReply:
    """One reply asked for: who, where (a Thread the actor may see), what, the
    client's id for it (None for none), the language its refusal is told in
    (None: the active one), and the ids of the actor's pending uploads it sends."""

    actor: object
    thread: object
    body: str
    client_id: object = None
    language: str | None = None
    attachments: tuple = ()


def post_replies(replies):
    """Add several replies, each by `post_reply`'s rules, in one transaction (group
    commit: posts that arrive together cost one commit, one post-number and one
    sequence allocation per thread); return, for each reply in order, its Post or the
    PermissionDenied/ValidationError that refused it. Refusing one refuses no other.
    Emits `post.created` on `thread:<id>` for each new post.

    Resent posts (a client id already stored) are found by the unique constraint:
    the group is written first and, only if that fails, reply by reply, each resend
    answered with its stored post; the common case costs no lookup.
    """
    outcomes = [None] * len(replies)
    new = []  # (index, reply, body, body_html, mentions, attachments)
    held = []  # (index, reply, body, the watched word that holds it or None)
    claimed = {}  # (author, client_id) -> index of the reply that writes it
    watched = {}  # community id -> its watched words, read once per group
    for index, reply in enumerate(replies):
        key = (reply.actor.pk, reply.client_id) if reply.client_id is not None else None
        community = reply.thread.community
        with _told_in(reply.language):
            try:
                permissions.require_reply(reply.actor, reply.thread)
                if key in claimed:
                    outcomes[index] = claimed[key]  # the same post twice in one group
                    continue
                files = attachments.attachments_claim(
                    reply.actor, reply.thread, reply.attachments
                )
                # A file may go alone: then the text may be empty.
                body = "" if files and not (reply.body or "").strip() else (
                    _clean_body(reply.body)
                )
                if community.pk not in watched:
                    watched[community.pk] = rules.watched_rules(community)
                body, held_by = rules.text_screen(body, watched[community.pk], "body")
                if held_by is not None and not rules.may_hold(community):
                    raise rules.hold_refusal(held_by)
                first_posts = rules.needs_approval(reply.actor, community)
                if files and (held_by is not None or first_posts):
                    # A held post waits as text only; its files would be seen by
                    # nobody meanwhile, and expire.
                    raise ValidationError(
                        _(
                            "This message must be approved by a moderator first: "
                            "send it without files."
                        ),
                        code="held",
                    )
                if held_by is None and not first_posts:
                    rules.slow_mode_hit(reply.actor, reply.thread)
                rate_limit_hit(reply.actor, "post")
            except RateLimited as error:
                # A resend of a stored post is acknowledged whatever the budget.
                stored = _resent_post(reply.actor, reply.client_id)
                outcomes[index] = error if stored is None else _resent_outcome(stored, reply)
                continue
            except (PermissionDenied, ValidationError) as error:
                outcomes[index] = error
                continue
        if key is not None:
            claimed[key] = index
        if held_by is not None or first_posts:
            held.append((index, reply, body, held_by))
            continue
        new.append(
            (index, reply, body, render_markdown(body), mentioned_user_ids(body), files)
        )
    for index, reply, body, held_by in held:
        # Held posts are not posts yet: no number, no event for readers, no count.
        stored = _resent_post(reply.actor, reply.client_id)
        outcomes[index] = stored if stored is not None else rules.held_create(
            actor=reply.actor,
            community=reply.thread.community,
            thread=reply.thread,
            body=body,
            body_html=render_markdown(body),
            client_id=reply.client_id,
            why=HeldPost.Why.WATCHED_WORD if held_by is not None else HeldPost.Why.FIRST_POSTS,
            word=held_by.word if held_by is not None else "",
        )
    if new:
        try:
            with transaction.atomic():
                for index, post in _write_replies(new):
                    outcomes[index] = post
        except IntegrityError:
            # Another process stored one of these client ids meanwhile: one by one.
            for index, reply, body, body_html, mentions, files in new:
                outcomes[index] = _write_reply_alone(
                    reply, body, body_html, mentions, files
                )
    outcomes = [
        outcomes[outcome] if isinstance(outcome, int) else outcome for outcome in outcomes
    ]
    # What was sent (or held for review) is no longer a draft, on any device.
    drafts.drafts_clear(
        (reply.actor.pk, reply.thread.pk)
        for reply, outcome in zip(replies, outcomes, strict=True)
        if not isinstance(outcome, Exception)
    )
    return outcomes


def _told_in(language):
    """Refusals in the asker's language when the reply names one."""
    return translation.override(language) if language else nullcontext()


def _stored_posts(wanted):
    """The posts stored under the (author id, client_id) pairs `wanted`, by pair."""
    if not wanted:
        return {}
    stored = Post.objects.select_related("thread__community", "author__organisation").filter(
        author_id__in={author for author, _client in wanted},
        client_id__in={client for _author, client in wanted},
    )
    return {
        (post.author_id, post.client_id): post
        for post in stored
        if (post.author_id, post.client_id) in wanted
    }


def _resent_outcome(stored, reply):
    if stored.thread_id != reply.thread.pk:
        return ValidationError(_("This message was already sent elsewhere."))
    return stored


def _write_replies(new):
    """Inside the transaction: per thread, one counter update that allocates the post
    numbers, one INSERT of its posts and one of their events; for the whole group, one
    upsert of the posters' read positions (auto-watch included) and one update of the
    communities' activity. Yields (index, post)."""
    now = timezone.now()
    read = []  # (person, thread, number, level) for their read positions
    watch = reading.AUTO_WATCH
    by_thread = {}
    for item in new:
        by_thread.setdefault(item[1].thread.pk, []).append(item)
    for items in by_thread.values():
        thread = items[0][1].thread
        last = _numbers_allocate(thread, len(items), now, items[-1][1].actor) - len(items)
        posts = Post.objects.bulk_create(
            [
                Post(
                    thread=thread,
                    number=last + offset,
                    author=reply.actor,
                    body=body,
                    body_html=body_html,
                    client_id=reply.client_id,
                )
                for offset, (_index, reply, body, body_html, _mentions, _files) in (
                    enumerate(items, start=1)
                )
            ]
        )
        for post, item in zip(posts, items, strict=True):
            # New: no discussion continues it yet (its presenter asks).
            Post.promoted_to.related.set_cached_value(post, None)
            attachments.attachments_attach(post, item[5])
        event_record_many(
            stream=stream_name("thread", thread.pk),
            entries=[
                ("post.created", payloads.post_data(post, item[4]), item[1].actor, post)
                for post, item in zip(posts, items, strict=True)
            ],
        )
        for post, item in zip(posts, items, strict=True):
            read.append((item[1].actor.pk, thread.pk, post.number, watch[thread.kind]))
            yield item[0], post
    # Posters have read their thread up to their post, and follow the discussions
    # they reply to (unless they chose a level): one statement for the whole group.
    reading.positions_advance(read)
    Community.objects.filter(
        pk__in={items[0][1].thread.community_id for items in by_thread.values()}
    ).update(last_activity_at=now)


def _numbers_allocate(thread, count, now, last_poster):
    """Count `count` more posts in `thread` and return its new post count, which is
    the number of the last of them: posts are numbered 1, 2, 3, ... by this counter
    and never removed (deleting keeps a placeholder), so the count is the last number.

    The UPDATE takes the thread's row lock: replies to one thread queue here until
    commit, so the numbers are allocated without races.
    """
    connection = transaction.get_connection()
    changes = {
        "post_count": F("post_count") + count,
        "last_activity_at": now,
        "last_poster": last_poster,
    }
    if connection.vendor == "sqlite" and sqlite3.sqlite_version_info < (3, 35):
        Thread.objects.filter(pk=thread.pk).update(**changes)  # no RETURNING before 3.35
        return Thread.objects.values_list("post_count", flat=True).get(pk=thread.pk)
    table = connection.ops.quote_name(Thread._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET post_count = post_count + %s, last_activity_at = %s, "
            "last_poster_id = %s WHERE id = %s RETURNING post_count",
            [
                count,
                connection.ops.adapt_datetimefield_value(now),
                last_poster.pk,
                thread.pk,
            ],
        )
        return cursor.fetchone()[0]


def _write_reply_alone(reply, body, body_html, mentions, files):
    """One reply in its own transaction; a client id stored meanwhile returns that post."""
    try:
        with transaction.atomic():
            ((_index, post),) = _write_replies(
                [(0, reply, body, body_html, mentions, files)]
            )
        return post
    except IntegrityError:
        stored = _resent_post(reply.actor, reply.client_id)
        if stored is None:
            raise
        with _told_in(reply.language):
            return _resent_outcome(stored, reply)


def post_preview(*, actor, body, community=None):
    """The HTML `body` would be shown as once posted (in `community`, whose watched
    words apply): the posts' own cleaning, screening and renderer.

    Callers: signed-in people (views check they may read `community`). Raises
    ValidationError for what posting refuses (an empty, over-long or non-text body,
    a blocked word) and past the "preview" rate limit. Writes nothing.
    """
    body = _clean_body(body)
    if community is not None:
        body, _held_by = rules.text_screen(body, rules.watched_rules(community), "body")
    rate_limit_hit(actor, "preview")
    return render_markdown(body)


def post_edit(*, actor, post, body):
    """Replace the body of `post`, keeping the previous version as a PostRevision.

    Callers: the author while they may post in the community (`permissions.can_edit_post`),
    else PermissionDenied. Raises ValidationError for an empty or over-long body.
    An unchanged body changes nothing. Emits `post.edited` on `thread:<id>`.
    """
    permissions.require_edit_post(actor, post)
    body = _clean_body(body)
    community = post.thread.community
    body, held_by = rules.text_screen(body, rules.watched_rules(community), "body")
    if held_by is not None:
        # A published post cannot wait for review without disappearing from the
        # readers who saw it: a word the community holds is refused in an edit.
        raise rules.hold_refusal(held_by)
    if body == post.body:
        return post
    body_html = render_markdown(body)
    mentions = mentioned_user_ids(body)
    now = timezone.now()
    with transaction.atomic():
        current = (
            Post.objects.select_for_update()
            .filter(pk=post.pk)
            .values("body", "body_html", "created_at", "edited_at")
            .first()
        )
        PostRevision.objects.create(
            post=post,
            body=current["body"],
            body_html=current["body_html"],
            # Only authors edit posts, so the author wrote every earlier version.
            edited_by_id=post.author_id,
            created_at=current["edited_at"] or current["created_at"],
        )
        post.body = body
        post.body_html = body_html
        post.edited_at = now
        post.save(update_fields=["body", "body_html", "edited_at"])
        record_post_event(post, "post.edited", actor, mentions=mentions)
    return post


def post_delete(*, actor, post):
    """Soft-delete `post`: it stays in the thread as a "deleted" placeholder.

    Callers: the author (`permissions.can_delete_post`), else PermissionDenied. The
    body stays in the database but is never shown again; the first post of a thread
    may be deleted too (the thread stays readable); its attachments are removed
    with their files. Emits `post.deleted` on
    `thread:<id>`.
    """
    permissions.require_delete_post(actor, post)
    with transaction.atomic():
        post.is_deleted = True
        post.deleted_at = timezone.now()
        post.save(update_fields=["is_deleted", "deleted_at"])
        # Its files leave with it: gone from storage once this commits.
        attachments.attachments_withdraw([post])
        record_post_event(post, "post.deleted", actor)
        answers.answer_withdraw(post, actor=actor)
    return post


def held_release(*, actor, held):
    """Approve a held post: it is published as if just sent (a new thread for a held
    first post, a reply or room message otherwise), live for every open page. Return
    the HeldPost, whose `post` is the new post.

    The community's moderators and staff (`permissions.can_decide_held_posts`), else
    PermissionDenied; ValidationError when it was decided already. The author's slow
    mode and rate limits do not apply (they were counted when they sent it). Writes
    an audit entry; emits what posting emits, and `held.released` to moderators.
    """
    permissions.require_decide_held_posts(actor, held.community)
    with transaction.atomic():
        row = rules.held_locked(held, actor)
        author, community = row.author, row.community
        if row.thread is None:
            thread = _thread_write(
                author, community, row.title, row.body, row.body_html, row.tags,
                row.client_id, held=row,
            )
            row.thread = thread
        else:
            reply = NewReply(author, row.thread, row.body, row.client_id)
            ((_index, post),) = _write_replies(
                [(0, reply, row.body, row.body_html, mentioned_user_ids(row.body), [])]
            )
            row.post = post
        rules.held_close(row, actor, HeldPost.Status.RELEASED)
        audit_record(
            actor=actor,
            community=community,
            action=AuditEntry.Action.HELD_RELEASED,
            post=row.post,
        )
    return row
