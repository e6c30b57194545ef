"""The innovation desk's actions: the facilitator role, help on drafts and the
introductions facilitators make between two organisations."""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from community.models import Community, Membership
from community.services import communities, memberships, threads
from live.events import event_record

from .. import permissions
from ..models import Facilitator, Introduction

User = get_user_model()


def _user_stream(user_id):
    return f"user:{int(user_id)}"


# --- the facilitator role --------------------------------------------------------------


def facilitator_grant(*, actor, person, organisation=None):
    """Make `person` an active facilitator (of `organisation`, the broker or desk they
    work for); return the row. Site staff only (PermissionDenied otherwise).
    Emits `desk.facilitator_granted` on the person's stream."""
    permissions.require_staff(actor)
    if not person.is_active:
        raise ValidationError({"person": _("This account is closed.")})
    with transaction.atomic():
        row, _created = Facilitator.objects.select_for_update().get_or_create(
            person=person,
            defaults={"organisation": organisation, "granted_by": actor},
        )
        row.is_active = True
        row.organisation = organisation
        row.granted_by = actor
        row.save(update_fields=["is_active", "organisation", "granted_by"])
        event_record(
            stream=_user_stream(person.pk),
            type="desk.facilitator_granted",
            payload={"person": person.pk},
            actor=actor,
        )
    return row


def facilitator_revoke(*, actor, person):
    """End `person`'s facilitator role (the row stays, inactive, for the record); the
    drafts they helped with are released. Site staff only. Emits
    `desk.facilitator_revoked` on the person's stream."""
    from ..models import Challenge, TechnologyOffer

    permissions.require_staff(actor)
    with transaction.atomic():
        row = Facilitator.objects.select_for_update().filter(person=person).first()
        if row is None or not row.is_active:
            raise ValidationError(_("This person is not a facilitator."))
        row.is_active = False
        row.save(update_fields=["is_active"])
        Challenge.objects.filter(facilitator=person, status="draft").update(
            facilitator=None
        )
        TechnologyOffer.objects.filter(facilitator=person, status="draft").update(
            facilitator=None
        )
        event_record(
            stream=_user_stream(person.pk),
            type="desk.facilitator_revoked",
            payload={"person": person.pk},
            actor=actor,
        )
    return row


# --- help on drafts ----------------------------------------------------------------------


def _kind(item):
    return "challenge" if item._meta.model_name == "challenge" else "offer"


def _locked(item):
    return type(item).objects.select_for_update().get(pk=item.pk)


def _tell_organisation(item, type, actor, **facts):
    """One event per active person of the item's organisation, on their own stream
    (their notifications and live badge)."""
    from community.models import Affiliation

    people = Affiliation.objects.filter(
        organisation_id=item.organisation_id, state=Affiliation.State.ACTIVE
    ).values_list("user_id", flat=True)
    for pk in people:
        event_record(
            stream=_user_stream(pk),
            type=type,
            payload={"kind": _kind(item), "id": item.pk, **facts},
            actor=actor,
        )


def help_request(*, actor, item):
    """The firm's admin asks the desk for help on a draft challenge or offer. The
    firm's admins only (PermissionDenied); the first request emits
    `desk.help_requested` on every active facilitator's stream (their notification);
    asking again while the request waits changes and tells nothing, so the desk hears
    once per draft until a facilitator takes it (releasing it clears the request)."""
    _check(
        actor,
        item,
        permissions.can_request_help,
        _("Only the organisation's administrators may ask for help on a draft."),
    )
    with transaction.atomic():
        row = _locked(item)
        if row.help_requested_at is not None:
            return row
        row.help_requested_at = timezone.now()
        row.save(update_fields=["help_requested_at", "updated_at"])
        for pk in Facilitator.objects.filter(
            is_active=True, person__is_active=True
        ).values_list("person_id", flat=True):
            event_record(
                stream=_user_stream(pk),
                type="desk.help_requested",
                payload={"kind": _kind(row), "id": row.pk},
                actor=actor,
            )
    return row


def _check(actor, item, rule, message):
    if not rule(actor, item):
        raise PermissionDenied(str(message))


