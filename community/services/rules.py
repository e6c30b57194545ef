"""Posting rules every door obeys, applied by the posting services (`threads`):
slow mode, a new member's first posts held for approval, and watched words; and the
moderators' services that set them (slow mode, watched words) and decide held posts.
"""

import math
import time

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from live.events import event_record, stream_name

from .. import permissions, wordwatch
from ..models import (
    AuditEntry,
    Community,
    HeldPost,
    ModerationNotice,
    Post,
    Thread,
    WatchedWord,
)
from ..ratelimit import RateLimited, wait_message
from .audit import audit_record

__all__ = [
    "HELD_MESSAGE",
    "SLOW_MODE_MAX_SECONDS",
    "SlowModeWait",
    "held_create",
    "hold_refusal",
    "may_hold",
    "held_reject",
    "needs_approval",
    "slow_mode_hit",
    "slow_mode_remaining",
    "text_screen",
    "thread_slow_mode_set",
    "watched_rules",
    "watched_word_add",
    "watched_word_remove",
]

Action = AuditEntry.Action
HELD_MESSAGE = gettext_lazy(
    "Your message is awaiting a moderator's approval: only you and the moderators "
    "see it until then."
)
SLOW_MODE_MAX_SECONDS = 86400
WATCHED_WORD_MAX_LENGTH = WatchedWord._meta.get_field("word").max_length


# --- slow mode -------------------------------------------------------------------------


class SlowModeWait(RateLimited):
    """Refused by slow mode: `retry_after` seconds until the member may post here."""


def _slow_key(thread_id, user_id):
    return f"slow:{thread_id}:{user_id}"


def slow_mode_remaining(user, thread):
    """Whole seconds before `user` may post in `thread` again (0: now). Read from
    the cache every process shares; moderators are never slowed."""
    seconds = thread.slow_mode_seconds
    if not seconds or not user.is_authenticated:
        return 0
    if permissions.is_exempt_from_posting_rules(user, thread.community):
        return 0
    last = cache.get(_slow_key(thread.pk, user.pk))
    if last is None:
        return 0
    return max(0, math.ceil(last + seconds - time.time()))


def slow_mode_hit(user, thread):
    """Count a post of `user` in `thread`; raise SlowModeWait, saying how long to
    wait, when their previous one is more recent than the thread's slow mode."""
    seconds = thread.slow_mode_seconds
    if not seconds or permissions.is_exempt_from_posting_rules(user, thread.community):
        return
    key = _slow_key(thread.pk, user.pk)
    now = time.time()
    # `add` is atomic in every cache backend: of two posts at once, one wins.
    if cache.add(key, now, timeout=seconds):
        return
    last = cache.get(key)
    wait = math.ceil(last + seconds - now) if last is not None else 0
    if wait <= 0:
        cache.set(key, now, timeout=seconds)
        return
    raise SlowModeWait(
        ngettext(
            "Slow mode is on here: one message every %(seconds)d second.",
            "Slow mode is on here: one message every %(seconds)d seconds.",
            seconds,
        )
        % {"seconds": seconds}
        + " "
        + wait_message(wait),
        code="slow_mode",
        retry_after=wait,
    )


def clean_slow_mode(value, field="slow_mode_seconds"):
    try:
        seconds = int(value)
    except (TypeError, ValueError):
        seconds = -1
    if not 0 <= seconds <= SLOW_MODE_MAX_SECONDS:
        raise ValidationError(
            {
                field: _("Choose a number of seconds between 0 and %(max)d.")
                % {"max": SLOW_MODE_MAX_SECONDS}
            }
        )
    return seconds


def thread_slow_mode_set(*, actor, thread, seconds):
    """Set the fewest seconds between one member's posts in `thread` (0: off);
    return the thread.

    Moderators and staff (`permissions.can_set_slow_mode`), else PermissionDenied;
    ValidationError out of 0..86400. Writes an audit entry and emits
    `thread.slow_mode` on `thread:<id>` (open composers follow it); nothing when
    unchanged.
    """
    permissions.require_set_slow_mode(actor, thread)
    seconds = clean_slow_mode(seconds)
    with transaction.atomic():
        previous = (
            Thread.objects.select_for_update()
            .values_list("slow_mode_seconds", flat=True)
            .get(pk=thread.pk)
        )
        thread.slow_mode_seconds = seconds
        if previous == seconds:
            return thread
        Thread.objects.filter(pk=thread.pk).update(slow_mode_seconds=seconds)
        audit_record(
            actor=actor,
            community=thread.community,
            action=Action.THREAD_SLOW_MODE,
            thread=thread,
            reason=f"{previous} s → {seconds} s",
        )
        event_record(
            stream=stream_name("thread", thread.pk),
            type="thread.slow_mode",
            payload={"id": thread.pk, "slow_mode_seconds": seconds},
            actor=actor,
        )
    return thread


