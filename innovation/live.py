"""The innovation app's part in the live engine: the `challenge:<id>` and
`offer:<id>` stream kinds.

Registered from `InnovationConfig.ready()`; `live` and `community` never import this
app. Who may follow a stream, and which of its events each follower sees, is asked of
`innovation.permissions` on the current state (`challenge_stream_audience`,
`offer_stream_audience`, `sees_stream_event`): a follower gets `unseen` (the event's
place, no data) for a proposal or an interest of another organisation, for an NDA
accepted by someone else, and for confidential documents below their step. Events
carry ids and statuses only (never a title, a text or the seeker's name): pages read
again what they show, rendered for the person by the server.

Access ends with the facts that end it: the item's own status events (withdrawn,
refused back to draft, help released) and a proposal's or an interest's decision
re-check the item's followers; a person's affiliation events and
`desk.facilitator_granted` / `_revoked` on their own stream re-check all of that person's
subscriptions.
"""

from community import permissions as community_permissions
from live.streams import Access, add_revoking, register_stream_kind
from live.wire import UNSEEN

from . import permissions
from .models import Challenge, TechnologyOffer

# Events of an item's stream after which its followers are authorised again: the
# item's status (who may see it), decisions on proposals and interests and accepted
# NDAs (who reaches the details and the documents).
CHALLENGE_REVOKING = (
    "challenge.",
    "proposal.status_changed",
    "proposal.withdrawn",
    "nda.accepted",
)
OFFER_REVOKING = ("offer.", "interest.status", "nda.accepted")
# Events of a person's own stream that change what the desk lets them see.
USER_REVOKING = ("desk.facilitator_granted", "desk.facilitator_revoked")


class ItemViewer:
    """What one socket's person may see of an item's events (`StreamAudience`),
    decided at authorisation and again at every re-check; `annotate` runs for each
    frame in the socket's writer and never queries."""

    __slots__ = ("audience",)

    def __init__(self, audience):
        self.audience = audience

    def annotate(self, frame, memo=None):
        if permissions.sees_stream_event(self.audience, frame["type"], frame.get("data")):
            return None
        return UNSEEN


def _authorized(item, audience):
    if audience is None:
        return None
    access = Access((item.stream,))
    access.viewer = ItemViewer(audience)
    return access


@community_permissions.operation()
def authorize_challenge(user, pk):
    """Whoever may see the challenge's page follows `challenge:<pk>`; everyone else
    is told "not found", as the page does."""
    user = community_permissions.current_user(user)
    challenge = Challenge.objects.select_related("organisation").filter(pk=pk).first()
    if challenge is None:
        return None
    return _authorized(challenge, permissions.challenge_stream_audience(user, challenge))


@community_permissions.operation()
def authorize_offer(user, pk):
    """Whoever may see the offer's page follows `offer:<pk>`."""
    user = community_permissions.current_user(user)
    offer = TechnologyOffer.objects.select_related("organisation").filter(pk=pk).first()
    if offer is None:
        return None
    return _authorized(offer, permissions.offer_stream_audience(user, offer))


def register():
    """Plug the innovation app into the live engine (once, from ready(), after
    community registered the `user` kind)."""
    register_stream_kind("challenge", authorize_challenge, revoking=CHALLENGE_REVOKING)
    register_stream_kind("offer", authorize_offer, revoking=OFFER_REVOKING)
    add_revoking("user", USER_REVOKING)
