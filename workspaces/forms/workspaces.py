"""Forms for workspaces and their people; the services re-check every rule."""

from django import forms
from django.utils.translation import gettext_lazy as _

from community.forms.limits import LengthCounterMixin

from ..models import Participant, Partner, Workspace

__all__ = [
    "InvitationForm",
    "PartnerRoleForm",
    "RoleForm",
    "StageForm",
    "WorkspaceForm",
]


class WorkspaceForm(LengthCounterMixin, forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=Workspace._meta.get_field("name").max_length,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=Workspace._meta.get_field("description").max_length,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What the partners want to achieve together."),
    )
    collaboration_type = forms.ChoiceField(
        label=_("Type of collaboration"), choices=Workspace.CollaborationType.choices
    )
    stage = forms.ChoiceField(
        label=_("Stage"),
        choices=Workspace.Stage.choices,
        initial=Workspace.Stage.EXPLORATION,
    )


class StageForm(forms.Form):
    stage = forms.ChoiceField(label=_("Stage"), choices=Workspace.Stage.choices)


class InvitationForm(LengthCounterMixin, forms.Form):
    who = forms.CharField(
        label=_("Username or e-mail address"),
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    organisation = forms.CharField(
        label=_("On behalf of the organisation"),
        required=False,
        max_length=160,
        help_text=_(
            "Its name on Crocevia. Leave empty to use the organisation of the person "
            "invited by username."
        ),
    )
    role = forms.ChoiceField(
        label=_("Role"),
        choices=Participant.Role.choices,
        initial=Participant.Role.MEMBER,
    )
    partner_role = forms.ChoiceField(
        label=_("The organisation's role, if it is a new partner"),
        choices=Partner.Role.choices,
        initial=Partner.Role.PARTNER,
    )
    message = forms.CharField(
        label=_("Message"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Participant.Role.choices)


class PartnerRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Partner.Role.choices)
