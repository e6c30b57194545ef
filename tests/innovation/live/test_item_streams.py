"""The live streams of challenges (`challenge:<id>`) and offers (`offer:<id>`): who may
follow them, which events each follower sees (others get `unseen`: the event's place,
no data), that no frame names an anonymous seeker, and that a subscription ends when
the access does (the item refused or withdrawn, the person leaving the organisation,
a facilitator's role revoked)."""

import json

import pytest
from asgiref.sync import sync_to_async
from django.core.files.uploadedfile import SimpleUploadedFile

from community.services import organisations
from innovation.models import Challenge, ExpressionOfInterest, TechnologyOffer
from innovation.services import challenges as challenge_services
from innovation.services import desk as desk_services
from innovation.services import disclosure as disclosure_services
from innovation.services import interests as interest_services
from innovation.services import offers as offer_services
from innovation.services import proposals as proposal_services
from innovation.services import validation as validation_services
from tests.innovation.factories_challenges import (
    ChallengeFactory,
    ProposalFactory,
    people_around,
)
from tests.innovation.factories_offers import InterestFactory, offer_world
from tests.live.sockets import connect, frames, subscribe
from tests.support.workspaces import person_of
from tests.workspaces import hostile_files

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]

ROLES = ("anonymous", "stranger", "solver", "seeker", "facilitator", "staff")
OWNER_SIDE = {"seeker", "facilitator", "staff"}


def _socket_user(person):
    return person if person is not None and person.is_authenticated else None


async def _replay(person, stream):
    socket = await connect(_socket_user(person))
    received = await subscribe(socket, stream, after=0)
    await socket.disconnect()
    return received


def _seen(received):
    return [f["type"] for f in received if f.get("op") == "event" and f["type"] != "unseen"]


def _unseen(received):
    return [f for f in received if f.get("op") == "event" and f["type"] == "unseen"]


# --- who may follow a challenge ---------------------------------------------------------

CHALLENGE_ACCESS = {
    Challenge.Status.DRAFT: {"seeker", "staff"},
    Challenge.Status.IN_VALIDATION: {"seeker", "facilitator", "staff"},
    Challenge.Status.OPEN: set(ROLES),
    Challenge.Status.CLOSED: set(ROLES),
}


@pytest.mark.parametrize("status", list(CHALLENGE_ACCESS))
@pytest.mark.parametrize("role", ROLES)
async def test_who_may_follow_a_challenge(status, role):
    def world():
        challenge = ChallengeFactory(status=status)
        people, _proposal = people_around(challenge)
        return challenge, people[role]

    challenge, person = await sync_to_async(world)()
    received = await _replay(person, challenge.stream)

    allowed = role in CHALLENGE_ACCESS[status]
    assert received[0]["op"] == ("subscribed" if allowed else "error")
    if not allowed:
        assert received[0]["code"] == "not_found"


# --- which events each follower of an open, anonymous challenge sees -----------------


def _busy_challenge():
    """An open anonymous challenge with: the solver's proposal submitted and
    shortlisted, another organisation's proposal, the solver's NDA accepted, a
    confidential document uploaded, a question asked and answered."""
    challenge = ChallengeFactory(anonymous=True, nda_text="Keep our drawings secret.")
    people, made = people_around(challenge)
    made.delete()  # the solver's organisation proposes through the service below
    seeker, solver = people["seeker"], people["solver"]
    mine = proposal_services.proposal_submit(
        actor=solver, challenge=challenge, title="Pirolisi", summary="Un processo."
    )
    other = person_of()
    proposal_services.proposal_submit(
        actor=other, challenge=challenge, title="Altro", summary="Altro processo."
    )
    proposal_services.proposal_shortlist(actor=seeker, proposal=mine, message="Bene")
    disclosure_services.nda_accept(actor=solver, subject=challenge)
    disclosure_services.document_upload(
        actor=seeker,
        subject=challenge,
        file=SimpleUploadedFile("drawing.pdf", hostile_files.pdf()),
        title="Disegno",
    )
    question = challenge_services.question_ask(
        actor=people["stranger"], challenge=challenge, question="Quante tonnellate?"
    )
    challenge_services.question_answer(actor=seeker, question=question, answer="40")
    return challenge, people, mine


