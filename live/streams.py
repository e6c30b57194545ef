"""The registry of stream kinds: who may follow `<kind>:<id>`, and which of its events
may revoke that right.

Apps register their kinds in their AppConfig.ready(). Authorisation runs in a worker
thread (sync ORM), on the current state, for every subscribe and every re-check.
"""

import re

from django.core.exceptions import PermissionDenied
from django.http import Http404

# The kind of each signed-in socket's own stream (`user:<id>`): the person's notices.
OWN_KIND = "user"

_STREAM = re.compile(r"(?P<kind>[a-z]{1,20}):(?P<id>[1-9][0-9]{0,17})")
_kinds = {}


class StreamKind:
    def __init__(self, name, authorize, revoking):
        self.name = name
        self.authorize = authorize
        self.revoking = tuple(revoking)


def register_stream_kind(name, authorize, *, revoking=()):
    """Register `authorize(user, pk)` for streams named `<name>:<pk>`.

    It returns the streams whose revoking events can end this subscription (e.g. a
    thread's community), or a false value / raises Http404 or PermissionDenied to
    refuse. `revoking` lists the event types (or `prefix.` of types) of this kind's
    streams after which subscriptions scoped under the stream are checked again: on
    a person's own stream, all of that person's subscriptions.
    """
    _kinds[name] = StreamKind(name, authorize, revoking)


def add_revoking(name, revoking):
    """Let more event types (or `prefix.`es) of `name`'s streams revoke: an app whose
    access rules follow facts recorded on another app's kind (a person's own stream,
    say) adds them from its ready(), without the owner of the kind knowing it.
    LookupError when `name` is not registered yet (app order)."""
    kind = _kinds.get(name)
    if kind is None:
        raise LookupError(f"No stream kind {name!r} is registered.")
    kind.revoking = tuple(dict.fromkeys((*kind.revoking, *revoking)))


def parse_stream(stream):
    """Return (kind, pk) for a well-formed stream of a registered kind, else None."""
    if not isinstance(stream, str):
        return None
    match = _STREAM.fullmatch(stream)
    if not match or match["kind"] not in _kinds:
        return None
    return match["kind"], int(match["id"])


def revokes(stream, type):
    """Does an event of `type` on `stream` call for re-checking subscriptions?"""
    kind = _kinds.get(stream.partition(":")[0])
    if kind is None:
        return False
    return any(
        type == name or (name.endswith(".") and type.startswith(name))
        for name in kind.revoking
    )


class Access(tuple):
    """The access scopes of an allowed subscription (streams whose revoking events can
    end it); `has_presence` marks streams that track who is there (rooms).

    `viewer`, when the app sets it, is asked `viewer.annotate(frame, memo)` for every
    frame this socket receives on the stream (`memo`: a dict shared by every socket
    the event goes to, for what the viewer reads from the frame alike for all): a
    small dict (e.g. the actions this person
    may take on a post) sent along as the frame's `viewer` field, or None. It is
    computed with the authorisation and again at every re-check; it only shapes what
    is displayed — every operation still decides on the current state. Build the
    fields with `live.wire.viewer_field` so that sockets with equal fields share one
    spliced, framed text per event. `live.wire.UNSEEN` withholds the event from this
    socket: it gets the event's seq with type `unseen` and no data (live, replayed
    and repaired alike), for a fact this person may not see on a page.
    """

    has_presence = False
    viewer = None


def may_subscribe(user, stream):
    """An Access (maybe empty) when `user` may receive `stream`, None when not;
    missing and forbidden streams answer alike."""
    parsed = parse_stream(stream)
    if parsed is None:
        return None
    kind, pk = parsed
    try:
        scopes = _kinds[kind].authorize(user, pk)
    except (Http404, PermissionDenied):
        return None
    if scopes is False or scopes is None:
        return None
    if isinstance(scopes, Access):
        return scopes
    return Access(scopes if scopes is not True else ())


def authorize_own_stream(user, pk):
    """A person's own stream (`user:<id>`) is theirs alone: the app that owns the user
    model registers the kind with this rule and the events that revoke access."""
    return () if user.is_authenticated and user.pk == pk else None
