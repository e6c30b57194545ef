"""Write services for organisations and people's affiliations to them."""

from functools import partial

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from live.events import event_record, stream_name

from .. import permissions
from ..models import Affiliation, Organisation
from ..payloads import affiliation_data, organisation_data
from ..ratelimit import rate_limit_hit
from ..tagging import tag_names_clean

__all__ = [
    "affiliation_approve",
    "affiliation_decline",
    "affiliation_leave",
    "affiliation_request",
    "affiliation_set_role",
    "organisation_create",
    "organisation_update",
]

# The fields a person fills in; everything else (slug, creator, dates) is ours.
ORGANISATION_FIELDS = (
    "name",
    "kind",
    "sector",
    "size",
    "city",
    "province",
    "region",
    "website",
    "description",
)
TAG_FIELDS = ("competences", "interests")
MAX_TAGS = 20
# Slugs that would collide with the URLs under o/ (o/new/ is the creation form).
RESERVED_SLUGS = frozenset({"new"})

Role = Affiliation.Role
State = Affiliation.State


# --- affiliations ending: the apps above hear of it -----------------------------------

# `hook(user_id=, organisation_id=, actor=)` for each affiliation that ends (the person
# leaves the organisation, or moves to another one), called after the commit. The apps
# above register what follows from it (workspaces end the person's participation on
# the organisation's behalf) from their AppConfig.ready(); this app knows none of them.
_affiliation_ended_hooks = []


def register_affiliation_ended(hook):
    """Call `hook` after the commit of every ended affiliation (once per hook)."""
    if hook not in _affiliation_ended_hooks:
        _affiliation_ended_hooks.append(hook)


def _affiliation_ended(affiliation, actor):
    """Tell the registered hooks, once the transaction that ended it commits."""
    user_id, organisation_id = affiliation.user_id, affiliation.organisation_id
    for hook in _affiliation_ended_hooks:
        transaction.on_commit(
            partial(hook, user_id=user_id, organisation_id=organisation_id, actor=actor)
        )


# --- helpers ----------------------------------------------------------------------------




def _clean_tags(field, value, errors):
    """Validate one tag set; record problems in `errors` under the field's name."""
    try:
        return tag_names_clean(value, max_count=MAX_TAGS, lowercase=False)
    except ValidationError as error:
        errors[field] = error.messages
        return []




def _unique_slug(name):
    base = slugify(name)[:170].strip("-") or "organisation"
    slug, number = base, 1
    while slug in RESERVED_SLUGS or Organisation.objects.filter(slug=slug).exists():
        number += 1
        slug = f"{base}-{number}"
    return slug


def _apply_and_validate(organisation, fields, tags):
    """Set the fields on `organisation`, validate everything; raise ValidationError."""
    unknown = set(fields) - set(ORGANISATION_FIELDS)
    if unknown:
        raise TypeError(f"Unknown organisation fields: {sorted(unknown)}")
    for field, value in fields.items():
        if isinstance(value, str):
            value = value.strip()
        setattr(organisation, field, value if value is not None else "")
    errors = {}
    clean_tags = {
        field: _clean_tags(field, value, errors)
        for field, value in tags.items()
        if value is not None
    }
    taken = (
        Organisation.objects.filter(name__iexact=organisation.name)
        .exclude(pk=organisation.pk)
        .exists()
    )
    if organisation.name and taken:
        errors["name"] = [
            _("An organisation called “%(name)s” already exists.")
            % {"name": organisation.name}
        ]
    try:
        # Name uniqueness is checked above, case-insensitively; slug and creator are ours.
        organisation.full_clean(exclude=["slug", "created_by"], validate_unique=False)
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    return clean_tags


def _save_tags(organisation, clean_tags):
    for field, names in clean_tags.items():
        getattr(organisation, field).set(names)


def _record(type, *, affiliation, actor):
    """Record an affiliation event on the organisation's and the person's streams.

    Every affiliation change passes here, so this is also where the permission cache of
    the request or socket operation forgets the row.
    """
    permissions.affiliation_changed(affiliation)
    payload = affiliation_data(affiliation)
    event_record(
        stream=stream_name("organisation", affiliation.organisation_id),
        type=type,
        payload=payload,
        actor=actor,
    )
    event_record(
        stream=stream_name("user", affiliation.user_id),
        type=type,
        payload=payload,
        actor=actor,
    )


