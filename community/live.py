"""The community app's part in the live engine: its stream kinds, its socket
operations (`post`, `typing`) and how its events are presented to clients.

Registered with `live` from `CommunityConfig.ready()`; `live` never imports this app.
Every decision here is taken on the current state: each socket operation and each
authorisation starts from `permissions.current_user`, inside one permission scope.
"""

import hashlib
import time
import uuid
from itertools import product

from channels.db import database_sync_to_async
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError
from django.db.models import Case, Value, When
from django.http import Http404
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from live import presence
from live.consumer import not_found, unavailable, whole_number
from live.events import (
    ephemeral_broadcast,
    frame_text,
    register_presenter,
    register_subscriber,
)
from live.operations import Grouped, register_operation
from live.streams import Access, authorize_own_stream, register_stream_kind
from live.wire import viewer_field

from . import badges, permissions
from .fragments import FragmentCache
from .models import Community, HeldPost, Organisation, Post, Thread
from .payloads import user_brief
from .queries import posts as post_queries
from .queries import reactions as post_reactions
from .queries import rooms, threads
from .ratelimit import RateLimited
from .services import threads as thread_services
from .services.rules import HELD_MESSAGE, SlowModeWait

# --- who may follow what ---------------------------------------------------------------


def _current(operation):
    """Run `operation(user, ...)` on the current state of the socket's user, in
    their language when they chose one."""

    def run(socket_user, language, *args):
        with permissions.operation():
            user = permissions.current_user(socket_user)
            with translation.override(getattr(user, "language", "") or language):
                return operation(user, *args)

    return run


# Events about one post, presented as the post is now: its own, and its reactions'.
_POST_TYPES = ("post.", "reaction.")

# What a reaction frame says of its post besides the bar.
_REACTION_FACTS = ("author", "is_deleted", "is_hidden", "promoted_to", "reactions")

_MAX_SHARED_TABLES = 1024
_shared_tables = {}  # the actions of each case, in order -> the one table with them


class PostViewer:
    """What one socket's person may do with the posts of one thread, by the pages'
    rule (`post_queries.post_actions`), decided when the subscription is authorised and
    again at every re-check (a mute, a ban, a role change or a lock re-checks).

    The answer for a post depends on the person and the thread only through whether
    the post is theirs and its state, so every case is decided here, once: `annotate`
    runs in the socket's writer for each frame and must not query (a thousand
    sockets look it up per event). It only decides which buttons show; the actions
    themselves check again when used.
    """

    __slots__ = ("user_id", "actions")

    def __init__(self, user, thread):
        self.user_id = user.pk if user.is_authenticated else None
        actions = {}
        with permissions.operation(permissions.Decisions()):
            for own, deleted, hidden, promoted in product((False, True), repeat=4):
                post = Post(
                    thread=thread,
                    number=0,
                    author_id=self.user_id if own else None,
                    is_deleted=deleted,
                    is_hidden=hidden,
                )
                names = post_queries.post_actions(user, post, promoted=promoted)
                actions[own, deleted, hidden, promoted] = viewer_field(
                    {"actions": sorted(names)}
                )
        # Readers with the same rights share one table: a thousand sockets on a
        # thread hold a handful of tables, not a thousand.
        key = tuple(tuple(field["actions"]) for field in actions.values())
        shared = _shared_tables.get(key)
        if shared is None and len(_shared_tables) < _MAX_SHARED_TABLES:
            shared = _shared_tables[key] = actions
        self.actions = shared or actions

    def annotate(self, frame, memo=None):
        """The actions field for `frame`; what the frame says about its post is read
        once per event into `memo` (shared by every socket the event goes to)."""
        facts = memo.get(PostViewer) if memo is not None else None
        if facts is None:
            facts = _post_facts(frame)
            if memo is not None:
                memo[PostViewer] = facts
        if not facts:
            return None
        author_id, deleted, hidden, promoted = facts
        own = self.user_id is not None and author_id == self.user_id
        return self.actions[own, deleted, hidden, promoted]


