"""Who a socket is, decided once at the handshake from the session cookie: a valid
sign-in is that person, anything else is a visitor; /ws/ is the only address."""

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client

from config.asgi import application
from tests.community.thread_helpers import community_with_thread
from tests.live.sockets import SITE, frames, subscribe
from tests.support.roles import member_of

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


def _session_of(person):
    client = Client()
    client.force_login(person)
    return client.session.session_key


async def _open(path="/ws/", cookie=None):
    headers = list(SITE)
    if cookie is not None:
        headers.append((b"cookie", cookie.encode()))
    socket = WebsocketCommunicator(application, path, headers=headers)
    connected, _ = await socket.connect()
    return socket, connected


async def _follows_private_thread(cookie):
    community, _owner, thread = await sync_to_async(community_with_thread)("private")
    member = await sync_to_async(member_of)(community)
    socket, connected = await _open(
        cookie=await sync_to_async(cookie)(member) if cookie else None
    )
    assert connected
    replay = await subscribe(socket, thread.stream)
    await socket.disconnect()
    return replay[0]["op"]


async def test_a_signed_in_session_cookie_is_that_person():
    def cookie(member):
        return f"sessionid={_session_of(member)}; django_language=it"

    assert await _follows_private_thread(cookie) == "subscribed"


async def test_an_unknown_session_is_a_visitor():
    assert await _follows_private_thread(lambda member: "sessionid=nosuchsession") == "error"


async def test_a_session_from_before_a_password_change_is_a_visitor():
    def cookie(member):
        key = _session_of(member)
        member.set_password("una-nuova-parola-segreta")
        member.save()  # the session's auth hash no longer matches
        return f"sessionid={key}"

    assert await _follows_private_thread(cookie) == "error"


async def test_no_cookie_is_a_visitor():
    assert await _follows_private_thread(None) == "error"


async def test_the_language_cookie_chooses_a_visitors_language():
    socket, connected = await _open(cookie="django_language=it")
    await socket.send_json_to({"op": "nonsense"})
    (reply,) = await frames(socket)
    await socket.disconnect()

    assert connected
    assert reply["message"] == "Operazione sconosciuta."


async def test_any_other_address_is_refused_at_the_handshake():
    socket, connected = await _open(path="/ws/other/")
    assert not connected
