"""An accepted answer reaches open pages of the question at once, and a reader
catching up after a reconnect learns the latest decision."""

import pytest
from asgiref.sync import sync_to_async

from community.services import answers, threads
from tests.community.thread_helpers import community_with_thread
from tests.live.sockets import connect, frames, subscribe
from tests.support.roles import member_of

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


@sync_to_async
def _question():
    community, owner, _ = community_with_thread()
    asker, helper = member_of(community), member_of(community)
    question = threads.thread_create(
        actor=asker, community=community, title="Domanda", body="?", is_question=True
    )
    reply = threads.post_reply(actor=helper, thread=question, body="Risposta")
    return owner, asker, helper, question, reply


def _answered(received):
    return [
        frame["data"]["answer"]
        for frame in received
        if frame.get("type") == "thread.answered"
    ]


async def test_readers_see_the_answer_accepted_and_taken_back_live_and_on_catch_up():
    owner, asker, helper, question, reply = await _question()
    socket = await connect(helper)
    replay = await subscribe(socket, question.stream)
    assert replay[0]["op"] == "subscribed"
    last = max(frame.get("seq", 0) for frame in replay)

    await sync_to_async(answers.answer_accept)(actor=asker, post=reply)
    assert _answered(await frames(socket)) == [reply.pk]
    await sync_to_async(answers.answer_clear)(actor=owner, thread=question)
    assert _answered(await frames(socket)) == [None]
    await socket.disconnect()

    # A visitor's tab that was offline catches up from where it was.
    late = await connect(None)
    replay = await subscribe(late, question.stream, after=last)
    assert _answered(replay) == [reply.pk, None]
    await late.disconnect()
