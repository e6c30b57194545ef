"""Write services for accounts: profile edits, the language choice and avatar checks."""

import io
import zoneinfo
from functools import lru_cache
from importlib import import_module

import filetype
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from live.events import event_record, stream_name
from live.sessions import session_ended_record

from .. import payloads, permissions, uploads
from ..models import AuditEntry, User
from ..ratelimit import rate_limit_hit
from ..tagging import tag_names_clean
from .audit import REASON_MAX_LENGTH, audit_record

__all__ = [
    "AVATAR_MAX_SIDE",
    "AVATAR_TYPES",
    "EXPERTISE_MAX_TAGS",
    "EXPERTISE_TAG_MAX_LENGTH",
    "account_deactivate",
    "account_reactivate",
    "account_site_roles_changed",
    "account_suspend",
    "account_unsuspend",
    "AVATAR_SIZES",
    "avatar_prepare",
    "avatar_sized",
    "profile_update",
    "sessions_end",
    "time_zone_names",
    "user_set_language",
]

# Content type sniffed from the bytes -> the format Pillow must agree on.
AVATAR_TYPES = {
    "image/jpeg": "JPEG",
    "image/png": "PNG",
    "image/webp": "WEBP",
    "image/gif": "GIF",
}
AVATAR_MAX_SIDE = 4096
# Avatars are shown at 96px at most; storing 512px keeps pages light and sharp.
AVATAR_STORED_SIDE = 512
# The sizes avatars are served at (`avatar_sized`): each drawn once from the stored
# avatar, then kept beside it. Pages ask for the size they show, twice for sharp
# screens (`templates/includes/avatar.html`).
AVATAR_SIZES = (32, 64, 128, 256)
EXPERTISE_MAX_TAGS = 20
EXPERTISE_TAG_MAX_LENGTH = 50
_TIME_ZONE_REGIONS = (
    "Africa/",
    "America/",
    "Antarctica/",
    "Asia/",
    "Atlantic/",
    "Australia/",
    "Europe/",
    "Indian/",
    "Pacific/",
)


@lru_cache(maxsize=1)
def time_zone_names():
    """The time zones people pick from: geographic IANA names plus UTC, sorted."""
    names = zoneinfo.available_timezones()
    return tuple(
        sorted(name for name in names if name.startswith(_TIME_ZONE_REGIONS))
    ) + ("UTC",)


def _is_time_zone(name):
    return name in zoneinfo.available_timezones()


def avatar_prepare(upload):
    """Check an uploaded avatar by its content and return a cleaned copy to store.

    Only JPEG, PNG, WebP and GIF images up to `settings.AVATAR_MAX_BYTES` and
    `AVATAR_MAX_SIDE` pixels a side are accepted, whatever the file is called or
    claims to be. The copy is re-encoded by Pillow (metadata such as GPS positions is
    dropped, a GIF keeps its first frame as PNG) and scaled down to 512px.
    Raises ValidationError with a message for people for anything refused.
    """
    max_bytes = settings.AVATAR_MAX_BYTES
    if upload.size > max_bytes:
        raise ValidationError(
            _("The image is too large: at most %(size)s.")
            % {"size": filesizeformat(max_bytes)},
            code="avatar_too_large",
        )
    refused = ValidationError(
        _("Upload a JPEG, PNG, WebP or GIF image."), code="avatar_type"
    )
    upload.seek(0)
    kind = filetype.guess(upload.read(261))
    if kind is None or kind.mime not in AVATAR_TYPES:
        raise refused
    upload.seek(0)
    try:
        with Image.open(upload) as image:
            if image.format != AVATAR_TYPES[kind.mime]:
                raise refused
            width, height = image.size
            # Checked before decoding, so a decompression bomb is never expanded.
            if width > AVATAR_MAX_SIDE or height > AVATAR_MAX_SIDE:
                raise ValidationError(
                    _("The image is too big: at most %(side)s × %(side)s pixels.")
                    % {"side": AVATAR_MAX_SIDE},
                    code="avatar_dimensions",
                )
            image.load()
            cleaned = _avatar_normalise(image)
    except (
        Image.DecompressionBombError,
        OSError,
        SyntaxError,
        UnidentifiedImageError,
        ValueError,
    ):
        raise ValidationError(
            _("This file is not a valid image."), code="avatar_invalid"
        ) from None
    finally:
        upload.seek(0)
    return cleaned


