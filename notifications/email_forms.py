"""The e-mail settings form (account settings): which notifications are e-mailed at
once, and how often a digest comes."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .email_models import EmailPreference


class EmailPreferencesForm(forms.Form):
    mentions = forms.BooleanField(
        label=_("When someone mentions me"),
        required=False,
    )
    replies = forms.BooleanField(
        label=_("When someone replies to my thread or after my post"),
        required=False,
    )
    invitations = forms.BooleanField(
        label=_("When someone invites me to a community"),
        required=False,
    )
    innovation = forms.BooleanField(
        label=_(
            "About open innovation: expressions of interest, proposals, my offers "
            "expiring and the innovation desk"
        ),
        required=False,
    )
    digest = forms.ChoiceField(
        label=_("Digest of unread notifications"),
        choices=EmailPreference.Digest.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose how often to receive a digest."),
            "invalid_choice": _(
                "“%(value)s” is not a choice: pick no digest, daily or weekly."
            ),
        },
        help_text=_(
            "One e-mail listing your unread notifications since the previous one "
            "(nothing is sent when there are none)."
        ),
    )