def _post_facts(frame):
    """(author id, deleted, hidden, promoted) of a post or reaction event; () for
    other events."""
    data = frame.get("data") or {}
    if not frame["type"].startswith(_POST_TYPES) or not isinstance(data.get("id"), int):
        return ()
    author = data.get("author")
    return (
        author.get("id") if isinstance(author, dict) else author,
        bool(data.get("is_deleted")),
        bool(data.get("is_hidden")),
        data.get("promoted_to") is not None,
    )


@permissions.operation()
def _authorize_thread(user, pk):
    user = permissions.current_user(user)
    thread = permissions.access_thread(user, pk)
    # Its own stream is a scope too: a lock or an unlock re-checks the viewer.
    access = Access((f"community:{thread.community_id}", thread.stream))
    access.has_presence = thread.kind == Thread.Kind.ROOM
    access.viewer = PostViewer(user, thread)
    return access


@permissions.operation()
def _authorize_community(user, pk):
    community = Community.objects.filter(pk=pk).first()
    user = permissions.current_user(user)
    if community is None or not permissions.can_read_community(user, community):
        return None
    return (f"community:{community.pk}",)


@permissions.operation()
def _authorize_moderation(user, pk):
    """Requests, invitations and sanctions: for the community's moderators only."""
    community = Community.objects.filter(pk=pk).first()
    user = permissions.current_user(user)
    if community is None or not permissions.can_moderate_community(user, community):
        return None
    return (f"community:{community.pk}",)


@permissions.operation()
def _authorize_review(user, pk):
    """`review:1`, every community's review items opening and closing: site staff
    (who moderate them all) only."""
    user = permissions.current_user(user)
    if pk != 1 or not permissions.is_site_staff(user):
        return None
    return ()


@permissions.operation()
def _authorize_organisation(user, pk):
    """Affiliation requests and decisions: for the organisation's admins (and staff),
    who see the same on the organisation's page."""
    organisation = Organisation.objects.filter(pk=pk).first()
    user = permissions.current_user(user)
    if organisation is None or not permissions.can_decide_affiliations(user, organisation):
        return None
    return ()


# --- what a socket may do --------------------------------------------------------------


def _post_group(requests):
    """Posts sent over this process's sockets meanwhile, written in one transaction by
    the same service as the HTTP form (`post_replies`: permissions, limits, events).

    Each request is (socket user, socket language, thread id, body, client uuid[,
    attachment ids]); each answer (post id, None, None, extra) or (None, error code, message in the
    person's language, extra): `extra` holds what the frame adds (`retry_after` for
    a slow-mode or rate-limit refusal; `held` and its message for a held post). Every
    person is read again from the database first (once per group).
    """
    answers = [None] * len(requests)
    replies = []  # (index, NewReply)
    with permissions.operation():
        people = permissions.current_users([request[0] for request in requests])
        access = {}  # thread id -> {person's pk: thread or refusal}
        for thread_id in {request[2] for request in requests}:
            writers = {people[request[0].pk] for request in requests if request[2] == thread_id}
            access[thread_id] = permissions.access_thread_for_each(writers, thread_id)
        for index, request in enumerate(requests):
            socket_user, language, thread_id, body, client_id, *files = request
            user = people[socket_user.pk]
            language = getattr(user, "language", "") or language
            thread = access[thread_id][user.pk]
            if isinstance(thread, Exception):
                with translation.override(language):
                    answers[index] = _refusal(thread)
                continue
            reply = thread_services.NewReply(
                user, thread, body, client_id, language, tuple(files[0]) if files else ()
            )
            replies.append((index, reply))
        outcomes = thread_services.post_replies([reply for _index, reply in replies])
    for (index, reply), outcome in zip(replies, outcomes, strict=True):
        if isinstance(outcome, Exception):
            with translation.override(reply.language):
                answers[index] = _refusal(outcome)
        elif isinstance(outcome, HeldPost):
            with translation.override(reply.language):
                answers[index] = (None, None, None, _held_ack(outcome))
        else:
            answers[index] = (outcome.pk, None, None, {})
    return answers


