"""Forms of the disclosure ladder: the NDA's click-through and a confidential upload."""

from django import forms
from django.utils.translation import gettext_lazy as _


class NdaForm(forms.Form):
    agree = forms.BooleanField(
        label=_("I accept this agreement on behalf of my organisation"),
        error_messages={"required": _("Tick the box to accept the agreement.")},
    )


class ConfidentialUploadForm(forms.Form):
    title = forms.CharField(label=_("Title"), required=False, max_length=200)
    file = forms.FileField(
        label=_("File"), error_messages={"required": _("Choose a file to upload.")}
    )
