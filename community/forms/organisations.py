"""Forms for organisations: profile, directory filters and affiliation requests."""

from django import forms
from django.forms.models import fields_for_model, model_to_dict
from django.utils.translation import gettext_lazy as _

from ..models import Affiliation, Organisation
from .limits import LengthCounterMixin

PROFILE_FIELDS = (
    "name", "kind", "sector", "size", "city", "province", "region", "description"
)
_model_fields = fields_for_model(Organisation, fields=PROFILE_FIELDS)


def _tags_as_text(manager):
    return ", ".join(sorted((tag.name for tag in manager.all()), key=str.casefold))


class OrganisationForm(LengthCounterMixin, forms.Form):
    """Input for creating and editing an organisation; the services validate again."""

    name = _model_fields["name"]
    kind = _model_fields["kind"]
    sector = _model_fields["sector"]
    size = _model_fields["size"]
    city = _model_fields["city"]
    province = _model_fields["province"]
    region = _model_fields["region"]
    website = forms.URLField(
        label=_("Website"),
        required=False,
        max_length=Organisation._meta.get_field("website").max_length,
        assume_scheme="https",
        help_text=_("For example https://www.example.it"),
    )
    description = _model_fields["description"]
    competences = forms.CharField(
        label=_("Competences"),
        required=False,
        max_length=2000,
        help_text=_("What the organisation is good at, separated by commas."),
    )
    interests = forms.CharField(
        label=_("Interests"),
        required=False,
        max_length=2000,
        help_text=_("Topics it wants to collaborate on, separated by commas."),
    )

    @staticmethod
    def initial_for(organisation):
        """The form's initial data for an existing organisation."""
        initial = model_to_dict(organisation, fields=[*PROFILE_FIELDS, "website"])
        initial["competences"] = _tags_as_text(organisation.competences)
        initial["interests"] = _tags_as_text(organisation.interests)
        return initial


class OrganisationFilterForm(forms.Form):
    """The directory's filters (read from the query string; bad values are ignored)."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("Name or description")}
        ),
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        choices=[("", _("All kinds")), *Organisation.Kind.choices],
    )
    city = forms.CharField(label=_("City"), required=False, max_length=80)
    tag = forms.SlugField(
        label=_("Tag"),
        required=False,
        max_length=100,
        allow_unicode=True,
        widget=forms.HiddenInput,
    )

    def __init__(self, *args, cities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["city"].widget = forms.Select(
            choices=[("", _("All cities")), *((city, city) for city in cities)]
        )

    def filters(self):
        """The valid filters as keyword arguments for `organisation_directory`."""
        names = ("q", "kind", "tag", "city")
        if not self.is_bound:
            return dict.fromkeys(names, "")
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {name: (data.get(name) or "").strip() for name in names}


class AffiliationRequestForm(LengthCounterMixin, forms.Form):
    """An optional note for the organisation's admins."""

    message = forms.CharField(
        label=_("Message to the administrators (optional)"),
        required=False,
        max_length=Affiliation._meta.get_field("message").max_length,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
