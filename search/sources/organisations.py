"""Organisations: name, sector, city, description, competences and interests. Their
profiles are public: found by everyone."""

from django.utils.translation import gettext_lazy as _

from community.models import Organisation

from ..models import Entry
from ..registry import BATCH, Source, replace, stream_ids, tags_text
from ..text import folded

KINDS = (Entry.Kind.ORGANISATION,)
_CHANGES = {"organisation.created", "organisation.updated"}


def _row(organisation):
    return Entry(
        kind=Entry.Kind.ORGANISATION,
        object_id=organisation.pk,
        title=organisation.name[:255],
        body=folded(
            " ".join(
                filter(
                    None,
                    [organisation.sector, organisation.city, organisation.description],
                )
            )
        ),
        tags=tags_text(
            [tag.name for tag in organisation.competences.all()]
            + [tag.name for tag in organisation.interests.all()]
        ),
        created_at=organisation.created_at,
    )


def _organisations():
    return Organisation.objects.prefetch_related("competences", "interests")


def index(ids):
    if not ids:
        return
    replace(KINDS, ids, [_row(item) for item in _organisations().filter(pk__in=ids)])


def index_events(events):
    index(stream_ids(events, "organisation", _CHANGES))


def rebuild():
    rows = [_row(item) for item in _organisations().iterator(chunk_size=BATCH)]
    Entry.objects.bulk_create(rows, batch_size=BATCH)
    return len(rows)


def readable(user):
    return None  # public profiles


def present(entries):
    organisations = Organisation.objects.in_bulk({entry.object_id for entry in entries})
    shown = []
    for entry in entries:
        organisation = organisations.get(entry.object_id)
        if organisation is None:
            continue
        entry.url = organisation.get_absolute_url()
        entry.context = " · ".join(
            filter(None, [organisation.get_kind_display(), organisation.city])
        )
        shown.append(entry)
    return shown


SOURCE = Source(
    name="organisations",
    kinds={
        Entry.Kind.ORGANISATION: (
            _("Organisations"),
            (
                "organisations",
                "organization",
                "organizations",
                "organizzazione",
                "organizzazioni",
            ),
        )
    },
    index_events=index_events,
    rebuild=rebuild,
    readable=readable,
    present=present,
    order=40,
)