# --- watched words ---------------------------------------------------------------------


def watched_rules(community):
    """[(folded words, WatchedWord)] of `community`, for `text_screen` (one query,
    none when it watches no word)."""
    if not community.watched_word_count:
        return []
    return [
        (wordwatch.rule_words(rule.word), rule)
        for rule in WatchedWord.objects.filter(community=community)
    ]


def text_screen(text, rules, field):
    """`text` as the community's watched words let it through: (text, the rule that
    holds it or None). A "block" rule raises ValidationError keyed by `field` naming
    the word; "replace" rules censor their words; a "hold" rule is returned."""
    if not rules or not text:
        return text, None
    matches = wordwatch.find(text, rules)
    if not matches:
        return text, None
    for match in matches:
        if match.rule.action == WatchedWord.Action.BLOCK:
            raise ValidationError(
                {
                    field: _(
                        "This community does not allow “%(word)s”: please rephrase."
                    )
                    % {"word": match.rule.word}
                },
                code="watched_word",
            )
    replaced = [m for m in matches if m.rule.action == WatchedWord.Action.REPLACE]
    if replaced:
        text = wordwatch.censor(text, replaced, lambda rule: rule.replacement)
    held = next((m.rule for m in matches if m.rule.action == WatchedWord.Action.HOLD), None)
    return text, held


def _clean_word(word):
    word = " ".join((word or "").split())
    if not word:
        raise ValidationError({"word": _("Write the word or phrase to watch.")})
    if len(word) > WATCHED_WORD_MAX_LENGTH:
        raise ValidationError(
            {
                "word": _("The word is too long: at most %(limit)d characters.")
                % {"limit": WATCHED_WORD_MAX_LENGTH}
            }
        )
    if not wordwatch.rule_words(word):
        raise ValidationError({"word": _("A watched word needs letters or digits.")})
    return word


def watched_word_add(*, actor, community, word, action, replacement=""):
    """Watch `word` (a word or phrase) in `community`'s titles, posts and messages;
    return the WatchedWord.

    Moderators, owners and staff (`permissions.can_manage_watched_words`), else
    PermissionDenied. ValidationError for an empty or over-long word, an unknown
    action, a replacement on another action, or a word already watched (whatever its
    case or accents). Writes an audit entry.
    """
    permissions.require_manage_watched_words(actor, community)
    word = _clean_word(word)
    if action not in WatchedWord.Action.values:
        raise ValidationError({"action": _("Choose what happens to the word.")})
    replacement = " ".join((replacement or "").split())
    if replacement and action != WatchedWord.Action.REPLACE:
        raise ValidationError(
            {"replacement": _("Only words that are replaced take a replacement.")}
        )
    if len(replacement) > WATCHED_WORD_MAX_LENGTH:
        raise ValidationError(
            {
                "replacement": _(
                    "The replacement is too long: at most %(limit)d characters."
                )
                % {"limit": WATCHED_WORD_MAX_LENGTH}
            }
        )
    folded = " ".join(wordwatch.rule_words(word))
    taken = ValidationError({"word": _("This word is watched already.")})
    if WatchedWord.objects.filter(community=community, folded=folded).exists():
        raise taken
    try:
        with transaction.atomic():
            rule = WatchedWord.objects.create(
                community=community,
                word=word,
                folded=folded,
                action=action,
                replacement=replacement,
                created_by=actor,
            )
            Community.objects.filter(pk=community.pk).update(
                watched_word_count=F("watched_word_count") + 1
            )
            audit_record(
                actor=actor,
                community=community,
                action=Action.WATCHED_WORD_ADDED,
                label=word,
                reason=action,
            )
    except IntegrityError as error:
        raise taken from error
    return rule


def watched_word_remove(*, actor, rule):
    """Stop watching `rule`'s word. Same rule as adding; writes an audit entry."""
    community = rule.community
    permissions.require_manage_watched_words(actor, community)
    with transaction.atomic():
        deleted, _rows = WatchedWord.objects.filter(pk=rule.pk).delete()
        if deleted:
            Community.objects.filter(pk=community.pk, watched_word_count__gt=0).update(
                watched_word_count=F("watched_word_count") - 1
            )
            audit_record(
                actor=actor,
                community=community,
                action=Action.WATCHED_WORD_REMOVED,
                label=rule.word,
                reason=rule.action,
            )
    return rule


# --- held posts ------------------------------------------------------------------------


def may_hold(community):
    """Posts may wait for approval in thematic communities; a workspace's discussion
    is among invited partners, and its task and document comments are written by
    services that need the post at once."""
    return community.kind == Community.Kind.COMMUNITY