def _held_ack(held):
    """What an ack of a held post adds: its id and what the author is told."""
    return {"held": held.pk, "message": str(HELD_MESSAGE)}


def _refusal(error):
    """(None, code, message, extra) for a refused post; a wait says how long."""
    if isinstance(error, Http404):
        return None, "not_found", str(not_found()), {}
    if isinstance(error, PermissionDenied):
        return None, "forbidden", str(error) or str(not_found()), {}
    message = " ".join(str(message) for message in error.messages)
    if isinstance(error, RateLimited) and error.retry_after:
        code = "slow_mode" if isinstance(error, SlowModeWait) else "rate_limited"
        return None, code, message, {"retry_after": error.retry_after}
    return None, "invalid", message, {}


_post_grouped = Grouped(_post_group)


# More ids than any post may carry is a malformed frame, not a refusal to explain.
_ATTACHMENT_IDS_MAX = 100


async def operation_post(socket, frame):
    """`{"op": "post", "thread": 42, "body": "...", "client_id": "<uuid>",
    "attachments": [7, 8]}`: a reply or room message, with the sender's pending
    uploads (optional), acknowledged once committed; a resent client_id is stored
    once."""
    thread_id, body, client_id = frame.get("thread"), frame.get("body"), frame.get("client_id")
    files = frame.get("attachments", [])
    if not isinstance(client_id, str):
        return await socket.error("bad_frame", _("client_id must be a UUID."), ref=client_id)
    try:
        client_uuid = uuid.UUID(client_id)
    except ValueError:
        return await socket.error("bad_frame", _("client_id must be a UUID."), ref=client_id)
    if not whole_number(thread_id) or not isinstance(body, str):
        return await socket.error(
            "bad_frame", _("post needs thread and body."), ref=client_id
        )
    if (
        not isinstance(files, list)
        or len(files) > _ATTACHMENT_IDS_MAX
        or not all(whole_number(pk) for pk in files)
    ):
        return await socket.error(
            "bad_frame", _("attachments must be a list of ids."), ref=client_id
        )
    try:
        post_id, code, message, extra = await _post_grouped(
            (socket.user, socket.language, thread_id, body, client_uuid, tuple(files))
        )
    except DatabaseError:
        # The database is restarting or unreachable: no ack, so the client keeps the
        # post and sends it again. Had its commit gone through after all, the resend
        # is answered with the stored post (the client id is unique per author).
        return await socket.error("unavailable", unavailable(), ref=client_id)
    if code is not None:
        if not extra:
            return await socket.error(code, message, ref=client_id)
        # A wait: the frame says how long, so the composer can count down.
        with translation.override(socket.language):
            frame = {"op": "error", "code": code, "message": str(message)}
        return await socket.send_frame({**frame, "ref": str(client_uuid), **extra})
    await socket.send_frame(
        {"op": "ack", "client_id": str(client_uuid), "post": post_id, **extra}
    )


@_current
def _typing_refusal(user, thread_id):
    """Why `user` may not send typing notices to the room (None when they may)."""
    try:
        permissions.require_reply(user, permissions.access_thread(user, thread_id))
    except Http404:
        return str(not_found())
    except PermissionDenied as error:
        return str(error) or str(not_found())
    return None


async def operation_typing(socket, frame):
    """`{"op": "typing", "thread": 42}` in a followed room: a throttled notice to the
    others, for people who may write there now."""
    thread_id = frame.get("thread")
    stream = f"thread:{thread_id}" if whole_number(thread_id) else None
    if stream is None or not socket.is_present_in(stream):
        # The ref is the thread id, never the stream: a stream ref means "your
        # subscription ended", and a refused typing notice ends nothing.
        return await socket.error("not_found", not_found(), ref=thread_id)
    if not await presence.typing_allowed(stream, socket.user):
        return  # throttled: one notice every few seconds is enough
    try:
        refusal = await database_sync_to_async(_typing_refusal)(
            socket.user, socket.language, thread_id
        )
    except DatabaseError:
        return  # a notice that can wait for the next keystroke
    if refusal is not None:
        return await socket.error("forbidden", refusal, ref=thread_id)
    await presence.ephemeral_send(
        stream, {"op": "typing", "stream": stream, "user": socket.person()}
    )


