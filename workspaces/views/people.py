"""Views for the people of a workspace: partners, participants, invitations (sent,
answered, consented to by the invited organisation), leaving."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import permissions
from ..forms.workspaces import InvitationForm, PartnerRoleForm, RoleForm
from ..models import Participant, Partner
from ..queries import workspaces as queries
from ..services import people as services
from .common import flash_errors, form_add_errors, workspace_context, workspace_view

__all__ = ["urlpatterns"]


def _people_url(workspace):
    return reverse("workspaces:people", args=[workspace.pk])


@workspace_view
def people(request, workspace):
    return _people_page(request, workspace)


def _people_page(request, workspace, invitation_form=None):
    user = request.user
    participants = queries.participants(workspace)
    for participant in participants:
        participant.workspace = workspace
        participant.can_change = permissions.can_change_participant(
            user, participant
        ) or permissions.can_change_own_role(user, participant)
        participant.can_remove = permissions.can_change_participant(user, participant)
        participant.is_me = participant.user_id == user.pk
    can_manage = permissions.can_manage_workspace(user, workspace)
    context = workspace_context(
        request,
        workspace,
        "people",
        partners=queries.partners(workspace),
        participants=participants,
        invitations=queries.pending_invitations(workspace) if can_manage else [],
        invitation_form=invitation_form or (InvitationForm() if can_manage else None),
        role_choices=Participant.Role.choices,
        partner_role_choices=Partner.Role.choices,
        can_leave=permissions.can_leave_workspace(user, workspace),
        must_name_lead=permissions.must_name_lead_before_leaving(user, workspace),
    )
    return render(request, "workspaces/people_list.html", context)


@require_POST
@workspace_view
def invitation_create(request, workspace):
    form = InvitationForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            invitation = services.invitation_create(
                actor=request.user,
                workspace=workspace,
                who=data["who"],
                organisation_name=data["organisation"],
                role=data["role"],
                partner_role=data["partner_role"],
                message=data["message"],
                site_url=request.build_absolute_uri("/"),
            )
        except ValidationError as error:
            form_add_errors(form, error)
        else:
            messages.success(
                request,
                _("Invitation sent to %(who)s.")
                % {
                    "who": invitation.invitee.name
                    if invitation.invitee
                    else invitation.email
                },
            )
            return redirect(_people_url(workspace))
    response = _people_page(request, workspace, invitation_form=form)
    response.status_code = 400
    return response


def _participant_action(request, workspace, participant_id, act):
    participant = permissions.access_participant(
        request.user, workspace, participant_id
    )
    try:
        act(workspace, participant)
    except ValidationError as error:
        flash_errors(request, error)
    return redirect(_people_url(workspace))


@require_POST
@workspace_view
def participant_role(request, workspace, participant_id):
    form = RoleForm(request.POST)

    def act(workspace, participant):
        if not form.is_valid():
            raise ValidationError(_("Choose lead, member or guest."))
        services.participant_set_role(
            actor=request.user, participant=participant, role=form.cleaned_data["role"]
        )
        messages.success(
            request,
            _("%(name)s is now %(role)s.")
            % {
                "name": participant.user.name,
                "role": Participant.Role(form.cleaned_data["role"]).label.lower(),
            },
        )

    return _participant_action(request, workspace, participant_id, act)


@require_POST
@workspace_view
def participant_remove(request, workspace, participant_id):
    def act(workspace, participant):
        services.participant_remove(actor=request.user, participant=participant)
        messages.success(
            request,
            _("%(name)s no longer takes part in the workspace.")
            % {"name": participant.user.name},
        )

    return _participant_action(request, workspace, participant_id, act)


@require_POST
@workspace_view
def participant_leave(request, workspace):
    try:
        services.participant_leave(actor=request.user, workspace=workspace)
    except ValidationError as error:
        flash_errors(request, error)
        return redirect(_people_url(workspace))
    messages.success(request, _("You left %(name)s.") % {"name": workspace.name})
    return redirect("workspaces:workspace-list")


@require_POST
@workspace_view
def partner_role(request, workspace, partner_id):
    partner = permissions.access_partner(request.user, workspace, partner_id)
    form = PartnerRoleForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Choose lead partner, partner or advisor."))
        services.partner_set_role(
            actor=request.user, partner=partner, role=form.cleaned_data["role"]
        )
    except ValidationError as error:
        flash_errors(request, error)
    else:
        messages.success(
            request,
            _("%(organisation)s is now %(role)s.")
            % {
                "organisation": partner.organisation.name,
                "role": Partner.Role(form.cleaned_data["role"]).label.lower(),
            },
        )
    return redirect(_people_url(workspace))


@require_POST
@workspace_view
def invitation_revoke(request, workspace, invitation_id):
    invitation = permissions.access_invitation(request.user, workspace, invitation_id)
    try:
        services.invitation_revoke(actor=request.user, invitation=invitation)
    except ValidationError as error:
        flash_errors(request, error)
    else:
        messages.success(
            request, _("The invitation is revoked: its link no longer works.")
        )
    return redirect(_people_url(workspace))


# --- the invitation's own page (its signed link) ---------------------------------------


@login_required
def invitation_list(request):
    """Invitations for me, and those waiting for my organisation's consent."""
    context = queries.consent_requests(request.user)
    for invitation in context["mine"] + context["for_organisation"]:
        invitation.token = services.invitation_token(invitation)
    return render(request, "workspaces/invitation_list.html", context)


