"""Forms for accounts: sign-up (allauth's, with the display name) and the profile editor."""

from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.template.defaultfilters import filesizeformat
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from ..models import User
from ..services import accounts
from .limits import LengthCounterMixin

__all__ = ["ProfileForm", "SignupForm"]


class SignupForm(AllauthSignupForm):
    """allauth's sign-up form, asking first for the name other people will see."""

    # A validator, not max_length: the browser's maxlength would cut pasted text.
    display_name = forms.CharField(
        label=_("Display name"),
        validators=[
            MaxLengthValidator(User._meta.get_field("display_name").max_length)
        ],
        help_text=_("The name other people see, for example Giulia Rossi."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    field_order = ["display_name", "email", "username", "password1", "password2"]


class ProfileForm(LengthCounterMixin, forms.Form):
    """Profile fields as people type them; `accounts.profile_update` re-checks all."""

    display_name = forms.CharField(
        label=_("Display name"),
        max_length=User._meta.get_field("display_name").max_length,
        required=False,
        help_text=_("The name other people see. Leave empty to show your username."),
    )
    bio = forms.CharField(
        label=_("Bio"),
        max_length=User._meta.get_field("bio").max_length,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("A few lines about you and your work."),
    )
    avatar = forms.FileField(
        label=_("Avatar"),
        required=False,
        widget=forms.FileInput(attrs={"accept": ",".join(accounts.AVATAR_TYPES)}),
    )
    remove_avatar = forms.BooleanField(label=_("Remove my avatar"), required=False)
    expertise = forms.CharField(
        label=_("Expertise"),
        required=False,
        max_length=2000,
        help_text=_(
            "Separate areas with commas, e.g. robotics, additive manufacturing."
        ),
    )
    # Each language in its own name, so people find theirs whatever the page shows.
    language = forms.ChoiceField(
        label=_("Preferred language"),
        choices=[
            (User.Language.ITALIAN, "Italiano"),
            (User.Language.ENGLISH, "English"),
        ],
    )
    time_zone = forms.ChoiceField(label=_("Time zone"))

    def __init__(self, *args, person, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "display_name": person.display_name,
                "bio": person.bio,
                "expertise": ", ".join(sorted(person.expertise.names())),
                "language": person.language or _current_language(),
                "time_zone": person.time_zone,
            },
        )
        super().__init__(*args, **kwargs)
        names = accounts.time_zone_names()
        choices = [(name, name.replace("_", " ")) for name in names]
        if person.time_zone and person.time_zone not in names:
            choices.insert(0, (person.time_zone, person.time_zone))
        self.fields["time_zone"].choices = choices
        self.fields["avatar"].help_text = _(
            "JPEG, PNG, WebP or GIF, at most %(size)s and %(side)s × %(side)s pixels."
        ) % {
            "size": filesizeformat(settings.AVATAR_MAX_BYTES),
            "side": accounts.AVATAR_MAX_SIDE,
        }
        if not person.avatar:
            del self.fields["remove_avatar"]

    def clean_expertise(self):
        value = self.cleaned_data["expertise"]
        return [name.strip() for name in value.split(",") if name.strip()]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("avatar") and cleaned.get("remove_avatar"):
            self.add_error(
                "remove_avatar",
                _("Either upload a new avatar or remove the current one, not both."),
            )
        return cleaned


def _current_language():
    """The interface language in use, as one of the choices (for a first save)."""
    return "en" if (translation.get_language() or "").startswith("en") else "it"
