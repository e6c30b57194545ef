"""Reads for moderators: the audit log of a community, filtered."""

from ..models import AuditEntry, User

__all__ = ["audit_entries", "audit_people"]


def audit_entries(community, *, actor=None, action="", member=None):
    """Entries of `community`, newest first, with the people they name loaded."""
    entries = AuditEntry.objects.filter(community=community).select_related(
        "actor", "member"
    )
    if actor is not None:
        entries = entries.filter(actor=actor)
    if action:
        entries = entries.filter(action=action)
    if member is not None:
        entries = entries.filter(member=member)
    return entries.order_by("-created_at", "-pk")


def audit_people(community, field):
    """The people who appear as `field` ("actor" or "member") in the community's log,
    for the filter's choices."""
    ids = (
        AuditEntry.objects.filter(community=community, **{f"{field}__isnull": False})
        .values_list(field, flat=True)
        .distinct()
    )
    return User.objects.filter(pk__in=ids).order_by("display_name", "username")
