"""Who follows a challenge's or an offer's live stream, and which of its events each
follower may see: the same rules as the pages (`can_see_challenge`, `can_see_offer`,
`sees_every_proposal`, `sees_every_interest` — the rules `can_see_proposal` and
`can_see_interest` are built on —, `can_see_nda_audit`, `can_read_documents`), decided
once per subscription (and again at every re-check) into a `StreamAudience`.

`sees_stream_event` is then a pure function of that audience and an event's type and
payload: it runs for every frame of every socket and must not query.
"""

from dataclasses import dataclass

from community.models import Affiliation

from .challenges import can_see_challenge, sees_every_proposal
from .disclosure import can_read_documents, can_see_nda_audit
from .funnel import acting_organisation
from .offers import can_see_offer, sees_every_interest

__all__ = [
    "StreamAudience",
    "challenge_stream_audience",
    "followed_offer_streams",
    "offer_stream_audience",
    "sees_stream_event",
]

# Facts of the item's public life: every follower of the stream (whoever may see the
# item's page) may know them. Ids and statuses only.
_PUBLIC_PREFIXES = ("challenge.", "offer.", "question.")
# One organisation's step with the item: its own people and the owner's side.
_ENTRY_PREFIXES = ("proposal.", "interest.")


@dataclass(frozen=True, slots=True)
class StreamAudience:
    """What one person may see of an item's stream.

    `all_entries`: every proposal's (interest's) events — the owner's side: the
    seeker's or offer owner's people, the desk, staff. `organisations`: the
    organisations whose own proposal (interest) events they see. `nda_audit`: who
    accepted the NDA. `documents`: the confidential documents' comings and goings.
    """

    all_entries: bool
    organisations: frozenset
    nda_audit: bool
    documents: bool


def _active_organisations(user):
    if not user.is_authenticated:
        return frozenset()
    return frozenset(
        Affiliation.objects.filter(
            user_id=user.pk, state=Affiliation.State.ACTIVE
        ).values_list("organisation_id", flat=True)
    )


def challenge_stream_audience(user, challenge):
    """The audience of `challenge:<pk>` for `user`, None when they may not see the
    challenge's page. Proposals are seen as `can_see_proposal` says: all of them
    (`sees_every_proposal`), or each solver its own organisations'."""
    if not can_see_challenge(user, challenge):
        return None
    return StreamAudience(
        all_entries=sees_every_proposal(user, challenge),
        organisations=_active_organisations(user),
        nda_audit=bool(user.is_authenticated and can_see_nda_audit(user, challenge)),
        documents=bool(user.is_authenticated and can_read_documents(user, challenge)),
    )


def offer_stream_audience(user, offer):
    """The audience of `offer:<pk>` for `user`, None when they may not see the offer's
    page. Interests are seen as `can_see_interest` says: all of them
    (`sees_every_interest`), or the sending organisation its own (the organisation
    the person acts for)."""
    if not can_see_offer(user, offer):
        return None
    signed_in = user.is_authenticated
    organisation = acting_organisation(user) if signed_in else None
    return StreamAudience(
        all_entries=bool(signed_in and sees_every_interest(user, offer)),
        organisations=frozenset({organisation.pk}) if organisation else frozenset(),
        nda_audit=bool(signed_in and can_see_nda_audit(user, offer)),
        documents=bool(signed_in and can_read_documents(user, offer)),
    )


def followed_offer_streams(user, offers):
    """The `offer:<pk>` streams (space-separated, each once) among `offers` that
    `user` may follow: those whose page they may see, as `offer_stream_audience`
    decides. A sender's page of an expired or withdrawn offer follows nothing
    rather than be refused. No query beyond the user's (cached) roles."""
    streams = dict.fromkeys(offer.stream for offer in offers if can_see_offer(user, offer))
    return " ".join(streams)


def sees_stream_event(audience, type, data):
    """May a follower with `audience` see an event of `type` with payload `data` on
    an item's stream? Unknown types are not seen (a new kind of event must be given
    its audience here first)."""
    data = data if isinstance(data, dict) else {}
    if type.startswith(_PUBLIC_PREFIXES):
        return True
    if type.startswith(_ENTRY_PREFIXES):
        return audience.all_entries or data.get("organisation") in audience.organisations
    if type == "nda.accepted":
        return audience.nda_audit or data.get("organisation") in audience.organisations
    if type.startswith("confidential."):
        return audience.documents
    return False