def draft_take(*, actor, item):
    """A facilitator takes a draft to help the firm with: they may then read and edit
    it. Facilitators only, while nobody helps (PermissionDenied). Emits
    `desk.help_assigned` for the firm's people."""
    _check(
        actor,
        item,
        permissions.can_take_draft,
        _("This draft already has a facilitator, or is no draft any more."),
    )
    with transaction.atomic():
        row = _locked(item)
        if not permissions.can_take_draft(actor, row):
            raise PermissionDenied(_("This draft already has a facilitator."))
        row.facilitator = actor
        row.save(update_fields=["facilitator", "updated_at"])
        _tell_organisation(row, "desk.help_assigned", actor, facilitator=actor.pk)
    return row


def draft_release(*, actor, item):
    """End the help on a draft: the facilitator steps back (or the firm's admins or
    staff end it). Emits `desk.help_released` for the firm's people and
    `<kind>.help_released` on the draft's stream."""
    _check(
        actor,
        item,
        permissions.can_release_draft,
        _("You may not end the help on this draft."),
    )
    with transaction.atomic():
        row = _locked(item)
        if row.facilitator_id is None:
            return row
        row.facilitator = None
        row.help_requested_at = None
        row.save(update_fields=["facilitator", "help_requested_at", "updated_at"])
        # On the draft's stream too: the facilitator stops following it.
        event_record(
            stream=row.stream,
            type=f"{_kind(row)}.help_released",
            payload={"id": row.pk, "status": row.status},
            actor=actor,
        )
        _tell_organisation(row, "desk.help_released", actor)
    return row


# --- introductions -----------------------------------------------------------------------


def _person(username, field):
    person = (
        User.objects.filter(
            username__iexact=(username or "").strip().lstrip("@"), is_active=True
        )
        .select_related("organisation")
        .first()
    )
    if person is None:
        raise ValidationError({field: _("Nobody has this username.")})
    organisation = permissions.acting_organisation(person)
    if organisation is None:
        raise ValidationError(
            {
                field: _(
                    "This person acts for no organisation: an introduction is between two organisations."
                )
            }
        )
    return person, organisation


def introduction_create(*, actor, first, second, message):
    """Introduce two people of two different organisations (usernames `first`,
    `second`) with `message` (why they should meet); return the Introduction.

    Facilitators only (PermissionDenied); ValidationError per field. The conversation
    is a thread of a private community of kind `introduction` whose only members are
    the three (staff read it), so posts, live updates and notifications are the
    thread engine's. Emits `desk.introduced` on both people's streams (and the
    community's and thread's own events)."""
    permissions.require_facilitator(actor)
    message = (message or "").strip()
    errors = {}
    people = {}
    for field, username in (("first", first), ("second", second)):
        try:
            people[field] = _person(username, field)
        except ValidationError as error:
            errors.update(error.message_dict)
    if not message:
        errors["message"] = [_("Say why they should meet.")]
    elif len(message) > Introduction._meta.get_field("message").max_length:
        errors["message"] = [_("The message is too long.")]
    if not errors:
        (one, one_org), (two, two_org) = people["first"], people["second"]
        if one.pk == two.pk:
            errors["second"] = [_("Introduce two different people.")]
        elif one_org.pk == two_org.pk:
            errors["second"] = [
                _("The two people must be of two different organisations.")
            ]
        elif actor.pk in (one.pk, two.pk):
            errors["second"] = [_("Introduce two other people, not yourself.")]
    if errors:
        raise ValidationError(errors)
    title = _("%(first)s meets %(second)s") % {
        "first": one_org.name,
        "second": two_org.name,
    }
    with transaction.atomic():
        community = communities.community_create(
            actor=actor,
            name=title[:120],
            description=_("An introduction by the innovation desk."),
            visibility=Community.Visibility.PRIVATE,
            kind=Community.Kind.INTRODUCTION,
        )
        for person in (one, two):
            memberships.membership_grant(
                actor=actor,
                community=community,
                user=person,
                role=Membership.Role.MEMBER,
            )
        thread = threads.thread_create(
            actor=actor, community=community, title=title[:160], body=message
        )
        introduction = Introduction.objects.create(
            facilitator=actor,
            first_person=one,
            first_organisation=one_org,
            second_person=two,
            second_organisation=two_org,
            message=message,
            thread=thread,
        )
        for person in (one, two):
            event_record(
                stream=_user_stream(person.pk),
                type="desk.introduced",
                payload={"id": introduction.pk, "thread": thread.pk},
                actor=actor,
            )
    return introduction
