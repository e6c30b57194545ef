"""Forms for topic rooms: open a room, send a message, continue a message as a thread."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from ..services.rooms import ROOM_NAME_MAX_LENGTH
from .threads import MARKDOWN_HELP


class RoomForm(forms.Form):
    name = forms.CharField(
        label=_("Room name"),
        # The service checks the length (and uniqueness) with its own messages.
        widget=forms.TextInput(attrs={"maxlength": ROOM_NAME_MAX_LENGTH}),
        help_text=_("Short and clear, for example: introductions, events, hydrogen."),
    )


class RoomMessageForm(forms.Form):
    body = forms.CharField(
        label=_("Message"),
        strip=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    # A fresh id per rendered form: sending it twice stores one message.
    client_id = forms.UUIDField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].widget.attrs["maxlength"] = settings.POST_BODY_MAX_LENGTH


class PromoteForm(forms.Form):
    title = forms.CharField(label=_("Thread title"))
    body = forms.CharField(
        label=_("Add a few words (optional)"),
        required=False,
        strip=False,
        help_text=MARKDOWN_HELP,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["title"].widget.attrs["maxlength"] = (
            settings.THREAD_TITLE_MAX_LENGTH
        )
