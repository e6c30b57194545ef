"""Views for direct messages: the list of conversations, starting one (from the list,
a profile or an organisation), adding people, leaving, blocking and unblocking.

A conversation's page is the room page (`views.rooms.room_detail`), which names it
after its people."""

import re

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from .. import permissions
from ..models import User
from ..queries import direct as direct_queries
from ..ratelimit import RateLimited
from ..services import direct as direct_services
from .feedback import flash_errors, redirect_back, too_many


class PeopleForm(forms.Form):
    """Usernames, separated by commas or spaces (an "@" before each is fine)."""

    people = forms.CharField(
        label=gettext_lazy("People"),
        max_length=500,
        help_text=gettext_lazy(
            "Their usernames, separated by commas: up to nine people besides you."
        ),
    )

    def clean_people(self):
        names = [
            name.lstrip("@")
            for name in re.split(r"[\s,;]+", self.cleaned_data["people"])
            if name.strip("@")
        ]
        if not names:
            raise ValidationError(_("Name at least one person."))
        found = {
            person.username.lower(): person
            for person in User.objects.filter(is_active=True).filter(
                username__in=names
            )
        }
        # Usernames are matched as typed first, then case-insensitively.
        missing = [name for name in names if name.lower() not in found]
        if missing:
            for person in User.objects.filter(is_active=True).filter(
                username__iregex=r"^(" + "|".join(re.escape(n) for n in missing) + r")$"
            ):
                found[person.username.lower()] = person
        missing = [name for name in names if name.lower() not in found]
        if missing:
            raise ValidationError(
                _("Nobody has the username %(names)s.")
                % {"names": ", ".join(f"“{name}”" for name in missing)}
            )
        return list({found[name.lower()].pk: found[name.lower()] for name in names}.values())


def _opened(request, action, *, form=None, back):
    """Run `action()` (a service opening a conversation): to its room, or back with
    the refusal said; a page with the form when one was given."""
    try:
        room = action()
    except RateLimited as error:
        return too_many(request, error, back)
    except (ValidationError, PermissionDenied) as error:
        if form is not None and isinstance(error, ValidationError):
            messages_list = (
                error.message_dict.get("people", error.messages)
                if hasattr(error, "error_dict")
                else error.messages
            )
            form.add_error("people", messages_list)
            return None
        text = (
            str(error) if isinstance(error, PermissionDenied) else " ".join(error.messages)
        )
        messages.error(request, text)
        return redirect(back)
    return redirect(room)


def _list_page(request, form, status=200):
    rooms = direct_queries.conversations(request.user)
    return render(
        request,
        "community/direct_list.html",
        {
            "conversations": rooms,
            "form": form,
            "nav_section": "messages",
        },
        status=status,
    )


@login_required
def direct_list(request):
    """The person's conversations with unread counts, and a form to start one."""
    form = PeopleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        response = _opened(
            request,
            lambda: direct_services.direct_open(
                actor=request.user, people=form.cleaned_data["people"]
            ),
            form=form,
            back=reverse("community:direct-list"),
        )
        if response is not None:
            return response
    status = 400 if request.method == "POST" else 200
    return _list_page(request, form, status)


@login_required
@require_POST
def direct_with(request, username):
    """"Send a message" on a profile: to the conversation of two (opened if new)."""
    person = permissions.access_user(request.user, username)
    return _opened(
        request,
        lambda: direct_services.direct_open(actor=request.user, people=[person]),
        back=person.get_absolute_url(),
    )


@login_required
@require_POST
def organisation_contact(request, slug):
    """"Contact this organisation": a conversation with its admins."""
    organisation = permissions.access_organisation(request.user, slug)
    return _opened(
        request,
        lambda: direct_services.organisation_contact(
            actor=request.user, organisation=organisation
        ),
        back=organisation.get_absolute_url(),
    )


@login_required
@require_POST
def direct_add(request, pk):
    """Add people to a conversation (the form on its page)."""
    thread = permissions.access_conversation(request.user, pk)
    form = PeopleForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
        return redirect(thread)
    try:
        added = direct_services.direct_add(
            actor=request.user, community=thread.community, people=form.cleaned_data["people"]
        )
    except (ValidationError, PermissionDenied) as error:
        if isinstance(error, ValidationError):
            flash_errors(request, error)
        else:
            messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("Added to the conversation: %(names)s.")
            % {"names": ", ".join(person.name for person in added)},
        )
    return redirect(thread)


@login_required
@require_POST
def direct_leave(request, pk):
    """Leave a group conversation."""
    thread = permissions.access_conversation(request.user, pk)
    direct_services.direct_leave(actor=request.user, community=thread.community)
    messages.success(request, _("You left the conversation."))
    return redirect("community:direct-list")


@login_required
@require_POST
def person_block(request, username):
    """Block a person (profile page or conversation page)."""
    person = permissions.access_user(request.user, username)
    direct_services.person_block(actor=request.user, person=person)
    messages.success(
        request,
        _(
            "You blocked %(name)s: no messages between you, and your conversations "
            "with them are hidden until you unblock them."
        )
        % {"name": person.name},
    )
    return redirect_back(request, person.get_absolute_url())


@login_required
@require_POST
def person_unblock(request, username):
    """Lift a block (profile page)."""
    person = permissions.access_user(request.user, username)
    direct_services.person_unblock(actor=request.user, person=person)
    messages.success(request, _("You unblocked %(name)s.") % {"name": person.name})
    return redirect_back(request, person.get_absolute_url())


urlpatterns = [
    path("messages/", direct_list, name="direct-list"),
    path("messages/to/<str:username>/", direct_with, name="direct-with"),
    path("messages/<int:pk>/add/", direct_add, name="direct-add"),
    path("messages/<int:pk>/leave/", direct_leave, name="direct-leave"),
    path("u/<str:username>/block/", person_block, name="person-block"),
    path("u/<str:username>/unblock/", person_unblock, name="person-unblock"),
    path("o/<slug:slug>/contact/", organisation_contact, name="organisation-contact"),
]
