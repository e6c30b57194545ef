"""People: display name, username, bio and expertise. Profiles are public, so every
active account is found by everyone; a closed account is found by nobody (decided at
query time as well as by the index)."""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ..models import Entry
from ..registry import BATCH, Source, replace, stream_ids, tags_text
from ..text import folded

KINDS = (Entry.Kind.PERSON,)
_CHANGES = {"profile.updated", "account.reactivated", "account.deactivated"}


def _row(person):
    return Entry(
        kind=Entry.Kind.PERSON,
        object_id=person.pk,
        title=(person.display_name or person.username)[:255],
        body=folded(f"@{person.username} {person.bio}"),
        tags=tags_text(tag.name for tag in person.expertise.all()),
        created_at=person.date_joined,
    )


def _people():
    return get_user_model().objects.filter(is_active=True).prefetch_related("expertise")


def index(ids):
    if not ids:
        return
    replace(KINDS, ids, [_row(person) for person in _people().filter(pk__in=ids)])


def index_events(events):
    index(stream_ids(events, "user", _CHANGES))


def person_signed_up(sender, request=None, user=None, **kwargs):
    """allauth's `user_signed_up`: index the new person once the account is stored
    (no event names a sign-up)."""
    if user is not None and user.pk is not None:
        transaction.on_commit(lambda: index([user.pk]), robust=True)


def rebuild():
    rows = [_row(person) for person in _people().iterator(chunk_size=BATCH)]
    Entry.objects.bulk_create(rows, batch_size=BATCH)
    return len(rows)


def readable(user):
    return Q(object_id__in=get_user_model().objects.filter(is_active=True).values("pk"))


def present(entries):
    people = (
        get_user_model()
        .objects.select_related("organisation")
        .filter(is_active=True)
        .in_bulk({entry.object_id for entry in entries})
    )
    shown = []
    for entry in entries:
        person = people.get(entry.object_id)
        if person is None:
            continue
        entry.person = person
        entry.url = person.get_absolute_url()
        entry.context = f"@{person.username}" + (
            f" · {person.organisation.name}" if person.organisation else ""
        )
        shown.append(entry)
    return shown


SOURCE = Source(
    name="people",
    kinds={Entry.Kind.PERSON: (_("People"), ("people", "persona", "persone"))},
    index_events=index_events,
    rebuild=rebuild,
    readable=readable,
    present=present,
    order=30,
)