def _other_active_affiliation(person, organisation=None):
    """The person's active affiliation elsewhere (they will move out of it), or None."""
    affiliations = Affiliation.objects.select_related("organisation").filter(
        user=person, state=State.ACTIVE
    )
    if organisation is not None:
        affiliations = affiliations.exclude(organisation=organisation)
    return affiliations.first()


def _organisations_locked(*organisations):
    """Lock the organisations' rows for this transaction, in id order.

    Every change of an organisation's admins (roles, leaving, moving to another
    organisation) takes the row first, so writers queue up instead of deadlocking and
    whoever holds it counts the admins as they are: two admins demoting each other at
    once cannot leave the organisation without one.
    """
    ids = sorted({organisation.pk for organisation in organisations if organisation})
    list(
        Organisation.objects.select_for_update()
        .filter(pk__in=ids)
        .order_by("pk")
        .values("pk")
    )


def _ensure_may_move(person, previous, message, **params):
    """A person moves only if they may leave their current organisation (decided on
    the rows as they are now; callers that end `previous` hold its lock)."""
    if previous is None:
        return
    with permissions.fresh():
        may_leave = permissions.can_leave_organisation(person, previous.organisation)
    if not may_leave:
        raise ValidationError(
            message % {"organisation": previous.organisation.name, **params}
        )


def _end_previous(previous, *, actor):
    """End the person's previous affiliation when they join another organisation."""
    _record("affiliation.left", affiliation=previous, actor=actor)
    _affiliation_ended(previous, actor)
    previous.delete()


def _set_shown_organisation(person, organisation):
    person.organisation = organisation
    person.save(update_fields=["organisation"])


# --- organisations ----------------------------------------------------------------------


def organisation_create(*, actor, competences=None, interests=None, **fields):
    """Create an organisation; the creator becomes its admin and moves to it.

    Verified users only (PermissionDenied otherwise). `fields` are the profile fields
    (name, kind, sector, size, city, region, website, description); competences and
    interests are comma-separated strings or lists of names. Raises ValidationError
    for bad input (a taken name, case-insensitively), when the creator is the last
    admin of their current organisation, or past the "organisation" rate limit.
    A person belongs to one organisation at a time, so the creator's previous
    affiliation ends. Emits `organisation.created` on the new organisation's stream,
    `affiliation.approved` on it and on the creator's stream, and `affiliation.left`
    when the creator moved.
    """
    permissions.require_create_organisation(actor)
    organisation = Organisation(created_by=actor)
    clean_tags = _apply_and_validate(
        organisation, fields, {"competences": competences, "interests": interests}
    )
    last_admin = _(
        "You are the only administrator of %(organisation)s: make another member "
        "administrator there before creating a new organisation."
    )
    _ensure_may_move(actor, _other_active_affiliation(actor), last_admin)
    rate_limit_hit(actor, "organisation")
    try:
        with transaction.atomic():
            previous = _other_active_affiliation(actor)
            if previous is not None:
                # Again under the lock: another admin may have left meanwhile.
                _organisations_locked(previous.organisation)
                _ensure_may_move(actor, previous, last_admin)
            organisation.slug = _unique_slug(organisation.name)
            organisation.save()
            _save_tags(organisation, clean_tags)
            event_record(
                stream=stream_name("organisation", organisation.pk),
                type="organisation.created",
                payload=organisation_data(organisation),
                actor=actor,
            )
            if previous is not None:
                _end_previous(previous, actor=actor)
            now = timezone.now()
            affiliation = Affiliation.objects.create(
                user=actor,
                organisation=organisation,
                role=Role.ADMIN,
                state=State.ACTIVE,
                decided_at=now,
                decided_by=actor,
            )
            _set_shown_organisation(actor, organisation)
            _record("affiliation.approved", affiliation=affiliation, actor=actor)
    except IntegrityError as error:
        # Someone saved the same name (or slug) a moment earlier.
        organisation.pk = None
        raise ValidationError(
            {"name": _("An organisation with this name was just created. Try another.")}
        ) from error
    return organisation


