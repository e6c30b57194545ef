"""Funding calls the innovation desk publishes: title, description, tags; public, so
found by everyone; a withdrawn call leaves the index."""

from django.utils.translation import gettext_lazy as _

from innovation.models import FundingCall

from ..models import Entry
from ..registry import BATCH, Source, replace, stream_ids, tags_text
from ..text import folded

KINDS = (Entry.Kind.FUNDING_CALL,)
_CHANGES = {"fundingcall.published", "fundingcall.updated", "fundingcall.withdrawn"}


def _row(call):
    return Entry(
        kind=Entry.Kind.FUNDING_CALL,
        object_id=call.pk,
        title=call.title[:255],
        body=folded(call.body),
        tags=tags_text([tag.name for tag in call.tags.all()]),
        created_at=call.created_at,
    )


def _calls():
    return FundingCall.objects.filter(
        status=FundingCall.Status.PUBLISHED
    ).prefetch_related("tags")


def index(ids):
    if not ids:
        return
    replace(KINDS, ids, [_row(call) for call in _calls().filter(pk__in=ids)])


def index_events(events):
    index(stream_ids(events, "fundingcall", _CHANGES))


def rebuild():
    rows = [_row(call) for call in _calls().iterator(chunk_size=BATCH)]
    Entry.objects.bulk_create(rows, batch_size=BATCH)
    return len(rows)


def readable(user):
    return None  # published calls are public; withdrawn ones are not indexed


def present(entries):
    calls = _calls().in_bulk({entry.object_id for entry in entries})
    shown = []
    for entry in entries:
        call = calls.get(entry.object_id)
        if call is None:
            continue
        entry.url = call.get_absolute_url()
        entry.context = str(_("Funding call, deadline %(date)s")) % {
            "date": call.deadline.isoformat()
        }
        shown.append(entry)
    return shown


SOURCE = Source(
    name="funding_calls",
    kinds={
        Entry.Kind.FUNDING_CALL: (
            _("Funding calls"),
            ("funding", "call", "calls", "bando", "bandi"),
        )
    },
    index_events=index_events,
    rebuild=rebuild,
    readable=readable,
    present=present,
    order=60,
)
