"""Forms for workspace documents: upload, new version, filters, comment; the
services check every file and rule again."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from community.forms.limits import LengthCounterMixin

from ..models import Document, DocumentVersion

__all__ = [
    "DocumentCommentForm",
    "DocumentFilterForm",
    "DocumentUploadForm",
    "DocumentVersionForm",
]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one input (Django's documented recipe)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


class DocumentUploadForm(LengthCounterMixin, forms.Form):
    files = MultipleFileField(
        label=_("Files"),
        help_text=_(
            "One or several files. Accepted: PDF, Word, Excel and PowerPoint, "
            "OpenDocument, PNG, JPEG and WebP images, plain text, CSV, Markdown and "
            "ZIP archives."
        ),
        error_messages={"required": _("Choose a file to upload.")},
    )
    title = forms.CharField(
        label=_("Title"),
        required=False,
        max_length=Document._meta.get_field("title").max_length,
        help_text=_(
            "Optional: the file name is used when empty. With several files, each "
            "title starts with it."
        ),
    )
    category = forms.ChoiceField(
        label=_("Category"),
        choices=Document.Category.choices,
        initial=Document.Category.OTHER,
    )
    # Set by the page's script when it sends several files one request each.
    in_batch = forms.BooleanField(required=False, widget=forms.HiddenInput)
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=DocumentVersion._meta.get_field("note").max_length,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class DocumentVersionForm(LengthCounterMixin, forms.Form):
    file = forms.FileField(
        label=_("New version"),
        error_messages={"required": _("Choose a file to upload.")},
    )
    note = forms.CharField(
        label=_("What changed"),
        required=False,
        max_length=DocumentVersion._meta.get_field("note").max_length,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class DocumentFilterForm(LengthCounterMixin, forms.Form):
    q = forms.CharField(label=_("Search titles"), required=False, max_length=100)
    category = forms.ChoiceField(
        label=_("Category"),
        required=False,
        choices=[("", _("All categories")), *Document.Category.choices],
    )


class DocumentCommentForm(LengthCounterMixin, forms.Form):
    body = forms.CharField(
        label=_("Comment"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Write something first.")},
    )

    def length_limits(self):
        return {"body": settings.POST_BODY_MAX_LENGTH}
