"""Views for communities: directory, community page, settings, members and requests."""

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import panels, permissions
from ..forms.communities import (
    CommunityForm,
    DecisionForm,
    DirectoryFilterForm,
    InviteForm,
    JoinRequestForm,
    RoleForm,
    TransferForm,
)
from ..models import Membership, Thread
from ..queries import communities as community_queries
from ..queries import rooms, thread_lists
from ..queries import unread as unread_queries
from ..ratelimit import RateLimited
from ..services import communities as community_services
from ..services import memberships
from .feedback import flash_errors, redirect_back, safe_next, too_many

State = Membership.State

MEMBERS_PER_PAGE = 50
REQUESTS_PER_PAGE = 50


# --- helpers ---------------------------------------------------------------------------


def _page(request, items, per_page):
    return Paginator(items, per_page).get_page(request.GET.get("page"))


def community_action(view):
    """Resolve `slug` (404 when missing or invisible) before asking visitors to log in.

    Strangers therefore get the same 404 for a private community as for a missing
    one, and visitors of a visible community are sent to the login page.
    """

    @wraps(view)
    def wrapper(request, slug, *args, **kwargs):
        community = permissions.access_community(request.user, slug)
        if not request.user.is_authenticated:
            target = (
                request.get_full_path()
                if request.method == "GET"
                else community.get_absolute_url()
            )
            return redirect_to_login(target)
        return view(request, community, *args, **kwargs)

    return wrapper


def _header_context(request, community, section):
    """The community header: who the viewer is here and which buttons they get."""
    user = request.user
    can_moderate = permissions.can_moderate_community(user, community)
    actions = {
        "can_read": permissions.can_read_community(user, community),
        "can_join": permissions.can_join_community(user, community),
        # Invitees get "accept" and "decline" instead.
        "is_invited": permissions.is_invited(user, community),
        "can_request": permissions.can_request_to_join(user, community),
        "can_cancel_request": permissions.can_cancel_request(user, community),
        "can_leave": permissions.can_leave_community(user, community),
        # The last owner must hand over first (the page says so instead).
        "is_last_owner": permissions.is_last_owner(user, community),
        "is_banned": permissions.is_banned(user, community),
        "can_create_thread": permissions.can_create_thread(user, community),
        "can_edit": permissions.can_edit_community(user, community),
        "can_moderate": can_moderate,
        "can_invite": permissions.can_invite_to_community(user, community),
        "can_see_members": permissions.can_see_members(user, community),
        "needs_login": not user.is_authenticated,
        "needs_verification": permissions.needs_verification(user),
        "pending_requests": (
            community_queries.pending_request_count(community) if can_moderate else 0
        ),
    }
    membership = permissions.membership_of(user, community)
    return {
        "community": community,
        "section": section,
        "membership": membership,
        # Members choose how they follow it and mark it read.
        "level_selector": (
            unread_queries.level_selector("community", membership.level)
            if permissions.can_set_community_level(user, community)
            else None
        ),
        "actions": actions,
        "nav_section": "communities",
    }


# --- directory and community page ------------------------------------------------------


def community_list(request):
    """The directory: every community the viewer may know about, filterable."""
    form = DirectoryFilterForm(request.GET or None)
    q = tag = ""
    if form.is_valid():
        q, tag = form.cleaned_data["q"], form.cleaned_data["tag"]
    page_obj = _page(
        request,
        community_queries.community_directory(request.user, q=q, tag=tag),
        settings.DIRECTORY_PAGE_SIZE,
    )
    page_obj.object_list = community_queries.attach_viewer_memberships(
        request.user, page_obj.object_list
    )
    themes = community_queries.directory_themes(request.user)
    context = {
        "form": form,
        "q": q,
        "tag": tag,
        "tag_name": next((theme.name for theme in themes if theme.slug == tag), tag),
        "themes": themes,
        "page_obj": page_obj,
        "communities": page_obj.object_list,
        "can_create": permissions.can_create_community(request.user),
        "nav_section": "communities",
    }
    return render(request, "community/community_list.html", context)


