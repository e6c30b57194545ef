"""Views for accounts: profile pages, people's cards, the profile editor and avatar
images."""

import filetype
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import path
from django.utils import translation
from django.utils.cache import (
    get_conditional_response,
    patch_cache_control,
    patch_vary_headers,
)
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from .. import permissions
from ..forms.accounts import ProfileForm
from ..queries import accounts as account_queries
from ..services import accounts as account_services

# Avatars change rarely and their URL is stable: browsers reuse them for a few
# minutes, then revalidate cheaply with the ETag.
AVATAR_MAX_AGE = 300


@require_safe
def profile(request, username):
    """A person's public profile: who they are, their communities and recent posts."""
    person = permissions.access_user(request.user, username)
    context = {
        "person": person,
        "expertise": list(person.expertise.order_by("name")),
        "memberships": account_queries.profile_memberships(request.user, person),
        "recent_posts": account_queries.profile_recent_posts(request.user, person),
        "can_edit": permissions.can_edit_profile(request.user, person),
        "can_message": permissions.can_message_person(request.user, person),
        "can_block": permissions.can_block_person(request.user, person),
        "can_unblock": permissions.can_unblock_person(request.user, person),
    }
    return render(request, "community/profile_detail.html", context)


@require_safe
def person_card(request, username):
    """A person's card, the popover their name opens (static/js/person_card.js):
    avatar, name, organisation, "Send a message" where their profile offers it, and
    "View profile". Seen by whoever sees the profile. Asked for with
    `X-Requested-With: fetch`, it is JSON `{"html": ...}` like the other fragments;
    anything else goes to the profile."""
    person = permissions.access_user(request.user, username)
    if request.headers.get("X-Requested-With") != "fetch":
        response = redirect(person.get_absolute_url())
    else:
        context = {
            "person": person,
            "can_message": permissions.can_message_person(request.user, person),
        }
        html = render_to_string(
            "community/includes/person_card.html", context, request=request
        )
        response = JsonResponse({"html": html})
    patch_vary_headers(response, ["X-Requested-With"])
    return response


@login_required
@require_http_methods(["GET", "POST"])
def profile_edit(request):
    """Edit your own profile: name, bio, avatar, expertise, language, time zone."""
    person = request.user
    if request.method == "POST":
        form = ProfileForm(request.POST, request.FILES, person=person)
        if form.is_valid():
            data = form.cleaned_data
            try:
                account_services.profile_update(
                    actor=person,
                    display_name=data["display_name"],
                    bio=data["bio"],
                    expertise=data["expertise"],
                    language=data["language"],
                    time_zone=data["time_zone"],
                    avatar=data["avatar"],
                    remove_avatar=data.get("remove_avatar", False),
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                return _profile_saved(request, person)
    else:
        form = ProfileForm(person=person)
    return render(
        request, "community/profile_edit.html", {"form": form, "person": person}
    )


def _profile_saved(request, person):
    # Answer in the language just chosen, and keep it after logging out too.
    translation.activate(person.language)
    messages.success(request, _("Your profile has been saved."))
    response = redirect(person.get_absolute_url())
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        person.language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite="Lax",
    )
    return response


@require_safe
def avatar(request, username):
    """Stream a person's avatar from private storage, typed by its sniffed content."""
    person = permissions.access_user(request.user, username)
    if not person.avatar:
        raise Http404("No avatar.")
    etag = f'"{person.avatar_version}"'
    not_modified = get_conditional_response(request, etag=etag)
    if not_modified is not None:
        return _avatar_headers(not_modified, etag)
    try:
        handle = person.avatar.storage.open(person.avatar.name, "rb")
    except (FileNotFoundError, OSError):
        raise Http404("No avatar.") from None
    kind = filetype.guess(handle.read(261))
    handle.seek(0)
    if kind is None or kind.mime not in account_services.AVATAR_TYPES:
        handle.close()
        raise Http404("No avatar.")
    response = FileResponse(
        handle, content_type=kind.mime, filename=f"avatar.{kind.extension}"
    )
    return _avatar_headers(response, etag)


# A sized avatar's address names its version: a new picture is a new address, so
# what was fetched may be kept for good.
AVATAR_SIZED_MAX_AGE = 365 * 24 * 3600


@require_safe
def avatar_sized(request, username, size, version):
    """A person's avatar at `size` pixels (`account_services.AVATAR_SIZES`), drawn
    once and kept; cached by browsers and proxies for good (`immutable`), since the
    address changes with the picture. An old version's address moves to the current
    one; no avatar (or a size not offered) is 404 and pages show initials."""
    person = permissions.access_user(request.user, username)
    if not person.avatar or size not in account_services.AVATAR_SIZES:
        raise Http404("No avatar.")
    if version != person.avatar_version:
        response = redirect("community:avatar-sized", username, size, person.avatar_version)
        patch_cache_control(response, public=True, max_age=AVATAR_MAX_AGE)
        return response
    etag = f'"{version}-{size}"'
    not_modified = get_conditional_response(request, etag=etag)
    if not_modified is not None:
        return _sized_headers(not_modified, etag)
    try:
        name = account_services.avatar_sized(person, size)
        handle = person.avatar.storage.open(name, "rb")
    except (FileNotFoundError, OSError):
        raise Http404("No avatar.") from None
    kind = filetype.guess(handle.read(261))
    handle.seek(0)
    if kind is None or kind.mime not in account_services.AVATAR_TYPES:
        handle.close()
        raise Http404("No avatar.")
    response = FileResponse(
        handle, content_type=kind.mime, filename=f"avatar-{size}.{kind.extension}"
    )
    return _sized_headers(response, etag)


def _sized_headers(response, etag):
    response["ETag"] = etag
    response["X-Content-Type-Options"] = "nosniff"
    patch_cache_control(
        response, public=True, max_age=AVATAR_SIZED_MAX_AGE, immutable=True
    )
    return response


def _avatar_headers(response, etag):
    response["ETag"] = etag
    response["X-Content-Type-Options"] = "nosniff"
    patch_cache_control(response, public=True, max_age=AVATAR_MAX_AGE)
    return response


urlpatterns = [
    path("u/<str:username>/", profile, name="profile"),
    path("u/<str:username>/card/", person_card, name="person-card"),
    path("u/<str:username>/avatar/", avatar, name="avatar"),
    path(
        "u/<str:username>/avatar/<int:size>/<str:version>/",
        avatar_sized,
        name="avatar-sized",
    ),
    path("settings/profile/", profile_edit, name="profile-edit"),
]
