"""The innovation desk's forms: refusal, introductions, funding calls and their filters."""

from django import forms
from django.utils.translation import gettext_lazy as _

from community.models import Organisation

from ..models import FundingCall, Introduction, Sector


class RefusalForm(forms.Form):
    reason = forms.CharField(
        label=_("Why it goes back to draft"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        required=True,
        error_messages={"required": _("Say why it is refused: the firm reads it.")},
        help_text=_("The firm reads this on its draft page and in a notification."),
    )


class IntroductionForm(forms.Form):
    first = forms.CharField(label=_("First person (username)"), max_length=150)
    second = forms.CharField(label=_("Second person (username)"), max_length=150)
    message = forms.CharField(
        label=_("Why they should meet"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=Introduction._meta.get_field("message").max_length,
    )


class FundingCallForm(forms.ModelForm):
    link = forms.URLField(label=_("Link"), max_length=500, assume_scheme="https")
    tags = forms.CharField(
        label=_("Tags"),
        required=False,
        max_length=500,
        help_text=_("Separated by commas."),
    )

    class Meta:
        model = FundingCall
        fields = ("title", "body", "deadline", "eligible_kinds", "sectors", "link")
        widgets = {
            "deadline": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "body": forms.Textarea(attrs={"rows": 10}),
        }
        help_texts = {"body": _("Markdown: **bold**, lists, links.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["tags"] = ", ".join(t.name for t in self.instance.tags.all())

    def clean_tags(self):
        names = [n.strip() for n in self.cleaned_data["tags"].split(",")]
        names = [n[:100] for n in names if n]
        if len(names) > 12:
            raise forms.ValidationError(_("At most 12 tags."))
        return names


class FundingCallFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Eligible organisations"),
        required=False,
        choices=[("", _("Any"))] + list(Organisation.Kind.choices),
    )
    sector = forms.ChoiceField(
        label=_("Sector"),
        required=False,
        choices=[("", _("Any"))] + list(Sector.choices),
    )