@pytest.mark.parametrize("role", ROLES)
async def test_each_follower_sees_the_events_of_their_step(role):
    challenge, people, mine = await sync_to_async(_busy_challenge)()

    received = await _replay(people[role], challenge.stream)

    seen = _seen(received)
    if role in OWNER_SIDE:
        assert seen == [
            "proposal.submitted",
            "proposal.submitted",
            "proposal.status_changed",
            "nda.accepted",
            "confidential.uploaded",
            "question.asked",
            "question.answered",
        ]
    elif role == "solver":
        # Its own proposal's steps, its NDA, the documents it reached; not the other
        # organisation's proposal.
        assert seen == [
            "proposal.submitted",
            "proposal.status_changed",
            "nda.accepted",
            "confidential.uploaded",
            "question.asked",
            "question.answered",
        ]
        ids = {f["data"]["id"] for f in received if f.get("type", "").startswith("proposal.")}
        assert ids == {mine.pk}
    else:
        assert seen == ["question.asked", "question.answered"]
    # Every event keeps its place in the stream: unseen ones carry no data.
    assert len(seen) + len(_unseen(received)) == 7
    assert all("data" not in f for f in _unseen(received))


@pytest.mark.parametrize("role", ROLES)
async def test_no_frame_names_the_anonymous_seeker(role):
    challenge, people, _mine = await sync_to_async(_busy_challenge)()
    organisation = challenge.organisation

    received = await _replay(people[role], challenge.stream)

    text = json.dumps(received, ensure_ascii=False)
    assert organisation.name not in text
    assert "Disegno" not in text and "drawing.pdf" not in text
    for frame in received:
        data = frame.get("data") or {}
        assert data.get("organisation") != organisation.pk


async def test_a_solver_hears_its_shortlisting_live_and_not_the_others():
    def world():
        challenge = ChallengeFactory()
        people, mine = people_around(challenge)
        other = ProposalFactory(challenge=challenge)
        return challenge, people, mine, other

    challenge, people, mine, other = await sync_to_async(world)()
    socket = await connect(people["solver"])
    assert (await subscribe(socket, challenge.stream))[0]["op"] == "subscribed"

    await sync_to_async(proposal_services.proposal_shortlist)(
        actor=people["seeker"], proposal=other, message="Secret praise"
    )
    await sync_to_async(proposal_services.proposal_shortlist)(
        actor=people["seeker"], proposal=mine
    )
    received = await frames(socket)
    await socket.disconnect()

    assert [f["type"] for f in received] == ["unseen", "proposal.status_changed"]
    assert received[1]["data"] == {
        "id": mine.pk,
        "challenge": challenge.pk,
        "organisation": mine.organisation_id,
        "status": "shortlisted",
    }
    assert "Secret praise" not in json.dumps(received)


# --- offers ---------------------------------------------------------------------------

OFFER_ROLES = ("anonymous", "unrelated", "sender", "owner", "facilitator", "staff")
OFFER_ACCESS = {
    TechnologyOffer.Status.DRAFT: {"owner", "staff"},
    TechnologyOffer.Status.PUBLISHED: set(OFFER_ROLES),
    TechnologyOffer.Status.WITHDRAWN: {"owner", "staff"},
}


@pytest.mark.parametrize("status", list(OFFER_ACCESS))
@pytest.mark.parametrize("role", OFFER_ROLES)
async def test_who_may_follow_an_offer(status, role):
    world = await sync_to_async(offer_world)(status=status)

    received = await _replay(world.person(role), world.offer.stream)

    allowed = role in OFFER_ACCESS[status]
    assert received[0]["op"] == ("subscribed" if allowed else "error")


