"""The registry of stream kinds: who may subscribe to `<kind>:<id>`.

`community` registers thread, community and user streams; the workspaces app registers its
own kinds in its AppConfig.ready(). Authorisation runs in a worker thread (sync ORM).
"""

import re

from django.core.exceptions import PermissionDenied
from django.http import Http404

_STREAM = re.compile(r"(?P<kind>[a-z]{1,20}):(?P<id>[1-9][0-9]{0,17})")
_kinds = {}


class StreamKind:
    def __init__(self, name, authorize):
        self.name = name
        self.authorize = authorize


def register_stream_kind(name, authorize):
    """Register `authorize(user, pk)` for streams named `<name>:<pk>`.

    It returns the streams whose access events can revoke this subscription (e.g. a
    thread's community), or a false value / raises Http404 or PermissionDenied to refuse.
    """
    _kinds[name] = StreamKind(name, authorize)


def parse_stream(stream):
    """Return (kind, pk) for a well-formed stream of a registered kind, else None."""
    if not isinstance(stream, str):
        return None
    match = _STREAM.fullmatch(stream)
    if not match or match["kind"] not in _kinds:
        return None
    return match["kind"], int(match["id"])


class Access(tuple):
    """The access scopes of an allowed subscription (streams whose membership events
    can revoke it); `has_presence` marks streams that track who is there (rooms)."""

    has_presence = False


def may_subscribe(user, stream):
    """An Access (maybe empty) when `user` may receive `stream`, None when not;
    missing and forbidden streams answer alike. `user` must be current
    (`permissions.current_user`): nothing here caches a decision."""
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


def _authorize_thread(user, pk):
    from .. import permissions

    thread = permissions.access_thread(user, pk)
    access = Access((f"community:{thread.community_id}",))
    access.has_presence = thread.kind == thread.Kind.ROOM
    return access


def _authorize_community(user, pk):
    from .. import permissions
    from ..models import Community

    community = Community.objects.filter(pk=pk).first()
    if community is None or not permissions.can_read_community(user, community):
        return None
    return (f"community:{community.pk}",)


def _authorize_moderation(user, pk):
    """Requests, invitations and sanctions: for the community's moderators only."""
    from .. import permissions
    from ..models import Community

    community = Community.objects.filter(pk=pk).first()
    if community is None or not permissions.can_moderate_community(user, community):
        return None
    return (f"community:{community.pk}",)


def _authorize_user(user, pk):
    return () if user.is_authenticated and user.pk == pk else None


register_stream_kind("thread", _authorize_thread)
register_stream_kind("community", _authorize_community)
register_stream_kind("moderation", _authorize_moderation)
register_stream_kind("user", _authorize_user)
