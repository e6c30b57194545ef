"""Forms of the moderator's pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import AuditEntry

__all__ = ["AuditFilterForm"]


class AuditFilterForm(forms.Form):
    """Filter the audit log by moderator, action and member concerned (GET)."""

    actor = forms.ModelChoiceField(
        label=_("Moderator"), queryset=None, required=False, empty_label=_("Anyone")
    )
    action = forms.ChoiceField(label=_("Action"), required=False)
    member = forms.ModelChoiceField(
        label=_("Member concerned"),
        queryset=None,
        required=False,
        empty_label=_("Anyone"),
    )

    def __init__(self, *args, actors, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["actor"].queryset = actors
        self.fields["member"].queryset = members
        self.fields["action"].choices = [
            ("", _("Any action")),
            *AuditEntry.Action.choices,
        ]
        for name in ("actor", "member"):
            self.fields[name].label_from_instance = lambda user: (
                f"{user.name} (@{user.username})"
            )