# --- what clients see ------------------------------------------------------------------


fragments = FragmentCache(size=1024)


def _fragment_version(post, now):
    """What the post's fragment shows that may change, as a short digest."""
    author = post.author
    shown = [
        now,
        post.number,
        post.thread.kind,
        post.thread.community.slug,  # in the fragment's links
        author.avatar.name if author is not None else None,
        # Who hid it: members' reports (pending review) or a moderator; the
        # placeholder says which.
        post.is_hidden and post.hidden_by_id is None and not post.hidden_reason,
        # A badge beside the author's name (`community.badges`).
        str(getattr(post, "author_badge", "")),
    ]
    return hashlib.blake2b(
        frame_text(shown).encode(), digest_size=16
    ).digest()


def _template(thread):
    """Room messages use the chat layout, discussions the thread page's."""
    if thread.kind == Thread.Kind.ROOM:
        return "community/includes/room_message.html"
    return "community/includes/post.html"


def _prepare_for_everyone(posts):
    """Give `posts` what their shared fragments show (links, every action), the
    links of each thread built once."""
    by_thread = {}
    for post in posts:
        by_thread.setdefault(post.thread_id, []).append(post)
    for same in by_thread.values():
        thread = same[0].thread
        if thread.kind == Thread.Kind.ROOM:
            rooms.room_messages_prepare_for_everyone(thread, same)
        else:
            threads.posts_prepare_for_everyone(thread, same)


def posts_fragments(posts, languages, versions):
    """{post pk: {language: the post's `<li>` as every viewer sees it}} for `posts`
    in each of `languages`, from the process's cache when the post's version
    (`versions[pk]`) was rendered before, else rendered (and kept)."""
    found = {post.pk: {} for post in posts}
    for post in posts:
        for code in languages:
            fragment = fragments.get((post.pk, versions[post.pk], code))
            if fragment is not None:
                found[post.pk][code] = fragment
    missing = [post for post in posts if len(found[post.pk]) < len(languages)]
    _prepare_for_everyone(missing)
    for post in missing:
        template = _template(post.thread)
        for code in languages:
            if code in found[post.pk]:
                continue
            with translation.override(code):
                # `live`: shared by every viewer, so no CSRF token (the browser adds
                # its own).
                fragment = render_to_string(template, {"post": post, "live": True})
            found[post.pk][code] = fragment
            fragments.put((post.pk, versions[post.pk], code), fragment)
    return {pk: {code: html[code] for code in languages} for pk, html in found.items()}


def _post_now(post):
    """What clients show of `post` as it is now, but its fragments."""
    hidden = post.is_deleted or post.is_hidden
    promoted = rooms.post_promotion(post)
    return {
        "author": user_brief(post.author),
        "body_html": "" if hidden else post.body_html,
        "created_at": post.created_at.isoformat(),
        "edited_at": post.edited_at.isoformat() if post.edited_at else None,
        "is_deleted": post.is_deleted,
        "is_removed": post.is_removed,
        "is_hidden": post.is_hidden,
        "promoted_to": (
            {"id": promoted.pk, "title": promoted.title, "url": promoted.get_absolute_url()}
            if promoted is not None
            else None
        ),
        # Who reacted with what (ids: the page marks its reader's own as pressed).
        "reactions": post_reactions.reaction_summary(post),
    }


def reactions_fragments(posts, languages, versions):
    """{post pk: {language: the post's reaction bar as every viewer sees it}}, kept
    in the process's fragment cache beside the posts' own fragments."""
    found = {post.pk: {} for post in posts}
    missing = []
    for post in posts:
        for code in languages:
            fragment = fragments.get((post.pk, versions[post.pk], code, "reactions"))
            if fragment is None:
                missing.append(post)
                break
            found[post.pk][code] = fragment
    _prepare_for_everyone(missing)
    for post in missing:
        for code in languages:
            with translation.override(code):
                fragment = render_to_string(
                    "community/includes/reactions.html", {"post": post, "live": True}
                )
            found[post.pk][code] = fragment
            fragments.put((post.pk, versions[post.pk], code, "reactions"), fragment)
    return found