def _avatar_normalise(image):
    """Re-encode a decoded image: upright, at most 512px, without metadata."""
    source_format = image.format
    image = ImageOps.exif_transpose(image)
    if image.mode in ("P", "PA", "1", "I;16") or (
        image.mode == "LA" and source_format != "PNG"
    ):
        image = image.convert("RGBA")
    image.thumbnail((AVATAR_STORED_SIDE, AVATAR_STORED_SIDE))
    if source_format == "JPEG":
        target, options = "JPEG", {"quality": 88, "optimize": True}
        if image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
    elif source_format == "WEBP":
        target, options = "WEBP", {"quality": 88}
        if image.mode not in ("RGB", "RGBA"):
            image = image.convert("RGBA")
    else:
        target, options = "PNG", {"optimize": True}
        if image.mode not in ("L", "LA", "RGB", "RGBA"):
            image = image.convert("RGBA")
    buffer = io.BytesIO()
    image.save(buffer, format=target, **options)
    return ContentFile(buffer.getvalue(), name="avatar")


def _avatar_sized_name(name, size):
    return f"avatars/sized/{name.rpartition('/')[2]}-{int(size)}"


def _avatar_files_delete(storage, name):
    """Remove a replaced avatar and the sizes drawn from it."""
    storage.delete(name)
    for size in AVATAR_SIZES:
        storage.delete(_avatar_sized_name(name, size))


def avatar_sized(person, size):
    """The storage name of `person`'s avatar at `size` pixels a side (one of
    `AVATAR_SIZES`), drawn from the stored avatar the first time it is asked for
    and kept (in the stored avatar's format, without metadata). Raises
    FileNotFoundError when the person has no avatar or its file is gone."""
    if size not in AVATAR_SIZES:
        raise ValueError(f"no avatar size {size}")
    if not person.avatar:
        raise FileNotFoundError("no avatar")
    storage = person.avatar.storage
    wanted = _avatar_sized_name(person.avatar.name, size)
    if storage.exists(wanted):
        return wanted
    with storage.open(person.avatar.name, "rb") as handle:
        # The stored avatar was checked and redrawn when uploaded (`avatar_prepare`,
        # at most 512px): drawing a smaller one is cheap and safe.
        with Image.open(handle) as image:
            image.load()
            source_format = image.format
            image.thumbnail((size, size))
            buffer = io.BytesIO()
            image.save(buffer, format=source_format)
    try:
        stored = uploads.file_save(
            wanted, ContentFile(buffer.getvalue()), storage=storage
        )
    except uploads.StorageFailed:
        # No room for the smaller copy: the stored avatar is one too (larger).
        return person.avatar.name
    if stored != wanted:
        # Another process drew it meanwhile: keep theirs.
        storage.delete(stored)
    return wanted


def _expertise_clean(names):
    """Expertise tags as written (case kept), within the limits."""
    return tag_names_clean(
        names, max_count=EXPERTISE_MAX_TAGS, max_length=EXPERTISE_TAG_MAX_LENGTH, lowercase=False
    )


def _field_clean(name, value, person):
    """Run a model field's own validators (max_length, choices) on `value`."""
    return User._meta.get_field(name).clean(value, person)


