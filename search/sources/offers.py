"""Technology offers: title, public summary, TRL and IP status words only (never the
details, licensing terms or NDA). Found by everyone while published and unexpired,
decided at query time, so an expired offer drops out without reindexing."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from innovation import permissions as innovation_permissions
from innovation.models import TechnologyOffer

from ..models import Entry
from ..registry import BATCH, Source, replace, stream_ids, tags_text
from ..text import folded

KINDS = (Entry.Kind.OFFER,)
_CHANGES = {
    "offer.published",
    "offer.renewed",
    "offer.withdrawn",
    "offer.refused",
    "offer.submitted",
}


def _row(offer):
    return Entry(
        kind=Entry.Kind.OFFER,
        object_id=offer.pk,
        title=offer.title[:255],
        body=folded(
            " ".join(
                [
                    offer.summary,
                    f"TRL {offer.trl} TRL{offer.trl}",
                    str(TechnologyOffer.IpStatus(offer.ip_status).label),
                ]
            )
        ),
        tags=tags_text([tag.name for tag in offer.tags.all()]),
        created_at=offer.published_at or offer.created_at,
    )


def _offers():
    return TechnologyOffer.objects.filter(
        status=TechnologyOffer.Status.PUBLISHED
    ).prefetch_related("tags")


def index(ids):
    if not ids:
        return
    replace(KINDS, ids, [_row(item) for item in _offers().filter(pk__in=ids)])


def index_events(events):
    index(stream_ids(events, "offer", _CHANGES))


def rebuild():
    rows = [_row(item) for item in _offers().iterator(chunk_size=BATCH)]
    Entry.objects.bulk_create(rows, batch_size=BATCH)
    return len(rows)


def readable(user):
    # Decided now: an offer that expired or was withdrawn is found by nobody.
    live = TechnologyOffer.objects.filter(
        innovation_permissions.live_offers_condition()
    )
    return Q(object_id__in=live.values("pk"))


def present(entries):
    offers = TechnologyOffer.objects.select_related("organisation").in_bulk(
        {entry.object_id for entry in entries}
    )
    shown = []
    for entry in entries:
        offer = offers.get(entry.object_id)
        if offer is None:
            continue
        entry.url = offer.get_absolute_url()
        entry.context = " · ".join(
            [offer.organisation.name, f"TRL {offer.trl}", offer.get_ip_status_display()]
        )
        shown.append(entry)
    return shown


SOURCE = Source(
    name="offers",
    kinds={
        Entry.Kind.OFFER: (
            _("Technology offers"),
            ("offer", "offers", "offerta", "offerte", "technology", "tecnologia"),
        )
    },
    index_events=index_events,
    rebuild=rebuild,
    readable=readable,
    present=present,
    order=60,
)