def organisation_update(
    *, actor, organisation, competences=None, interests=None, **fields
):
    """Change an organisation's profile; its slug (and URL) stays.

    Organisation admins and site staff only (PermissionDenied otherwise). Takes the
    same fields as `organisation_create`; tag sets left as None are unchanged.
    Raises ValidationError for bad input. Emits `organisation.updated`.
    """
    permissions.require_edit_organisation(actor, organisation)
    clean_tags = _apply_and_validate(
        organisation, fields, {"competences": competences, "interests": interests}
    )
    try:
        with transaction.atomic():
            organisation.save()
            _save_tags(organisation, clean_tags)
            event_record(
                stream=stream_name("organisation", organisation.pk),
                type="organisation.updated",
                payload=organisation_data(organisation),
                actor=actor,
            )
    except IntegrityError as error:
        raise ValidationError(
            {"name": _("An organisation with this name was just created. Try another.")}
        ) from error
    return organisation


# --- affiliations -----------------------------------------------------------------------


def affiliation_request(*, actor, organisation, message=""):
    """Ask to join an organisation; one of its admins approves or declines.

    Verified users who are not in it (nor waiting) may call it; people once declined
    may ask again. Raises PermissionDenied for others, ValidationError when already
    a member or waiting, for a message over 500 characters, when the person is the
    last admin of their current organisation, or past the "join" rate limit.
    Emits `affiliation.requested` on the organisation's and the person's streams.
    """
    existing = permissions.affiliation_of(actor, organisation)
    if existing is not None and existing.state == State.PENDING:
        raise ValidationError(_("Your request is already waiting for approval."))
    if existing is not None and existing.state == State.ACTIVE:
        raise ValidationError(_("You are already a member of this organisation."))
    permissions.require_request_affiliation(actor, organisation)
    message = (message or "").strip()
    max_length = Affiliation._meta.get_field("message").max_length
    if len(message) > max_length:
        raise ValidationError(
            {
                "message": _("Keep the message under %(max)d characters.")
                % {"max": max_length}
            }
        )
    _ensure_may_move(
        actor,
        _other_active_affiliation(actor, organisation),
        _(
            "You are the only administrator of %(organisation)s: make another member "
            "administrator there before joining another organisation."
        ),
    )
    rate_limit_hit(actor, "join")
    with transaction.atomic():
        affiliation = Affiliation.objects.filter(
            user=actor, organisation=organisation
        ).first()
        if affiliation is None:
            affiliation = Affiliation(user=actor, organisation=organisation)
        affiliation.role = Role.MEMBER
        affiliation.state = State.PENDING
        affiliation.message = message
        affiliation.created_at = timezone.now()
        affiliation.decided_at = None
        affiliation.decided_by = None
        affiliation.save()
        _record("affiliation.requested", affiliation=affiliation, actor=actor)
    return affiliation


def affiliation_approve(*, actor, affiliation):
    """Approve a pending request: the person joins and the organisation shows by their name.

    Organisation admins and site staff only (PermissionDenied otherwise). Raises
    ValidationError when the request was already decided or the person is the last
    admin of their current organisation. A person belongs to one organisation at a
    time: their previous affiliation ends (`affiliation.left` on its streams).
    Emits `affiliation.approved` on the organisation's and the person's streams.
    """
    organisation = affiliation.organisation
    person = affiliation.user
    permissions.require_decide_affiliations(actor, organisation)
    with transaction.atomic():
        previous = _other_active_affiliation(person, organisation)
        _organisations_locked(organisation, previous and previous.organisation)
        current = Affiliation.objects.filter(pk=affiliation.pk).first()
        if current is None or current.state != State.PENDING:
            raise ValidationError(_("This request has already been decided."))
        _ensure_may_move(
            person,
            previous,
            _(
                "%(name)s is the only administrator of %(organisation)s and must "
                "name another administrator there before joining."
            ),
            name=person.name,
        )
        if previous is not None:
            _end_previous(previous, actor=actor)
        affiliation.state = State.ACTIVE
        affiliation.role = Role.MEMBER
        affiliation.decided_at = timezone.now()
        affiliation.decided_by = actor
        affiliation.save(update_fields=["state", "role", "decided_at", "decided_by"])
        _set_shown_organisation(person, organisation)
        _record("affiliation.approved", affiliation=affiliation, actor=actor)
    return affiliation