def profile_update(
    *,
    actor,
    display_name,
    bio,
    expertise,
    language,
    time_zone,
    avatar=None,
    remove_avatar=False,
):
    """Update the actor's own profile; unchanged fields are left alone.

    Who: any signed-in, active person, for their own profile. `expertise` is a list
    of tag names; `avatar` an uploaded file (checked by `avatar_prepare`);
    `remove_avatar` drops the current picture.
    Raises PermissionDenied for anonymous callers, RateLimited past the upload
    budget, and ValidationError keyed by field name for bad input or an avatar the
    storage cannot keep (disk full); on any error nothing changes. Emits
    `profile.updated` on `user:<id>` when something changed.
    """
    permissions.require_edit_profile(actor, actor)
    errors = {}
    values = {}
    for field, value in (
        ("display_name", (display_name or "").strip()),
        ("bio", (bio or "").strip()),
        ("language", language),
    ):
        try:
            values[field] = _field_clean(field, value, actor)
        except ValidationError as error:
            errors[field] = error
    # TextField's max_length only sizes the form widget; enforce it here.
    bio_max = User._meta.get_field("bio").max_length
    if len(values.get("bio", "")) > bio_max:
        errors["bio"] = ValidationError(
            _("Keep the bio under %(count)d characters.") % {"count": bio_max},
            code="max_length",
        )
    if not values.get("language") and "language" not in errors:
        errors["language"] = ValidationError(_("Choose a language."), code="required")
    if not _is_time_zone(time_zone or ""):
        errors["time_zone"] = ValidationError(
            _("Choose a time zone from the list."), code="invalid_choice"
        )
    else:
        values["time_zone"] = time_zone
    try:
        expertise = _expertise_clean(expertise or [])
    except ValidationError as error:
        errors["expertise"] = error
    new_avatar = None
    if avatar is not None and not errors:
        rate_limit_hit(actor, "upload")
        try:
            new_avatar = avatar_prepare(avatar)
        except ValidationError as error:
            errors["avatar"] = error
    if errors:
        raise ValidationError(errors)

    changed = [
        field for field, value in values.items() if getattr(actor, field) != value
    ]
    old_expertise = sorted(actor.expertise.names())
    if sorted(expertise) != old_expertise:
        changed.append("expertise")
    old_avatar_name = actor.avatar.name if actor.avatar else ""
    if new_avatar is not None or (remove_avatar and old_avatar_name):
        changed.append("avatar")
    if not changed:
        return actor

    storage = actor.avatar.storage
    stored_name = ""
    if new_avatar is not None:
        try:
            stored_name = uploads.file_save(
                actor.avatar.field.generate_filename(actor, "avatar"),
                new_avatar,
                storage=storage,
            )
        except uploads.StorageFailed as error:
            # Nothing was kept; the profile (and its current picture) stays as is.
            raise ValidationError({"avatar": error}) from error
    try:
        with transaction.atomic():
            for field, value in values.items():
                setattr(actor, field, value)
            if new_avatar is not None:
                actor.avatar.name = stored_name
            elif remove_avatar:
                actor.avatar.name = ""
            actor.save(update_fields=[*values, "avatar"])
            if "expertise" in changed:
                actor.expertise.set(expertise, clear=True)
            event_record(
                stream=stream_name("user", actor.pk),
                type="profile.updated",
                payload=payloads.profile_data(actor, changed),
                actor=actor,
            )
            if old_avatar_name and "avatar" in changed:
                transaction.on_commit(
                    lambda: _avatar_files_delete(storage, old_avatar_name), robust=True
                )
    except Exception:
        if stored_name:
            storage.delete(stored_name)
        actor.refresh_from_db()
        raise
    return actor


def user_set_language(*, actor, language):
    """Remember the actor's interface language (one of settings.LANGUAGES).

    Who: any signed-in person, for themselves. Raises PermissionDenied for anonymous
    callers and ValidationError for an unknown language. Emits `profile.updated` on
    `user:<id>` when the choice changed.
    """
    permissions.require_save_language(actor)
    if language not in dict(settings.LANGUAGES):
        raise ValidationError(_("Choose a language from the list."), code="language")
    if actor.language == language:
        return actor
    with transaction.atomic():
        actor.language = language
        actor.save(update_fields=["language"])
        event_record(
            stream=stream_name("user", actor.pk),
            type="profile.updated",
            payload=payloads.profile_data(actor, ["language"]),
            actor=actor,
        )
    return actor


def sessions_end(*, user, session_key=None, keep_session_key=None):
    """Tell the user's live sockets that sessions ended, so they close at once.

    Ends the socket of one session (`session_key`, on logout) or of every session but
    `keep_session_key` (after a password change or reset). Called by the account
    signal receivers and by the admin when staff set someone's password; emits
    `session.ended` on `user:<id>`.
    """
    with transaction.atomic():
        session_ended_record(
            user=user, session_key=session_key, keep_session_key=keep_session_key
        )


def account_site_roles_changed(*, actor, person, changed):
    """Record that `actor` changed `person`'s site roles (`changed`: the names of the
    account's staff and superuser fields) in the admin, inside the admin's
    transaction: staff read every workspace and the review queue, so every live
    subscription of `person` is authorised again at once. Emits
    `account.roles_changed` on `user:<id>`."""
    event_record(
        stream=stream_name("user", person.pk),
        type="account.roles_changed",
        payload={"id": person.pk, "changed": sorted(changed)},
        actor=actor,
    )


