"""Communities (not workspace discussions): name, description and themes, found by
whoever may know the community exists (`communities_visible_to`: a private one only
by its members and invitees)."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from community import permissions
from community.models import Community

from ..models import Entry
from ..registry import BATCH, Source, replace, stream_ids, tags_text

KINDS = (Entry.Kind.COMMUNITY,)
_CHANGES = {"community.created", "community.updated"}


def _row(community):
    return Entry(
        kind=Entry.Kind.COMMUNITY,
        object_id=community.pk,
        community_id=community.pk,
        title=community.name[:255],
        body=community.description,
        tags=tags_text(tag.name for tag in community.themes.all()),
        created_at=community.created_at,
    )


def _communities():
    return Community.objects.filter(kind=Community.Kind.COMMUNITY).prefetch_related(
        "themes"
    )


def index(ids):
    if not ids:
        return
    replace(
        KINDS, ids, [_row(community) for community in _communities().filter(pk__in=ids)]
    )


def index_events(events):
    index(stream_ids(events, "community", _CHANGES))


def rebuild():
    rows = [_row(community) for community in _communities().iterator(chunk_size=BATCH)]
    Entry.objects.bulk_create(rows, batch_size=BATCH)
    return len(rows)


def readable(user):
    # Whether it exists is decided now: turning private hides it from non-members.
    return Q(object_id__in=permissions.communities_visible_to(user).values("pk"))


def present(entries):
    communities = Community.objects.in_bulk({entry.object_id for entry in entries})
    shown = []
    for entry in entries:
        community = communities.get(entry.object_id)
        if community is None:
            continue
        entry.url = community.get_absolute_url()
        entry.context = community.get_visibility_display()
        shown.append(entry)
    return shown


SOURCE = Source(
    name="communities",
    kinds={Entry.Kind.COMMUNITY: (_("Communities"), ("communities", "comunità"))},
    index_events=index_events,
    rebuild=rebuild,
    readable=readable,
    present=present,
    order=20,
)