def affiliation_decline(*, actor, affiliation):
    """Decline a pending request; the person may ask again later.

    Organisation admins and site staff only (PermissionDenied otherwise). Raises
    ValidationError when the request was already decided. Emits
    `affiliation.declined` on the organisation's and the person's streams.
    """
    permissions.require_decide_affiliations(actor, affiliation.organisation)
    with transaction.atomic():
        _organisations_locked(affiliation.organisation)
        current = Affiliation.objects.filter(pk=affiliation.pk).first()
        if current is None or current.state != State.PENDING:
            raise ValidationError(_("This request has already been decided."))
        affiliation.state = State.DECLINED
        affiliation.decided_at = timezone.now()
        affiliation.decided_by = actor
        affiliation.save(update_fields=["state", "decided_at", "decided_by"])
        _record("affiliation.declined", affiliation=affiliation, actor=actor)
    return affiliation


def affiliation_leave(*, actor, organisation):
    """Leave an organisation, or withdraw a pending request to join it.

    Active members and people waiting for approval may call it (PermissionDenied
    for others). Raises ValidationError for the last admin, who must first make
    another member admin (`permissions.require_leave_organisation`, decided again
    under the organisation's row lock). Leaving clears the organisation shown next to
    the name. Emits `affiliation.left` (or `affiliation.withdrawn`) on the
    organisation's and the person's streams. Returns the state the affiliation had.
    """
    if not permissions.can_withdraw_affiliation(actor, organisation):
        permissions.require_leave_organisation(actor, organisation)
    with transaction.atomic():
        _organisations_locked(organisation)
        # Decided again on the rows as they are now: another admin may have left or
        # been demoted since the first check.
        with permissions.fresh():
            withdrawing = permissions.can_withdraw_affiliation(actor, organisation)
            try:
                if not withdrawing:
                    permissions.require_leave_organisation(actor, organisation)
            except PermissionDenied as error:
                # The affiliation changed meanwhile: a notice, not a 403.
                raise ValidationError(str(error)) from error
            affiliation = permissions.affiliation_of(actor, organisation)
        state = affiliation.state
        _record(
            "affiliation.withdrawn" if withdrawing else "affiliation.left",
            affiliation=affiliation,
            actor=actor,
        )
        if not withdrawing:
            _affiliation_ended(affiliation, actor)
        affiliation.delete()
        if not withdrawing and actor.organisation_id == organisation.pk:
            _set_shown_organisation(actor, None)
    return state


def affiliation_set_role(*, actor, affiliation, role):
    """Make an active member an admin of the organisation, or an admin a member again.

    Organisation admins and site staff only (PermissionDenied otherwise). Raises
    ValidationError for an unknown role, a person who is not an active member, or
    when it would leave the organisation without admins. Emits
    `affiliation.role_changed` on the organisation's and the person's streams.
    """
    organisation = affiliation.organisation
    permissions.require_manage_organisation_roles(actor, organisation)
    if role not in Role.values:
        raise ValidationError(_("Choose a valid role."))
    with transaction.atomic():
        _organisations_locked(organisation)
        current = Affiliation.objects.filter(pk=affiliation.pk).first()
        if current is None or current.state != State.ACTIVE:
            raise ValidationError(_("Only active members can have a role."))
        if current.role == role:
            return affiliation
        # Decided on the rows as they are now, with the organisation locked: the actor
        # may have lost the role, and another admin may be gone.
        with permissions.fresh():
            if current.role == Role.ADMIN:
                permissions.require_remove_organisation_admin(actor, organisation)
            else:
                permissions.require_manage_organisation_roles(actor, organisation)
        affiliation.role = role
        affiliation.save(update_fields=["role"])
        _record("affiliation.role_changed", affiliation=affiliation, actor=actor)
    return affiliation