def _account_set_active(actor, person, active):
    permissions.require_deactivate_account(actor, person)
    if person.is_active == active:
        return person
    with transaction.atomic():
        User.objects.filter(pk=person.pk).update(is_active=active)
        person.is_active = active
        event_record(
            stream=stream_name("user", person.pk),
            type="account.reactivated" if active else "account.deactivated",
            payload=payloads.user_brief(person),
            actor=actor,
        )
    if not active:
        sessions_end(user=person)
    return person


def account_deactivate(*, actor, person):
    """Close an account: the person can no longer sign in, and every open session and
    live socket of theirs ends at once. Their posts stay, under their name.

    Site staff only, never on their own account nor (unless superuser) on a superuser's
    (`permissions.can_deactivate_account`), else PermissionDenied. Emits
    `account.deactivated` and `session.ended` on `user:<id>`.
    """
    return _account_set_active(actor, person, False)


def account_reactivate(*, actor, person):
    """Open a closed account again (same rule as `account_deactivate`); emits
    `account.reactivated`."""
    return _account_set_active(actor, person, True)


# --- site-wide suspension by staff -----------------------------------------------------


def _sessions_delete(person):
    """Delete the stored sessions of `person` (database sessions: the only kind that
    can be listed). The backends refuse a suspended person's sessions anyway."""
    engine = settings.SESSION_ENGINE
    if engine not in (
        "django.contrib.sessions.backends.db",
        "django.contrib.sessions.backends.cached_db",
    ):
        return
    key = str(person.pk)
    stale = [
        session.session_key
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if session.get_decoded().get("_auth_user_id") == key
    ]
    if engine.endswith("cached_db"):
        store = import_module(engine).SessionStore
        for session_key in stale:
            store(session_key).delete()
    else:
        Session.objects.filter(session_key__in=stale).delete()


def account_suspend(*, actor, person, until, reason=""):
    """Suspend an account site-wide until `until`: every session of the person ends
    and their live sockets close at once; they cannot sign in before `until` (the
    login form says until when, in their language). Return the person.

    Site staff (`permissions.can_suspend_account`), else PermissionDenied.
    ValidationError when `until` is not in the future or the reason is too long.
    Writes a site-wide audit entry (no community); emits `account.suspended` and
    `session.ended` on `user:<id>`.
    """
    permissions.require_suspend_account(actor, person)
    if until is None or until <= timezone.now():
        raise ValidationError({"until": _("A suspension must end in the future.")})
    reason = " ".join((reason or "").split())
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError(
            {
                "reason": _("The reason is too long: at most %(limit)d characters.")
                % {"limit": REASON_MAX_LENGTH}
            }
        )
    with transaction.atomic():
        _suspension_write(
            actor=actor,
            person=person,
            until=until,
            action=AuditEntry.Action.ACCOUNT_SUSPENDED,
            event_type="account.suspended",
            reason=reason,
        )
        session_ended_record(user=person)
        _sessions_delete(person)
    return person


def account_unsuspend(*, actor, person, reason=""):
    """Lift a suspension at once (same rule as `account_suspend`); nothing when the
    account is not suspended. Writes a site-wide audit entry; emits
    `account.unsuspended`."""
    permissions.require_suspend_account(actor, person)
    if person.suspended_until is None:
        return person
    with transaction.atomic():
        _suspension_write(
            actor=actor,
            person=person,
            until=None,
            action=AuditEntry.Action.ACCOUNT_UNSUSPENDED,
            event_type="account.unsuspended",
            reason=reason,
        )
    return person


def _suspension_write(*, actor, person, until, action, event_type, reason):
    """Set when `person`'s suspension ends (None: not suspended), with its site-wide
    audit entry and the event on their stream; the caller holds the transaction."""
    User.objects.filter(pk=person.pk).update(suspended_until=until)
    person.suspended_until = until
    audit_record(
        actor=actor,
        community=None,
        action=action,
        member=person,
        reason=reason,
        until=until,
    )
    event_record(
        stream=stream_name("user", person.pk),
        type=event_type,
        payload=payloads.user_brief(person),
        actor=actor,
    )
