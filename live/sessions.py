"""Sockets end with the session that opened them (logout, password change)."""

import hashlib

from .events import event_record, stream_name
from .streams import OWN_KIND

SESSION_ENDED = "session.ended"


def session_fingerprint(session_key):
    """A stable, non-secret name for a session (the raw key never enters the log)."""
    if not session_key:
        return None
    return hashlib.sha256(session_key.encode()).hexdigest()[:24]


def session_ended_record(*, user, session_key=None, keep_session_key=None):
    """Record that the session `session_key` of `user` ended (every session but
    `keep_session_key` when None): their sockets of those sessions close at once.
    Runs inside the caller's transaction, like any event."""
    event_record(
        stream=stream_name(OWN_KIND, user.pk),
        type=SESSION_ENDED,
        payload={
            "session": session_fingerprint(session_key),
            "keep": session_fingerprint(keep_session_key),
        },
        actor=user,
    )


def ends_socket(data, socket_session):
    """Does a `session.ended` event with `data` end the socket of `socket_session`?"""
    ended = data.get("session") in (None, socket_session)
    return ended and (data.get("keep") is None or data.get("keep") != socket_session)