def present_thread_events(events, languages):
    """Post events as their posts are now (current text; the placeholder of a deleted
    or hidden post), each post rendered once per language (and then taken from the
    process's fragment cache); other events as stored. One query for the batch, none
    for the posts a group of replies has just written. With no languages, post
    events carry no fragment (`html` is empty): the hubs of the processes whose
    sockets read them present them in their languages."""
    # Posts a group has just written come with their events (`event.subject`): no one
    # can have changed them yet, so they are not read again.
    written = {
        event.subject.pk: event.subject
        for event in events
        if isinstance(getattr(event, "subject", None), Post)
    }
    ids = {
        event.payload.get("id")
        for event in events
        if event.type.startswith(_POST_TYPES) and isinstance(event.payload.get("id"), int)
    } - written.keys()
    posts = list(written.values())
    if ids:
        posts += Post.objects.select_related(
            "thread__community", "author__organisation", "promoted_to__community"
        ).filter(pk__in=ids)
    by_thread = {}
    for post in posts:
        by_thread.setdefault(post.thread_id, []).append(post)
    for same in by_thread.values():
        badges.author_badges_attach(same[0].thread, same)
    for post in written.values():
        # Just written: no one can have reacted to it yet (no query on the hot path).
        if not hasattr(post, "reaction_rows"):
            post.reaction_rows = []
    post_reactions.reactions_load(posts)
    now = {post.pk: _post_now(post) for post in posts}
    versions = {post.pk: _fragment_version(post, now[post.pk]) for post in posts}
    # A reaction changes the post's bar only: its frame carries the bar, not the
    # post (an open editor or menu on the page stays as it is).
    reacted = {
        event.payload.get("id")
        for event in events
        if event.type.startswith("reaction.") and event.payload.get("id") in now
    }
    # What the viewers read of the post (`_post_facts`) and its reactions; no text.
    shown = {
        pk: {name: facts[name] for name in _REACTION_FACTS}
        for pk, facts in now.items()
        if pk in reacted
    }
    changed = {
        event.payload.get("id") for event in events if event.type.startswith("post.")
    }
    whole = [post for post in posts if post.pk in changed]
    for pk, html in posts_fragments(whole, languages, versions).items():
        now[pk]["html"] = html
    bars = [post for post in posts if post.pk in reacted]
    for pk, html in reactions_fragments(bars, languages, versions).items():
        shown[pk]["reactions_html"] = html
    presented = [
        # Who reacted with what is stored for the notifications only: a frame says
        # what the post's bar shows now (nothing once it is hidden or gone).
        {
            "id": event.payload.get("id"),
            "thread": event.payload.get("thread"),
            **shown.get(event.payload.get("id"), {"reactions": []}),
        }
        if event.type.startswith("reaction.")
        else {**event.payload, **now[event.payload["id"]]}
        if event.type.startswith("post.") and event.payload.get("id") in now
        else event.payload
        for event in events
    ]
    return _titles_now(events, presented)


def _titled(event):
    """The thread id of a thread event that names its thread's title, else None."""
    if not event.type.startswith("thread.") or "title" not in event.payload:
        return None
    pk = event.payload.get("id")
    return pk if whole_number(pk) else None