def _busy_offer():
    """A published offer: the sender's interest sent and accepted, another
    organisation's interest sent, the sender's NDA accepted, a document uploaded."""
    world = offer_world(interest_status=ExpressionOfInterest.Status.SENT)
    owner, sender = world.person("owner"), world.person("sender")
    world.interest.delete()
    mine = interest_services.interest_send(
        actor=sender,
        offer=world.offer,
        who_we_are="Noi",
        intended_use="Macchine agricole",
        cooperation="Licenza",
        collaboration_type="licence",
    )
    interest_services.interest_send(
        actor=person_of(),
        offer=world.offer,
        who_we_are="Altri",
        intended_use="Altro uso",
        cooperation="Licenza",
        collaboration_type="licence",
    )
    interest_services.interest_accept(actor=owner, interest=mine, message="Benvenuti")
    disclosure_services.nda_accept(actor=sender, subject=world.offer)
    disclosure_services.document_upload(
        actor=owner,
        subject=world.offer,
        file=SimpleUploadedFile("recipe.pdf", hostile_files.pdf()),
        title="Ricetta",
    )
    return world, mine


@pytest.mark.parametrize("role", OFFER_ROLES)
async def test_each_follower_of_an_offer_sees_the_events_of_their_step(role):
    world, mine = await sync_to_async(_busy_offer)()

    received = await _replay(world.person(role), world.offer.stream)

    seen = _seen(received)
    if role in ("owner", "facilitator", "staff"):
        assert seen == [
            "interest.sent",
            "interest.sent",
            "interest.status",
            "nda.accepted",
            "confidential.uploaded",
        ]
    elif role == "sender":
        assert seen == [
            "interest.sent",
            "interest.status",
            "nda.accepted",
            "confidential.uploaded",
        ]
        assert {
            f["data"]["interest"]
            for f in received
            if f.get("type", "").startswith("interest.")
        } == {mine.pk}
    else:
        assert seen == []
    assert len(seen) + len(_unseen(received)) == 5
    text = json.dumps(received, ensure_ascii=False)
    assert "Benvenuti" not in text and "Ricetta" not in text and "Macchine" not in text


# --- revocation -----------------------------------------------------------------------


async def _ended(socket, stream):
    received = await frames(socket)
    await socket.disconnect()
    return any(
        f.get("op") == "error" and f.get("code") == "not_found" and f.get("ref") == stream
        for f in received
    ), received


async def test_a_challenge_refused_back_to_draft_leaves_the_desk_s_sight():
    def world():
        challenge = ChallengeFactory(status=Challenge.Status.IN_VALIDATION)
        people, _proposal = people_around(challenge)
        return challenge, people

    challenge, people = await sync_to_async(world)()
    socket = await connect(people["facilitator"])
    assert (await subscribe(socket, challenge.stream))[0]["op"] == "subscribed"

    await sync_to_async(validation_services.item_refuse)(
        actor=people["facilitator"], item=challenge, reason="Too vague."
    )
    ended, received = await _ended(socket, challenge.stream)

    assert ended, received


async def test_a_revoked_facilitator_stops_following_the_queue():
    def world():
        challenge = ChallengeFactory(status=Challenge.Status.IN_VALIDATION)
        people, _proposal = people_around(challenge)
        return challenge, people

    challenge, people = await sync_to_async(world)()
    socket = await connect(people["facilitator"])
    assert (await subscribe(socket, challenge.stream))[0]["op"] == "subscribed"

    await sync_to_async(desk_services.facilitator_revoke)(
        actor=people["staff"], person=people["facilitator"]
    )
    ended, received = await _ended(socket, challenge.stream)

    assert ended, received


async def test_leaving_the_seeker_organisation_ends_a_draft_s_stream():
    def world():
        challenge = ChallengeFactory(status=Challenge.Status.DRAFT)
        people, _proposal = people_around(challenge)
        member = person_of(challenge.organisation)
        return challenge, people, member

    challenge, _people, member = await sync_to_async(world)()
    socket = await connect(member)
    assert (await subscribe(socket, challenge.stream))[0]["op"] == "subscribed"

    await sync_to_async(organisations.affiliation_leave)(
        actor=member, organisation=challenge.organisation
    )
    ended, received = await _ended(socket, challenge.stream)

    assert ended, received


