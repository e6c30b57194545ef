"""Forms of the funnel's figures and outcomes."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import Outcome


class OutcomeForm(forms.Form):
    result = forms.ChoiceField(
        label=_("How did it end?"), choices=Outcome.Result.choices, widget=forms.RadioSelect
    )
    value_band = forms.ChoiceField(
        label=_("Value of the agreement"),
        choices=Outcome.ValueBand.choices,
        required=False,
        help_text=_("Optional, and shown only as part of regional totals."),
    )


class PeriodForm(forms.Form):
    """The dashboard's period (read from the query string; a bad value means all)."""

    PERIODS = (
        ("", _("All time")),
        ("3", _("Last 3 months")),
        ("6", _("Last 6 months")),
        ("12", _("Last 12 months")),
        ("24", _("Last 24 months")),
    )
    months = forms.ChoiceField(label=_("Period"), choices=PERIODS, required=False)

    def months_back(self):
        if not self.is_valid() or not self.cleaned_data["months"]:
            return None
        return int(self.cleaned_data["months"])