def _invitation(request, token):
    try:
        return services.invitation_from_token(token), None
    except ValidationError as error:
        return None, error


def invitation_detail(request, token):
    """The page the link opens: accept or decline (the invitee), accept or refuse
    for the organisation (its admins). Visitors log in first."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    invitation, error = _invitation(request, token)
    user = request.user
    if invitation is None:
        return render(
            request,
            "workspaces/invitation_detail.html",
            {"problem": " ".join(error.messages)},
            status=410 if error.code == "expired" else 404,
        )
    may_answer = permissions.can_answer_invitation(user, invitation)
    may_consent = permissions.can_consent_for_organisation(user, invitation)
    is_participant = permissions.is_participant(user, invitation.workspace)
    if not (may_answer or may_consent or is_participant):
        # Someone else's link, or one that is over: say which without naming the
        # workspace (the link may have been forwarded).
        problem = _invitation_problem(user, invitation)
        return render(
            request,
            "workspaces/invitation_detail.html",
            {"problem": problem},
            status=410 if problem != str(_wrong_person()) else 403,
        )
    return render(
        request,
        "workspaces/invitation_detail.html",
        {
            "invitation": invitation,
            "token": token,
            "may_answer": may_answer,
            "may_consent": may_consent,
            "is_participant": is_participant,
            "needs_consent": permissions.needs_organisation_consent(invitation),
            "is_member_of_organisation": permissions.is_organisation_member(
                user, invitation.organisation
            ),
        },
    )


def _wrong_person():
    return _(
        "This invitation was sent to someone else. Log in with the invited account."
    )


def _invitation_problem(user, invitation):
    if invitation.state == invitation.State.REVOKED:
        return _("This invitation was revoked.")
    if invitation.state != invitation.State.PENDING:
        return _("This invitation is no longer open.")
    if invitation.workspace.is_archived:
        return str(permissions.ARCHIVED_REFUSAL)
    if not permissions.is_invitee(user, invitation):
        return _wrong_person()
    return _("This invitation has expired.")


def _answer(request, token, act):
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("workspaces:invitation-detail", args=[token]))
    invitation, error = _invitation(request, token)
    if invitation is None:
        flash_errors(request, error)
        return redirect("workspaces:invitation-list")
    try:
        return act(invitation)
    except ValidationError as error:
        flash_errors(request, error)
    except PermissionDenied as error:
        messages.error(request, str(error))
    return redirect("workspaces:invitation-detail", token)


@require_POST
def invitation_accept(request, token):
    def act(invitation):
        participant = services.invitation_accept(
            actor=request.user, invitation=invitation
        )
        if participant is None:
            messages.success(
                request,
                _(
                    "You accepted. An administrator of %(organisation)s must now "
                    "accept for the organisation: you will join then."
                )
                % {"organisation": invitation.organisation.name},
            )
            return redirect("workspaces:invitation-list")
        messages.success(
            request, _("Welcome to %(name)s.") % {"name": invitation.workspace.name}
        )
        return redirect(invitation.workspace)

    return _answer(request, token, act)


@require_POST
def invitation_consent(request, token):
    def act(invitation):
        participant = services.invitation_consent(
            actor=request.user, invitation=invitation
        )
        if participant is None:
            messages.success(
                request,
                _(
                    "You accepted for %(organisation)s. The invitee joins as soon as "
                    "they accept too."
                )
                % {"organisation": invitation.organisation.name},
            )
        else:
            messages.success(
                request,
                _("%(organisation)s is now a partner of %(name)s.")
                % {
                    "organisation": invitation.organisation.name,
                    "name": invitation.workspace.name,
                },
            )
        return redirect("workspaces:invitation-list")

    return _answer(request, token, act)


@require_POST
def invitation_decline(request, token):
    def act(invitation):
        services.invitation_decline(actor=request.user, invitation=invitation)
        messages.success(request, _("The invitation is declined."))
        return redirect("workspaces:invitation-list")

    return _answer(request, token, act)


urlpatterns = [
    path("invitations/", invitation_list, name="invitation-list"),
    path("invitations/<str:token>/", invitation_detail, name="invitation-detail"),
    path(
        "invitations/<str:token>/accept/", invitation_accept, name="invitation-accept"
    ),
    path(
        "invitations/<str:token>/consent/",
        invitation_consent,
        name="invitation-consent",
    ),
    path(
        "invitations/<str:token>/decline/",
        invitation_decline,
        name="invitation-decline",
    ),
    path("<int:workspace_id>/people/", people, name="people"),
    path(
        "<int:workspace_id>/people/invite/", invitation_create, name="invitation-create"
    ),
    path(
        "<int:workspace_id>/people/leave/", participant_leave, name="participant-leave"
    ),
    path(
        "<int:workspace_id>/people/<int:participant_id>/role/",
        participant_role,
        name="participant-role",
    ),
    path(
        "<int:workspace_id>/people/<int:participant_id>/remove/",
        participant_remove,
        name="participant-remove",
    ),
    path(
        "<int:workspace_id>/partners/<int:partner_id>/role/",
        partner_role,
        name="partner-role",
    ),
    path(
        "<int:workspace_id>/invitations/<int:invitation_id>/revoke/",
        invitation_revoke,
        name="invitation-revoke",
    ),
]
