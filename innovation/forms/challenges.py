"""Forms for challenges, their questions, proposals and their evaluation."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from workspaces.forms.documents import MultipleFileField

from ..models import Challenge, CollaborationType, Sector

__all__ = [
    "AnswerForm",
    "ChallengeFilterForm",
    "ChallengeForm",
    "NoteForm",
    "ProposalForm",
    "QuestionForm",
    "ScoreForm",
    "StepForm",
]

# "Cost | 3": a criterion and its weight (1 when left out).
_CRITERION = re.compile(r"^(?P<name>.+?)(?:\s*\|\s*(?P<weight>\d+))?\s*$")


class ChallengeForm(forms.ModelForm):
    tags = forms.CharField(
        label=_("Tags"),
        required=False,
        help_text=_("Keywords separated by commas."),
    )
    criteria = forms.CharField(
        label=_("Evaluation criteria"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "One criterion per line, optionally followed by “| weight” from 1 to 10, "
            "for example “Cost | 3”. You score proposals from 0 to 5 on each."
        ),
    )

    class Meta:
        model = Challenge
        fields = [
            "title",
            "summary",
            "details",
            "challenge_type",
            "collaboration_types",
            "sectors",
            "deadline",
            "award",
            "anonymous",
            "community",
            "nda_text",
        ]
        widgets = {
            "deadline": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "summary": forms.Textarea(attrs={"rows": 4}),
            "details": forms.Textarea(attrs={"rows": 8}),
            "nda_text": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "summary": _("Public: everyone reads it once the challenge is open."),
            "details": _("Read only by solvers whose proposal you shortlist."),
            "anonymous": _(
                "Your organisation is shown as a description (kind, sector, size, "
                "region) until you reveal it to a solver."
            ),
            "nda_text": _(
                "The agreement solvers accept before your confidential documents."
            ),
        }

    def __init__(self, *args, communities=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities
        self.fields["community"].required = False
        if self.instance.pk:
            self.fields["tags"].initial = ", ".join(
                sorted(tag.name for tag in self.instance.tags.all())
            )
            self.fields["criteria"].initial = "\n".join(
                f"{c.name} | {c.weight}" for c in self.instance.criteria.all()
            )

    def clean_tags(self):
        return [
            tag.strip() for tag in self.cleaned_data["tags"].split(",") if tag.strip()
        ]

    def clean_criteria(self):
        criteria = []
        for line in self.cleaned_data["criteria"].splitlines():
            line = line.strip()
            if not line:
                continue
            match = _CRITERION.match(line)
            criteria.append((match["name"], int(match["weight"] or 1)))
        return criteria


class ChallengeFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    sector = forms.ChoiceField(
        label=_("Sector"), required=False, choices=[("", _("Any"))] + Sector.choices
    )
    challenge_type = forms.ChoiceField(
        label=_("Type"),
        required=False,
        choices=[("", _("Any"))] + Challenge.Type.choices,
    )
    collaboration = forms.ChoiceField(
        label=_("Collaboration"),
        required=False,
        choices=[("", _("Any"))] + CollaborationType.choices,
    )
    tag = forms.CharField(label=_("Tag"), required=False)
    community = forms.ModelChoiceField(
        label=_("Community"),
        required=False,
        queryset=None,
        to_field_name="slug",
        empty_label=_("Any"),
    )

    def __init__(self, *args, communities, **kwargs):
        """`communities`: those the viewer may know of that hold an open challenge."""
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities

    def filters(self):
        """The valid filters (an invalid one is left out and shown with its error)."""
        keys = ("q", "sector", "challenge_type", "collaboration", "tag", "community")
        self.is_valid()
        cleaned = getattr(self, "cleaned_data", {})
        return {key: cleaned.get(key) or "" for key in keys}


class QuestionForm(forms.Form):
    question = forms.CharField(
        label=_("Your question"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Questions and answers are public; your name is shown."),
    )


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Answer"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )


class ProposalForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=160)
    summary = forms.CharField(
        label=_("Non-confidential summary"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("What you propose, without confidential information."),
    )
    attachments = MultipleFileField(
        label=_("Attachments"),
        required=False,
        help_text=_(
            "Up to five files (PDF, office documents, images, text, ZIP). Only the "
            "seeker and the innovation desk see them."
        ),
    )


class StepForm(forms.Form):
    message = forms.CharField(
        label=_("Message"),
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class NoteForm(forms.Form):
    body = forms.CharField(
        label=_("Private note"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ScoreForm(forms.Form):
    """One 0-5 field per criterion of the challenge (blank: not scored)."""

    def __init__(self, *args, criteria=(), scores=None, prefix=None, **kwargs):
        super().__init__(*args, prefix=prefix, **kwargs)
        scores = scores or {}
        self.criteria = list(criteria)
        for criterion in self.criteria:
            self.fields[f"c{criterion.pk}"] = forms.TypedChoiceField(
                label=_("%(name)s (weight %(weight)d)")
                % {"name": criterion.name, "weight": criterion.weight},
                required=False,
                coerce=int,
                empty_value=None,
                choices=[("", "–")] + [(n, str(n)) for n in range(6)],
                initial=scores.get(criterion.pk),
            )

    def scores(self):
        return {c.pk: self.cleaned_data.get(f"c{c.pk}") for c in self.criteria}
