"""Reactions: putting an emoji on a post or room message, and taking it back."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _

from live.events import event_record, stream_name

from .. import payloads, permissions
from ..models import ALLOWED_EMOJI, Post, Reaction
from ..ratelimit import rate_limit_hit


def reaction_toggle(*, actor, post, emoji):
    """Add `actor`'s `emoji` to `post`, or take it back when it is there; return
    True when it was added.

    Those who may write in the post's thread (`permissions.require_react_post`),
    else PermissionDenied saying why (silenced, banned, locked, a hidden or deleted
    post). ValidationError for an emoji outside `ALLOWED_EMOJI`; RateLimited past the
    "react" budget. A reaction is not a post: no unread mark, no post notification.
    Emits `reaction.added` or `reaction.removed` on `thread:<id>` (the counts are
    presented from the current state; `first` marks a person's first reaction on
    the post, which may notify its author once, grouped).
    """
    permissions.require_react_post(actor, post)
    if emoji not in ALLOWED_EMOJI:
        raise ValidationError({"emoji": _("Choose one of the offered reactions.")})
    rate_limit_hit(actor, "react")
    with transaction.atomic():
        # The post's row, locked: a hide or a delete meanwhile wins, and two clicks
        # of one person are taken one after the other.
        state = (
            Post.objects.select_for_update()
            .filter(pk=post.pk)
            .values_list("is_deleted", "is_hidden")
            .first()
        )
        if state is None:
            raise Http404("No such post.")
        post.is_deleted, post.is_hidden = state
        permissions.require_react_post(actor, post)
        mine = Reaction.objects.filter(post=post, user=actor)
        removed, _count = mine.filter(emoji=emoji).delete()
        added = not removed
        first = False
        if added:
            first = not mine.exists()
            Reaction.objects.create(post=post, user=actor, emoji=emoji)
        event_record(
            stream=stream_name("thread", post.thread_id),
            type="reaction.added" if added else "reaction.removed",
            payload=payloads.reaction_data(post, actor, emoji, first=first),
            actor=actor,
        )
    return added