def hold_refusal(rule, field="body"):
    """The refusal of a text with a "hold" word where it cannot wait (an edit, a
    workspace, a thread started by promoting a message)."""
    return ValidationError(
        {
            field: _(
                "This community reviews messages with “%(word)s” before they "
                "are shown: edit it out, or write a new message."
            )
            % {"word": rule.word}
        },
        code="watched_word",
    )


def needs_approval(user, community):
    """True while `user` is a new member whose posts wait for approval: the
    community approves first posts and fewer than that many of theirs are
    published. Moderators and staff never wait; nor does anyone in a workspace."""
    wanted = community.first_posts_approval
    if not wanted or not may_hold(community):
        return False
    if permissions.is_exempt_from_posting_rules(user, community):
        return False
    published = Post.objects.filter(author=user, thread__community=community)[:wanted]
    return published.count() < wanted


def _held_event(held, type, actor):
    """The moderators' stream learns of held posts (queue counts), ids only."""
    event_record(
        stream=stream_name("moderation", held.community_id),
        type=type,
        payload={"id": held.pk, "thread": held.thread_id, "status": held.status},
        actor=actor,
    )


def held_create(*, actor, community, thread, body, body_html, client_id, why, word="",
                title="", tags=()):
    """Hold a post the rules keep back (the caller checked permission and cleaned
    the text); return the HeldPost. A resent `client_id` returns the one held."""
    if client_id is not None:
        stored = HeldPost.objects.filter(author=actor, client_id=client_id).first()
        if stored is not None:
            return stored
    try:
        with transaction.atomic():
            held = HeldPost.objects.create(
                community=community,
                thread=thread,
                author=actor,
                title=title,
                tags=list(tags),
                body=body,
                body_html=body_html,
                client_id=client_id,
                why=why,
                word=word,
            )
            Community.objects.filter(pk=community.pk).update(
                held_open_count=F("held_open_count") + 1
            )
            _held_event(held, "held.created", actor)
    except IntegrityError:
        stored = HeldPost.objects.filter(author=actor, client_id=client_id).first()
        if stored is None:
            raise
        return stored
    return held


def held_locked(held, actor=None):
    """The held post's row, locked, refusing one a moderator already decided, or
    (with `actor`) one whose thread moved meanwhile to a community `actor` does not
    moderate (held replies follow their thread)."""
    row = (
        HeldPost.objects.select_for_update(of=("self",))
        .select_related("community", "thread__community", "author", "decided_by")
        .get(pk=held.pk)
    )
    if (
        actor is not None
        and row.community_id != held.community_id
        and not permissions.can_decide_held_posts(actor, row.community)
    ):
        raise ValidationError(
            _(
                "This post was moved to another community meanwhile: its "
                "moderators decide it now."
            ),
            code="moved",
        )
    if not row.is_held:
        who = row.decided_by.name if row.decided_by else _("another moderator")
        raise ValidationError(
            _("This post was already decided by %(name)s (%(decision)s).")
            % {"name": who, "decision": row.get_status_display()},
            code="closed",
        )
    return row


def held_close(row, actor, status, reason=""):
    """Mark a locked held row decided and count it out of the community's waiting."""
    row.status = status
    row.decided_by = actor
    row.decided_at = timezone.now()
    row.reason = reason
    row.save(
        update_fields=["status", "decided_by", "decided_at", "reason", "post", "thread"]
    )
    Community.objects.filter(pk=row.community_id, held_open_count__gt=0).update(
        held_open_count=F("held_open_count") - 1
    )
    _held_event(row, f"held.{status}", actor)


def held_reject(*, actor, held, reason=""):
    """Reject a held post: nobody else ever sees it; its author is told (with
    `reason`) through a moderation notice. Return the HeldPost.

    The community's moderators and staff (`permissions.can_decide_held_posts`), else
    PermissionDenied; ValidationError when it was decided already. Audit entry.
    """
    permissions.require_decide_held_posts(actor, held.community)
    reason = " ".join((reason or "").split())
    limit = HeldPost._meta.get_field("reason").max_length
    if len(reason) > limit:
        raise ValidationError(
            {
                "reason": _("The reason is too long: at most %(limit)d characters.")
                % {"limit": limit}
            }
        )
    with transaction.atomic():
        row = held_locked(held, actor)
        held_close(row, actor, HeldPost.Status.REJECTED, reason)
        audit_record(
            actor=actor,
            community=row.community,
            action=Action.HELD_REJECTED,
            member=row.author,
            thread=row.thread,
            label=_held_label(row),
            reason=reason,
        )
        ModerationNotice.objects.create(
            user=row.author,
            community=row.community,
            kind=ModerationNotice.Kind.HELD_REJECTED,
            reason=reason,
        )
    return row


def _held_label(row):
    where = row.thread.title if row.thread is not None else row.title
    return f"{row.author.name} · {where}"
