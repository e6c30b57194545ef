"""Write services for communities: create them, change their settings."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.text import slugify
from django.utils.translation import gettext as _

from live.events import event_record, stream_name

from .. import payloads, permissions
from ..models import Community, Membership
from ..tagging import tag_names_clean
from .memberships import record_membership_event

__all__ = [
    "community_create",
    "community_set_visibility",
    "community_update",
]

Role = Membership.Role
State = Membership.State

COMMUNITY_THEMES_MAX = 8
COMMUNITY_THEME_MAX_LENGTH = 40
# Slugs that would shadow the community URLs (c/new/).
RESERVED_SLUGS = frozenset({"new"})


# --- validation ------------------------------------------------------------------------


def _clean_name(name):
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError(
            {"name": _("Give the community a name.")}, code="required"
        )
    limit = Community._meta.get_field("name").max_length
    if len(name) > limit:
        raise ValidationError(
            {
                "name": _("The name is too long: at most %(limit)d characters.")
                % {"limit": limit}
            },
            code="max_length",
        )
    return name


def _clean_description(description):
    description = (description or "").replace("\r\n", "\n").strip()
    limit = Community._meta.get_field("description").max_length
    if len(description) > limit:
        raise ValidationError(
            {
                "description": _(
                    "The description is too long: at most %(limit)d characters."
                )
                % {"limit": limit}
            },
            code="max_length",
        )
    return description


def _clean_visibility(visibility):
    if visibility not in Community.Visibility.values:
        raise ValidationError(
            {"visibility": _("Choose public, restricted or private.")}, code="invalid"
        )
    return visibility


def clean_themes(themes):
    """Theme names, lower-cased; ValidationError keyed by `themes` (the form uses it
    too, so people see the error next to the field)."""
    try:
        return tag_names_clean(
            themes,
            max_count=COMMUNITY_THEMES_MAX,
            max_length=COMMUNITY_THEME_MAX_LENGTH,
        )
    except ValidationError as error:
        raise ValidationError({"themes": error.error_list}) from error


def _unique_slug(name):
    """A free slug derived from `name`: `agrifood`, then `agrifood-2`, `agrifood-3`..."""
    limit = Community._meta.get_field("slug").max_length - 8
    base = slugify(name)[:limit].strip("-") or "community"
    taken = (
        set(
            Community.objects.filter(
                Q(slug=base) | Q(slug__startswith=f"{base}-")
            ).values_list("slug", flat=True)
        )
        | RESERVED_SLUGS
    )
    slug, number = base, 1
    while slug in taken:
        number += 1
        slug = f"{base}-{number}"
    return slug


# --- communities -----------------------------------------------------------------------


def community_create(
    *, actor, name, description="", visibility, themes=(), kind=Community.Kind.COMMUNITY
):
    """Create a community; its creator becomes its owner.

    `kind=Community.Kind.WORKSPACE` makes a workspace's discussion (the workspace
    services call it; its memberships then follow the workspace's people).
    Verified users may call it. Raises PermissionDenied for others and ValidationError
    (fields name, description, visibility, themes) for bad input. Emits
    `community.created` on the new community's stream and `member.joined` on both
    the community's and the creator's streams.
    """
    permissions.require_create_community(actor)
    errors = {}
    cleaned = {}
    for field, clean, value in (
        ("name", _clean_name, name),
        ("description", _clean_description, description),
        ("visibility", _clean_visibility, visibility),
        ("themes", clean_themes, themes),
    ):
        try:
            cleaned[field] = clean(value)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        community = Community(
            name=cleaned["name"],
            slug=_unique_slug(cleaned["name"]),
            description=cleaned["description"],
            visibility=cleaned["visibility"],
            kind=kind,
            created_by=actor,
            member_count=1,
        )
        community.full_clean()
        community.save()
        community.themes.set(cleaned["themes"])
        membership = Membership.objects.create(
            user=actor, community=community, role=Role.OWNER, state=State.ACTIVE
        )
        event_record(
            stream=stream_name("community", community.pk),
            type="community.created",
            payload=payloads.community_data(community),
            actor=actor,
        )
        record_membership_event(membership, "member.joined", actor)
    return community


def community_update(*, actor, community, name, description, visibility, themes):
    """Change a community's name, description, themes and visibility (slug stays).

    Owners and site staff may call it; others get PermissionDenied. Raises
    ValidationError per field. Emits `community.updated` when something changed and
    `community.visibility_changed` when the visibility did (live subscriptions use it
    to re-check who may still follow the community).
    """
    permissions.require_edit_community(actor, community)
    errors = {}
    cleaned = {}
    for field, clean, value in (
        ("name", _clean_name, name),
        ("description", _clean_description, description),
        ("visibility", _clean_visibility, visibility),
        ("themes", clean_themes, themes),
    ):
        try:
            cleaned[field] = clean(value)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        community = (
            Community.objects.select_for_update().filter(pk=community.pk).first()
        )
        previous_visibility = community.visibility
        changed = [
            field
            for field in ("name", "description", "visibility")
            if getattr(community, field) != cleaned[field]
        ]
        old_themes = sorted(community.themes.names())
        if old_themes != sorted(cleaned["themes"]):
            changed.append("themes")
        if not changed:
            return community
        for field in ("name", "description", "visibility"):
            setattr(community, field, cleaned[field])
        community.full_clean()
        community.save(update_fields=["name", "description", "visibility"])
        if "themes" in changed:
            community.themes.set(cleaned["themes"])
        event_record(
            stream=stream_name("community", community.pk),
            type="community.updated",
            payload=payloads.community_change_data(community, changed),
            actor=actor,
        )
        if "visibility" in changed:
            event_record(
                stream=stream_name("community", community.pk),
                type="community.visibility_changed",
                payload=payloads.community_change_data(
                    community, ["visibility"], previous_visibility
                ),
                actor=actor,
            )
    return community


def community_set_visibility(*, actor, community, visibility):
    """Change only the visibility (the staff's admin action); same rules and events as
    `community_update`, every other setting kept."""
    return community_update(
        actor=actor,
        community=community,
        name=community.name,
        description=community.description,
        visibility=visibility,
        themes=list(community.themes.names()),
    )