def community_detail(request, slug):
    """A community's header and, for those who may read it, its discussion list."""
    community = permissions.access_community(request.user, slug)
    if permissions.is_direct(community):
        # A conversation is its room: participants go there, nobody else reads it.
        if not permissions.can_read_community(request.user, community):
            raise Http404("No such community.")
        room = Thread.objects.filter(community=community, kind=Thread.Kind.ROOM).first()
        if room is None:
            raise Http404("No such conversation.")
        return redirect(room)
    context = _header_context(request, community, "threads")
    if context["actions"]["can_read"]:
        tag = request.GET.get("tag", "").strip()
        page_obj = _page(
            request,
            community_queries.community_threads(request.user, community, tag=tag),
            settings.THREADS_PER_PAGE,
        )
        context.update(
            page_obj=page_obj,
            threads=thread_lists.participants_attach(page_obj.object_list),
            tag=tag,
        )
        context["rooms"] = rooms.community_rooms(request.user, community)
        context["panels"] = panels.community_panels(request, community)
    if context["actions"]["can_request"]:
        context["request_form"] = JoinRequestForm()
    return render(request, "community/community_detail.html", context)


# --- create and settings ---------------------------------------------------------------


@login_required
def community_create(request):
    """Create a community (verified users); the creator becomes its owner."""
    permissions.require_create_community(request.user)
    form = CommunityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            community = community_services.community_create(
                actor=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _("%(name)s is ready: start the first thread.")
                % {"name": community.name},
            )
            return redirect(community)
    context = {"form": form, "creating": True, "nav_section": "communities"}
    return render(request, "community/community_form.html", context)


