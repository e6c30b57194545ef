"""Open-innovation challenges: title, public summary and tags, once published (open,
evaluating, closed or awarded). Drafts and challenges in validation are never
indexed, nor are the details or the seeker (an anonymous seeker's name must not
answer a search): found by everyone."""

from django.utils.translation import gettext_lazy as _

from innovation.models import Challenge
from innovation.permissions import PUBLIC_STATUSES

from ..models import Entry
from ..registry import BATCH, Source, replace, stream_ids, tags_text
from ..text import folded

KINDS = (Entry.Kind.CHALLENGE,)
# Every step of a challenge may put it in the index or take it out.
_CHANGES = {
    "challenge.updated",
    "challenge.submitted",
    "challenge.published",
    "challenge.refused",
    "challenge.evaluating",
    "challenge.closed",
    "challenge.awarded",
}


def _row(challenge):
    return Entry(
        kind=Entry.Kind.CHALLENGE,
        object_id=challenge.pk,
        title=challenge.title[:255],
        body=folded(challenge.summary),
        tags=tags_text([tag.name for tag in challenge.tags.all()]),
        created_at=challenge.published_at or challenge.created_at,
    )


def _challenges():
    return Challenge.objects.filter(status__in=PUBLIC_STATUSES).prefetch_related("tags")


def index(ids):
    if not ids:
        return
    replace(KINDS, ids, [_row(item) for item in _challenges().filter(pk__in=ids)])


def index_events(events):
    index(stream_ids(events, "challenge", _CHANGES))


def rebuild():
    rows = [_row(item) for item in _challenges().iterator(chunk_size=BATCH)]
    Entry.objects.bulk_create(rows, batch_size=BATCH)
    return len(rows)


def readable(user):
    return None  # only published challenges are indexed, and those are public


def present(entries):
    challenges = Challenge.objects.filter(status__in=PUBLIC_STATUSES).in_bulk(
        {entry.object_id for entry in entries}
    )
    shown = []
    for entry in entries:
        challenge = challenges.get(entry.object_id)
        if challenge is None:
            continue
        entry.url = challenge.get_absolute_url()
        # Never the seeker: the context is the same for every reader.
        entry.context = " · ".join(
            [
                str(challenge.get_challenge_type_display()),
                str(challenge.get_status_display()),
            ]
        )
        shown.append(entry)
    return shown


SOURCE = Source(
    name="challenges",
    kinds={
        Entry.Kind.CHALLENGE: (
            _("Challenges"),
            ("challenge", "challenges", "sfida", "sfide"),
        )
    },
    index_events=index_events,
    rebuild=rebuild,
    readable=readable,
    present=present,
    order=60,
)
