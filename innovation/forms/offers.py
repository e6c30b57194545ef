"""Forms of technology offers, their list's filters and expressions of interest."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import CollaborationType, ExpressionOfInterest, Sector, TechnologyOffer

TRL_CHOICES = [(level, str(level)) for level in range(1, 10)]


class OfferForm(forms.ModelForm):
    """A draft offer's fields; tags as a comma-separated list."""

    collaboration_types = forms.MultipleChoiceField(
        label=_("Cooperation offered"),
        choices=CollaborationType.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    sectors = forms.MultipleChoiceField(
        label=_("Sectors"),
        choices=Sector.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    trl = forms.TypedChoiceField(
        label=_("Technology readiness level (TRL)"),
        choices=TRL_CHOICES,
        coerce=int,
        help_text=_(
            "1: basic principles observed … 9: proven in its operational setting."
        ),
    )
    tags = forms.CharField(
        label=_("Tags"),
        required=False,
        max_length=300,
        help_text=_("Separate tags with commas."),
    )

    class Meta:
        model = TechnologyOffer
        fields = [
            "title",
            "summary",
            "details",
            "trl",
            "ip_status",
            "patent_number",
            "licensing_terms",
            "collaboration_types",
            "sectors",
            "tags",
            "nda_text",
        ]
        labels = {
            "title": _("Title"),
            "summary": _("Non-confidential summary"),
            "details": _("Details"),
            "ip_status": _("IP status"),
            "patent_number": _("Patent or application number"),
            "licensing_terms": _("Licensing terms"),
            "nda_text": _("NDA text"),
        }
        help_texts = {
            "summary": _("Public: shown to everyone and in search."),
            "details": _("Shown only to organisations whose interest you accept."),
            "patent_number": _(
                "Required for a granted patent or a pending application."
            ),
            "nda_text": _(
                "The agreement people accept before they download your confidential "
                "documents."
            ),
        }
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 4}),
            "details": forms.Textarea(attrs={"rows": 8}),
            "licensing_terms": forms.Textarea(attrs={"rows": 3}),
            "nda_text": forms.Textarea(attrs={"rows": 6}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["tags"] = ", ".join(
                tag.name for tag in self.instance.tags.all()
            )

    def clean_tags(self):
        names = [name.strip() for name in self.cleaned_data["tags"].split(",")]
        return [name[:100] for name in names if name]


class OfferFilterForm(forms.Form):
    """The list's filters (all optional; invalid values are ignored)."""

    sector = forms.ChoiceField(
        label=_("Sector"), choices=[("", _("Any"))] + Sector.choices, required=False
    )
    trl_min = forms.TypedChoiceField(
        label=_("TRL from"), choices=[("", _("Any"))] + TRL_CHOICES, coerce=int,
        required=False, empty_value=None,
    )  # fmt: skip
    trl_max = forms.TypedChoiceField(
        label=_("TRL up to"), choices=[("", _("Any"))] + TRL_CHOICES, coerce=int,
        required=False, empty_value=None,
    )  # fmt: skip
    ip_status = forms.ChoiceField(
        label=_("IP status"),
        choices=[("", _("Any"))] + TechnologyOffer.IpStatus.choices,
        required=False,
    )
    cooperation = forms.ChoiceField(
        label=_("Cooperation"),
        choices=[("", _("Any"))] + CollaborationType.choices,
        required=False,
    )
    tag = forms.CharField(label=_("Tag"), required=False, max_length=100)


class InterestForm(forms.ModelForm):
    """The three partnering questions and the cooperation proposed."""

    class Meta:
        model = ExpressionOfInterest
        fields = ["who_we_are", "intended_use", "cooperation", "collaboration_type"]
        labels = {
            "who_we_are": _("Who you are"),
            "intended_use": _("What you want to do with it"),
            "cooperation": _("What cooperation you propose"),
            "collaboration_type": _("Cooperation type"),
        }
        widgets = {
            "who_we_are": forms.Textarea(attrs={"rows": 3}),
            "intended_use": forms.Textarea(attrs={"rows": 3}),
            "cooperation": forms.Textarea(attrs={"rows": 3}),
        }


class DecisionForm(forms.Form):
    """The owner's decision on an interest, with its message."""

    action = forms.ChoiceField(
        choices=[("review", "review"), ("decline", "decline"), ("accept", "accept")],
        widget=forms.HiddenInput,
    )
    message = forms.CharField(
        label=_("Message to the organisation"),
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