@community_action
def community_edit(request, community):
    """The settings page (owners and staff): name, description, themes, visibility."""
    permissions.require_edit_community(request.user, community)
    form = CommunityForm.for_community(community, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            community = community_services.community_update(
                actor=request.user, community=community, **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The community settings were saved."))
            return redirect(community)
    context = _header_context(request, community, "settings")
    context.update(form=form, creating=False)
    return render(request, "community/community_form.html", context)


# --- joining and leaving ---------------------------------------------------------------


@require_POST
@community_action
def community_join(request, community):
    """Join a public community, ask to join a restricted one, or accept an invitation."""
    form = JoinRequestForm(request.POST)
    message = form.cleaned_data["message"] if form.is_valid() else ""
    was_invited = permissions.is_invited(request.user, community)
    try:
        membership = memberships.community_enter(
            actor=request.user, community=community, message=message
        )
    except RateLimited as exc:
        return too_many(request, exc, safe_next(request, community.get_absolute_url()))
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        if membership.state == State.PENDING:
            messages.success(
                request,
                _("Your request to join %(name)s was sent to its moderators.")
                % {"name": community.name},
            )
        elif was_invited:
            messages.success(
                request,
                _("You accepted the invitation: welcome to %(name)s!")
                % {"name": community.name},
            )
        else:
            messages.success(
                request, _("Welcome to %(name)s!") % {"name": community.name}
            )
    return redirect_back(request, community.get_absolute_url())


@require_POST
@community_action
def community_leave(request, community):
    """Leave, withdraw a pending request, or decline an invitation."""
    try:
        state = memberships.community_exit(actor=request.user, community=community)
    except ValidationError as exc:
        flash_errors(request, exc)
        return redirect(community)
    if state == State.PENDING:
        messages.success(request, _("Your request to join was withdrawn."))
    elif state == State.INVITED:
        messages.success(request, _("You declined the invitation."))
    else:
        messages.success(request, _("You left %(name)s.") % {"name": community.name})
    if not permissions.can_see_community(request.user, community):
        return redirect("community:community-list")
    return redirect(community)


# --- members, requests, invitations ----------------------------------------------------


def community_members(request, slug):
    """Active members with their roles; owners get role and transfer controls."""
    community = permissions.access_community(request.user, slug, action="read")
    permissions.require_see_members(request.user, community)
    role = request.GET.get("role", "")
    page_obj = _page(
        request, community_queries.community_members(community, role=role), MEMBERS_PER_PAGE
    )
    context = _header_context(request, community, "members")
    context.update(
        page_obj=page_obj,
        members=page_obj.object_list,
        role=role if role in Membership.Role.values else "",
        roles=Membership.Role.choices,
        can_manage_roles=permissions.can_manage_roles(request.user, community),
    )
    return render(request, "community/community_members.html", context)


@community_action
def community_requests(request, community):
    """The moderators' queue of pending requests to join."""
    permissions.require_see_join_requests(request.user, community)
    page_obj = _page(request, community_queries.join_requests(community), REQUESTS_PER_PAGE)
    context = _header_context(request, community, "requests")
    context.update(page_obj=page_obj, join_requests=page_obj.object_list)
    return render(request, "community/community_requests.html", context)


@require_POST
@community_action
def membership_decide(request, community, pk):
    """Approve or decline a request (or withdraw an invitation)."""
    permissions.require_decide_join_requests(request.user, community)
    membership = community_queries.community_membership(
        community, pk, states=[State.PENDING, State.INVITED]
    )
    default = reverse("community:community-requests", args=[community.slug])
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose approve or decline."))
        return redirect_back(request, default)
    name = membership.user.name
    try:
        if form.cleaned_data["decision"] == "approve":
            memberships.membership_approve(actor=request.user, membership=membership)
            messages.success(request, _("%(name)s is now a member.") % {"name": name})
        else:
            was_invited = membership.state == State.INVITED
            memberships.membership_decline(actor=request.user, membership=membership)
            if was_invited:
                message = _("The invitation to %(name)s was withdrawn.")
            else:
                message = _("The request of %(name)s was declined.")
            messages.success(request, message % {"name": name})
    except ValidationError as exc:
        flash_errors(request, exc)
    return redirect_back(request, default)


@community_action
def community_invite(request, community):
    """Invite existing users by username or email; lists invitations not answered."""
    permissions.require_invite_to_community(request.user, community)
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            membership = memberships.membership_invite(
                actor=request.user, community=community, **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _("%(name)s was invited.") % {"name": membership.user.name},
            )
            return redirect("community:community-invite", community.slug)
    page_obj = _page(request, community_queries.pending_invitations(community), REQUESTS_PER_PAGE)
    context = _header_context(request, community, "invite")
    context.update(form=form, page_obj=page_obj, invitations=page_obj.object_list)
    return render(request, "community/community_invite.html", context)


@require_POST
@community_action
def membership_role(request, community, pk):
    """Promote a member to moderator or demote a moderator (owners and staff)."""
    permissions.require_manage_roles(request.user, community)
    membership = community_queries.community_membership(community, pk, states=[State.ACTIVE])
    default = reverse("community:community-members", args=[community.slug])
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose moderator or member."))
        return redirect_back(request, default)
    try:
        membership = memberships.membership_set_role(
            actor=request.user, membership=membership, role=form.cleaned_data["role"]
        )
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        if membership.role == Membership.Role.MODERATOR:
            message = _("%(name)s is now a moderator.")
        else:
            message = _("%(name)s is no longer a moderator.")
        messages.success(request, message % {"name": membership.user.name})
    return redirect_back(request, default)


@require_POST
@community_action
def community_transfer(request, community):
    """Hand the community to another active member; the old owner stays a moderator."""
    permissions.require_transfer_ownership(request.user, community)
    default = reverse("community:community-members", args=[community.slug])
    form = TransferForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Name an active member of this community."))
        return redirect_back(request, default)
    try:
        membership = memberships.community_transfer_ownership(
            actor=request.user,
            community=community,
            username=form.cleaned_data["username"],
        )
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(
            request,
            _("%(name)s now owns %(community)s.")
            % {"name": membership.user.name, "community": community.name},
        )
    return redirect_back(request, default)


urlpatterns = [
    path("c/", community_list, name="community-list"),
    path("c/new/", community_create, name="community-create"),
    path("c/<slug:slug>/", community_detail, name="community-detail"),
    path("c/<slug:slug>/settings/", community_edit, name="community-edit"),
    path("c/<slug:slug>/join/", community_join, name="community-join"),
    path("c/<slug:slug>/leave/", community_leave, name="community-leave"),
    path("c/<slug:slug>/members/", community_members, name="community-members"),
    path(
        "c/<slug:slug>/members/<int:pk>/role/", membership_role, name="membership-role"
    ),
    path("c/<slug:slug>/requests/", community_requests, name="community-requests"),
    path(
        "c/<slug:slug>/requests/<int:pk>/", membership_decide, name="membership-decide"
    ),
    path("c/<slug:slug>/invite/", community_invite, name="community-invite"),
    path("c/<slug:slug>/transfer/", community_transfer, name="community-transfer"),
]
