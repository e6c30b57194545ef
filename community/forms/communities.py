"""Forms for communities and memberships; the services re-check every rule."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from ..models import Community, Membership
from ..services.communities import clean_themes
from ..services.memberships import REQUEST_MESSAGE_MAX_LENGTH
from .limits import LengthCounterMixin

__all__ = [
    "CommunityForm",
    "DecisionForm",
    "DirectoryFilterForm",
    "InviteForm",
    "JoinRequestForm",
    "RoleForm",
    "TransferForm",
]


class CommunityForm(LengthCounterMixin, forms.Form):
    """Name, description, themes and visibility (create and settings pages)."""

    name = forms.CharField(
        label=_("Name"),
        max_length=Community._meta.get_field("name").max_length,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=Community._meta.get_field("description").max_length,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What the community is about and who should join."),
    )
    themes = forms.CharField(
        label=_("Themes"),
        required=False,
        max_length=400,
        help_text=_("Comma-separated, for example: robotica, industria 4.0, IoT."),
    )
    visibility = forms.ChoiceField(
        label=_("Visibility"),
        choices=Community.Visibility.choices,
        initial=Community.Visibility.PUBLIC,
        widget=forms.RadioSelect,
    )

    def clean_themes(self):
        try:
            return clean_themes(self.cleaned_data["themes"])
        except ValidationError as exc:
            raise ValidationError(exc.message_dict["themes"]) from exc

    @classmethod
    def for_community(cls, community, data=None):
        """The form filled with a community's current settings."""
        initial = {
            "name": community.name,
            "description": community.description,
            "themes": ", ".join(sorted(community.themes.names())),
            "visibility": community.visibility,
        }
        return cls(data=data, initial=initial)


class DirectoryFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("Name or description")}
        ),
    )
    tag = forms.SlugField(
        label=_("Theme"), required=False, max_length=100, allow_unicode=True
    )


class JoinRequestForm(LengthCounterMixin, forms.Form):
    # The join view uses the message only when the form is valid: the service checks
    # its length, so that an over-long message is refused, not dropped.
    message = forms.CharField(
        label=_("Message to the moderators (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def length_limits(self):
        return {"message": REQUEST_MESSAGE_MAX_LENGTH}


class InviteForm(LengthCounterMixin, forms.Form):
    who = forms.CharField(
        label=_("Username or email address"),
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    message = forms.CharField(
        label=_("Personal note (optional)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("approve", _("Approve")), ("decline", _("Decline"))]
    )


class RoleForm(forms.Form):
    role = forms.ChoiceField(
        choices=[
            (Membership.Role.MODERATOR, Membership.Role.MODERATOR.label),
            (Membership.Role.MEMBER, Membership.Role.MEMBER.label),
        ]
    )


class TransferForm(LengthCounterMixin, forms.Form):
    username = forms.CharField(label=_("New owner's username"), max_length=150)