async def test_a_solver_who_left_its_organisation_no_longer_sees_its_proposal_s_steps():
    def world():
        challenge = ChallengeFactory()
        people, mine = people_around(challenge)
        leaver = person_of(mine.organisation)
        return challenge, people, mine, leaver

    challenge, people, mine, leaver = await sync_to_async(world)()
    socket = await connect(leaver)
    assert (await subscribe(socket, challenge.stream))[0]["op"] == "subscribed"

    await sync_to_async(organisations.affiliation_leave)(
        actor=leaver, organisation=mine.organisation
    )
    await frames(socket)
    await sync_to_async(proposal_services.proposal_shortlist)(
        actor=people["seeker"], proposal=mine
    )
    received = await frames(socket)
    await socket.disconnect()

    # The public challenge is still theirs to follow; their former organisation's
    # proposal is not.
    assert [f["type"] for f in received] == ["unseen"]


async def test_a_withdrawn_offer_ends_its_public_followers_streams():
    world = await sync_to_async(offer_world)()
    socket = await connect(world.person("unrelated"))
    assert (await subscribe(socket, world.offer.stream))[0]["op"] == "subscribed"

    await sync_to_async(offer_services.offer_withdraw)(
        actor=world.person("owner"), offer=world.offer
    )
    ended, received = await _ended(socket, world.offer.stream)

    assert ended, received


async def test_an_accepted_interest_lets_the_sender_see_new_documents():
    """Accepting and the NDA move the sender up the ladder while subscribed: the
    re-check after each makes the next document's event theirs."""

    def world():
        world = offer_world(interest_status=ExpressionOfInterest.Status.SENT)
        return world

    world = await sync_to_async(world)()
    sender, owner = world.person("sender"), world.person("owner")
    socket = await connect(sender)
    assert (await subscribe(socket, world.offer.stream))[0]["op"] == "subscribed"

    def upload(title):
        disclosure_services.document_upload(
            actor=owner,
            subject=world.offer,
            file=SimpleUploadedFile("x.pdf", hostile_files.pdf()),
            title=title,
        )

    await sync_to_async(upload)("Prima")
    await sync_to_async(interest_services.interest_accept)(
        actor=owner, interest=world.interest
    )
    await sync_to_async(disclosure_services.nda_accept)(actor=sender, subject=world.offer)
    await frames(socket)
    await sync_to_async(upload)("Seconda")
    received = await frames(socket)
    await socket.disconnect()

    assert [f["type"] for f in received] == ["confidential.uploaded"]


async def test_unrelated_interest_factory_rows_do_not_leak_on_replay():
    """An interest recorded by another organisation reaches an unrelated follower
    only as `unseen`."""
    world = await sync_to_async(offer_world)()

    def send():
        other = InterestFactory(offer=world.offer)
        interest_services.interest_withdraw(
            actor=person_of(other.organisation), interest=other
        )

    await sync_to_async(send)()
    received = await _replay(world.person("unrelated"), world.offer.stream)

    assert [f["type"] for f in received if f.get("op") == "event"] == ["unseen"]


async def test_a_facilitator_released_from_a_draft_stops_following_it():
    def world():
        challenge = ChallengeFactory(status=Challenge.Status.DRAFT)
        people, _proposal = people_around(challenge)
        desk_services.draft_take(actor=people["facilitator"], item=challenge)
        challenge.refresh_from_db()
        return challenge, people

    challenge, people = await sync_to_async(world)()
    socket = await connect(people["facilitator"])
    assert (await subscribe(socket, challenge.stream))[0]["op"] == "subscribed"

    await sync_to_async(desk_services.draft_release)(
        actor=people["seeker"], item=challenge
    )
    ended, received = await _ended(socket, challenge.stream)

    assert ended, received
