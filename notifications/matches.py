"""New matches: when a challenge or a technology offer is published (its
`challenge.published` / `offer.published` event on its own stream), the organisations
whose top suggestions it enters with a high score (`innovation.matching`) hear of it,
each of their active people once, told only the kind of item (its page, reached
through the suggestions, shows what the person may see; an anonymous challenge's
seeker is never named). Shown, and listed in the digests, only while the
item is public and the person still belongs to a matched organisation
(`innovation.permissions.can_see_match`)."""

from community.models import Affiliation
from innovation import matching
from innovation.models import Challenge, DismissedSuggestion, TechnologyOffer
from live.events import stream_kind

from .models import Notification
from .services import Entry

PUBLISHED = {("challenge", "challenge.published"), ("offer", "offer.published")}
_KINDS = {
    "challenge": (DismissedSuggestion.Kind.CHALLENGE, Challenge),
    "offer": (DismissedSuggestion.Kind.OFFER, TechnologyOffer),
}


def new_matches(events):
    """The "new match" entries of a commit's publication events."""
    entries = []
    for event in events:
        kind, model = _KINDS[stream_kind(event.stream)]
        item_id = int(event.stream.split(":", 1)[1])
        if not model.objects.filter(pk=item_id).exists():
            continue
        organisations = matching.organisations_for(kind, item_id)
        if not organisations:
            continue
        people = Affiliation.objects.filter(
            organisation__in=list(organisations), state=Affiliation.State.ACTIVE
        ).values_list("user_id", flat=True)
        for person_id in sorted(set(people)):
            entries.append(
                Entry(
                    recipient_id=person_id,
                    kind=Notification.Kind.NEW_MATCH,
                    event_type=event.type,
                    actor_id=None,
                    item_ref=item_id,
                )
            )
    return entries