def _titles_now(events, presented, *, community_id=None):
    """`presented` (the data of `events`) with each thread event's title as the
    thread's pages show it now, never the title stored with the event: a rename
    replaces it for every reader of the log (and `previous_title` is dropped).

    On a community's stream (`community_id`), whose readers are not authorised
    thread by thread, a thread gone from the community (moved, merged) or hidden
    from some of its readers (a deleted document's thread, read by leads only:
    `permissions.hidden_threads_condition`) replays with no title. A thread's own
    stream is re-authorised when its thread is hidden or moves, so its readers get
    the current title. One query, only for batches with thread events."""
    ids = {pk for pk in map(_titled, events) if pk is not None}
    if not ids:
        return presented
    rows = Thread.objects.filter(pk__in=ids)
    hidden = None
    if community_id is not None:
        hidden = permissions.hidden_threads_condition(AnonymousUser())
    rows = rows.annotate(
        is_hidden=Case(When(hidden, then=True), default=False)
        if hidden is not None
        else Value(False)
    )
    titles = {
        pk: None
        if is_hidden or (community_id is not None and community != community_id)
        else title
        for pk, title, community, is_hidden in rows.values_list(
            "pk", "title", "community_id", "is_hidden"
        )
    }
    result = []
    for event, data in zip(events, presented, strict=True):
        pk = _titled(event)
        if pk is not None:
            data = {**data, "title": titles.get(pk)}
            data.pop("previous_title", None)
        result.append(data)
    return result


def present_community_events(events, languages):
    """A community stream's events as stored, but thread titles as they are now
    (`_titles_now`): its readers never replay a renamed title, nor the title of a
    thread that left the community or is hidden from them."""
    presented = [event.payload for event in events]
    by_stream = {}
    for index, event in enumerate(events):
        by_stream.setdefault(event.stream, []).append(index)
    for stream, indexes in by_stream.items():
        community_id = int(stream.partition(":")[2])
        batch = _titles_now(
            [events[i] for i in indexes],
            [presented[i] for i in indexes],
            community_id=community_id,
        )
        for index, data in zip(indexes, batch, strict=True):
            presented[index] = data
    return presented


# --- activity notices: what the Unread view follows -------------------------------------

# At most one activity notice per community and process in this many seconds, and
# one more at the end of the window for the posts it held back: the Unread view and
# the room sidebar wait longer than this before they read their list again, and a
# page that subscribed just after a notice still hears of the posts that followed
# (static/js/unread.js, room_layout.js).
ACTIVITY_NOTICE_SECONDS = 1.0
# community id -> when this process last sent its notice, or will send the next one
_activity_sent = {}


def announce_activity(event):
    """After a reply or room message committed: an `activity` notice on its
    community's stream, ids only, no seq (never stored): open Unread views read
    their list again. Throttled per community and process (a post within a second
    of the last notice is announced at the second's end); posts a group wrote
    carry their thread (`event.subject`), so it costs no query; a thread's first
    post is announced by `thread.created` on the same stream."""
    if event.type != "post.created":
        return
    post = getattr(event, "subject", None)
    if not isinstance(post, Post):
        return
    community_id = post.thread.community_id
    now = time.monotonic()
    last = _activity_sent.get(community_id)
    if last is None or now - last >= ACTIVITY_NOTICE_SECONDS:
        delay = 0
    elif last > now:
        return  # the window's closing notice is on its way
    else:
        delay = last + ACTIVITY_NOTICE_SECONDS - now
    _activity_sent[community_id] = now + delay
    stream = f"community:{int(community_id)}"
    # The community only: every reader of its stream may know something was said.
    ephemeral_broadcast(stream, {"op": "activity", "stream": stream}, delay=delay)


def register():
    """Plug the community app into the live engine (called once, from ready())."""
    register_stream_kind(
        "thread",
        _authorize_thread,
        # A move or a merge changes who may read the thread (or ends it): re-check.
        revoking=(
            "thread.locked",
            "thread.unlocked",
            "thread.hidden",
            "thread.moved",
            "thread.merged",
        ),
    )
    register_stream_kind(
        "community", _authorize_community, revoking=("community.visibility_changed",)
    )
    register_stream_kind("moderation", _authorize_moderation)
    register_stream_kind("review", _authorize_review)
    register_stream_kind("organisation", _authorize_organisation)
    register_stream_kind(
        "user", authorize_own_stream, revoking=("member.", "affiliation.", "account.")
    )
    register_operation("post", operation_post)
    register_operation("typing", operation_typing)
    register_presenter("thread", present_thread_events)
    register_presenter("community", present_community_events)
    register_subscriber(announce_activity)

