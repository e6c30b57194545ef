"""Forms for moderators' thread and room tools; the services check every rule again."""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from ..services.moderation import HIDE_REASON_MAX_LENGTH
from ..services.threads import thread_title_max_length
from .limits import LengthCounterMixin


class PostModerationForm(LengthCounterMixin, forms.Form):
    """Hide, show again or delete one post (`action`), with the reason its author
    reads."""

    ACTIONS = ("hide", "unhide", "remove")

    action = forms.ChoiceField(
        choices=[(name, name) for name in ACTIONS], widget=forms.HiddenInput
    )
    reason = forms.CharField(
        label=_("Reason (the author reads it)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def length_limits(self):
        return {"reason": HIDE_REASON_MAX_LENGTH}


class RenameForm(LengthCounterMixin, forms.Form):
    # Blank titles are refused by the service, in the words of the thread form.
    title = forms.CharField(label=_("New title"), required=False)

    def length_limits(self):
        return {"title": thread_title_max_length()}


class MoveForm(forms.Form):
    community = forms.ModelChoiceField(
        label=_("Move to"),
        queryset=None,
        empty_label=None,
        error_messages={"invalid_choice": _("Choose one of the communities listed.")},
    )

    def __init__(self, *args, communities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities


# "123", "#123" or a thread's address (…/t/123/…).
_THREAD_REFERENCE = re.compile(r"^#?(\d+)$|/t/(\d+)(?:/|$)")


class MergeForm(forms.Form):
    target = forms.CharField(
        label=_("Merge into the thread"),
        help_text=_("Paste the other thread's address, or its number."),
        max_length=500,
        widget=forms.TextInput(attrs={"list": "merge-candidates"}),
    )

    def clean_target(self):
        found = _THREAD_REFERENCE.search(self.cleaned_data["target"].strip())
        if found is None:
            raise ValidationError(
                _("Paste the address of a thread, such as …/t/42/, or its number.")
            )
        return int(found.group(1) or found.group(2))


class SplitForm(LengthCounterMixin, forms.Form):
    title = forms.CharField(label=_("Title of the new thread"))
    posts = forms.TypedMultipleChoiceField(
        coerce=int,
        error_messages={
            "required": _("Choose the posts to move to the new thread."),
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The posts are checked against the thread by the service.
        values = self.data.getlist("posts") if self.is_bound else []
        self.fields["posts"].choices = [
            (value, value) for value in values if value.isdigit()
        ]

    def length_limits(self):
        return {"title": thread_title_max_length()}
