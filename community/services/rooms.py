"""Write services for topic rooms: open a room, keep read positions, promote messages.

Messages in a room are posted with `post_reply` (same rules, rate limits and
idempotent `client_id` as discussion replies); edits and deletions use `post_edit`
and `post_delete`.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from live.events import event_record, stream_name

from .. import payloads, permissions
from ..models import Thread
from ..ratelimit import rate_limit_hit
from . import reading
from .rules import hold_refusal, text_screen, watched_rules
from .threads import record_post_event, thread_create

__all__ = [
    "post_promote",
    "promotion_note_max_length",
    "room_create",
    "room_read_mark",
]

ROOM_NAME_MAX_LENGTH = 80


def _clean_room_name(name):
    # Rooms are shown as "#name": a typed leading "#" is not part of the name.
    name = " ".join((name or "").split()).lstrip("#").strip()
    if not name:
        raise ValidationError({"name": _("Give the room a name.")}, code="required")
    if len(name) > ROOM_NAME_MAX_LENGTH:
        raise ValidationError(
            {
                "name": ngettext(
                    "The name is too long: at most %(limit)d character.",
                    "The name is too long: at most %(limit)d characters.",
                    ROOM_NAME_MAX_LENGTH,
                )
                % {"limit": ROOM_NAME_MAX_LENGTH}
            },
            code="max_length",
        )
    return name


def _name_taken():
    return ValidationError(
        {"name": _("This community already has a room with this name.")},
        code="unique",
    )


# Renaming a room (moderators) follows the same name rules.
clean_room_name = _clean_room_name
room_name_taken = _name_taken


def room_create(*, actor, community, name):
    """Open a standing chat room called `name` in `community`; return the thread.

    Callers: owners and moderators of the community and site staff
    (`permissions.can_create_room`), else PermissionDenied. Raises ValidationError
    for an empty name, a name over 80 characters, a watched word that blocks or holds
    it ("replace" words are censored), a name another room of the community already
    has (whatever its case), or past the "thread" rate limit.
    Emits `thread.created` on `community:<id>`.
    """
    permissions.require_create_room(actor, community)
    name = _clean_room_name(name)
    # The community's watched words, as in every title (moderators' included).
    name, held = text_screen(name, watched_rules(community), "name")
    if held is not None:
        raise hold_refusal(held, "name")
    rooms = Thread.objects.filter(community=community, kind=Thread.Kind.ROOM)
    if rooms.filter(title__iexact=name).exists():
        raise _name_taken()
    rate_limit_hit(actor, "thread")
    try:
        with transaction.atomic():
            room = Thread.objects.create(
                community=community,
                title=name,
                kind=Thread.Kind.ROOM,
                author=actor,
                last_activity_at=timezone.now(),
                post_count=0,
                slow_mode_seconds=community.slow_mode_default,
            )
            event_record(
                stream=stream_name("community", community.pk),
                type="thread.created",
                payload=payloads.thread_data(room),
                actor=actor,
            )
    except IntegrityError as error:
        # Another moderator opened a room with the same name a moment ago.
        raise _name_taken() from error
    return room


def room_read_mark(*, user, thread, number):
    """Record that `user` has seen the room `thread` up to message `number`; return
    the position: `reading.read_mark`, the one writer of read positions for rooms and
    discussions alike (never backwards, never past the last message, one statement)."""
    return reading.read_mark(user=user, thread=thread, number=number)


def _markdown_text(text):
    """`text` safe inside a Markdown link label."""
    for char in "\\[]":
        text = text.replace(char, "\\" + char)
    return text


def _promotion_credit(post, room):
    """The credit line, `@anna wrote in #room:`, with a link to the message."""
    author = (
        f"@{post.author.username}" if post.author is not None else _("A former member")
    )
    title = _markdown_text(room.title)
    link = f"[#{title}]({reverse('community:post-permalink', args=[post.pk])})"
    return _("%(author)s wrote in %(room)s:") % {"author": author, "room": link}


# The shortest quote, "> …", and the blank lines around it.
_SHORTEST_QUOTE = "\n\n> …\n\n"


def promotion_note_max_length(post):
    """The longest note a promotion of the room message `post` takes, in characters.

    The thread's first post is the credit, the quote and the note, within
    POST_BODY_MAX_LENGTH: a long message is quoted in part to make room for the note,
    down to "> …".
    """
    credit = _promotion_credit(post, post.thread)
    return settings.POST_BODY_MAX_LENGTH - len(credit) - len(_SHORTEST_QUOTE)


def _clean_note(post, note):
    note = (note or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    limit = promotion_note_max_length(post)
    if len(note) > limit:
        raise ValidationError(
            {
                "body": ngettext(
                    "The note is too long: at most %(limit)d character "
                    "(it has %(length)d).",
                    "The note is too long: at most %(limit)d characters "
                    "(it has %(length)d).",
                    limit,
                )
                % {"limit": limit, "length": len(note)}
            },
            code="max_length",
        )
    return note


def _promotion_body(post, room, note):
    """The first post of a promoted thread: who wrote what where, quoted, then `note`."""
    credit = _promotion_credit(post, room)
    tail = f"\n\n{note}" if note else ""
    quoted = "\n".join(f"> {line}".rstrip() for line in post.body.splitlines())
    # The "> " of every line counts too: cut the quote, never the note.
    budget = settings.POST_BODY_MAX_LENGTH - len(credit) - len("\n\n") - len(tail)
    if len(quoted) > budget:
        quoted = quoted[: budget - 1] + "…"
    return f"{credit}\n\n{quoted}{tail}"


def post_promote(*, actor, post, title, body=""):
    """Continue the room message `post` as a new discussion thread; return the thread.

    Callers: the message's author while they may start threads, moderators and staff
    (`permissions.can_promote_post`), else PermissionDenied. The thread is created
    by `thread_create` (same title rules and "thread" rate limit, raising
    ValidationError); its first post quotes the message, links back to it and ends
    with `body`, an optional note (a note over `promotion_note_max_length` raises
    ValidationError keyed by `body`). A message continues in one thread only: a second
    promotion raises ValidationError. Emits `thread.created` on `community:<id>`,
    `post.created` on the new `thread:<id>` and `post.promoted` on the room's stream.
    """
    permissions.require_promote_post(actor, post)
    already = _("A thread already continues this message.")
    if Thread.objects.filter(promoted_from=post).exists():
        raise ValidationError(already, code="promoted")
    note = _clean_note(post, body)
    room = post.thread
    try:
        with transaction.atomic():
            thread = thread_create(
                actor=actor,
                community=room.community,
                title=title,
                body=_promotion_body(post, room, note),
            )
            Thread.objects.filter(pk=thread.pk).update(promoted_from=post)
            thread.promoted_from = post
            post.promoted_to = thread
            record_post_event(
                post,
                "post.promoted",
                actor,
                payload=payloads.promotion_data(post, thread),
            )
    except IntegrityError as error:
        # A concurrent promotion of the same message won (one thread per message).
        raise ValidationError(already, code="promoted") from error
    return thread
