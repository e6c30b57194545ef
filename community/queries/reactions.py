"""Reads for reactions: who reacted to a page's posts, and what each chip says."""

from dataclasses import dataclass

from django.utils.text import get_text_list
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ..models import Reaction

__all__ = ["ReactionChip", "reaction_chips", "reaction_summary", "reactions_load"]

# Names a chip lists before "and N others".
NAMES_SHOWN = 10


@dataclass(frozen=True)
class ReactionChip:
    """One emoji under a post: how many, who (in words), whether the reader is one."""

    emoji: str
    count: int
    names: str
    label: str
    pressed: bool


def reactions_load(posts):
    """Give each of `posts` its `reaction_rows` ((emoji, user id, name), oldest
    first): one query for all the posts that lack them, none when all have them."""
    missing = {post.pk: post for post in posts if not hasattr(post, "reaction_rows")}
    if not missing:
        return posts
    rows = {pk: [] for pk in missing}
    for post_id, emoji, user_id, username, display_name in (
        Reaction.objects.filter(post_id__in=list(missing))
        .order_by("created_at", "pk")
        .values_list(
            "post_id", "emoji", "user_id", "user__username", "user__display_name"
        )
    ):
        rows[post_id].append((emoji, user_id, display_name or username))
    for pk, post in missing.items():
        post.reaction_rows = rows[pk]
    return posts


def _grouped(post):
    """{emoji: [(user id, name), ...]} of a loaded post, in the order each emoji was
    first used; nothing for a hidden or deleted post (its reactions disappear)."""
    if not post.is_visible_content:
        return {}
    groups = {}
    for emoji, user_id, name in getattr(post, "reaction_rows", ()):
        groups.setdefault(emoji, []).append((user_id, name))
    return groups


def _names_text(names):
    """ "Ada, Bruno and Carla"; past NAMES_SHOWN, "…, Jo and 5 others"."""
    if len(names) <= NAMES_SHOWN:
        return get_text_list(names, _("and"))
    rest = len(names) - NAMES_SHOWN
    return ngettext(
        "%(names)s and %(count)d other", "%(names)s and %(count)d others", rest
    ) % {"names": ", ".join(names[:NAMES_SHOWN]), "count": rest}


def reaction_chips(post, viewer_id=None):
    """The chips under `post` (loaded by `reactions_load`), `pressed` for the emoji
    `viewer_id` used; no queries."""
    chips = []
    for emoji, people in _grouped(post).items():
        names = _names_text([name for _pk, name in people])
        chips.append(
            ReactionChip(
                emoji=emoji,
                count=len(people),
                names=names,
                # "👍 3: Ada, Bruno and Carla": what a screen reader says of the chip.
                label=_("%(emoji)s %(count)d: %(names)s")
                % {"emoji": emoji, "count": len(people), "names": names},
                pressed=viewer_id is not None
                and any(pk == viewer_id for pk, _name in people),
            )
        )
    return chips


def reaction_summary(post):
    """What live frames say of `post`'s reactions (facts, no words):
    `[{"emoji", "count", "users": [ids]}]`; the page marks its reader's own."""
    return [
        {"emoji": emoji, "count": len(people), "users": [pk for pk, _n in people]}
        for emoji, people in _grouped(post).items()
    ]
