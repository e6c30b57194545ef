"""Forms for topic rooms: open a room, send a message, continue a message as a thread."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from ..services.rooms import ROOM_NAME_MAX_LENGTH, promotion_note_max_length
from ..services.threads import thread_title_max_length
from .attachments import WithAttachmentsMixin
from .limits import LengthCounterMixin
from .threads import MARKDOWN_HELP


class RoomForm(LengthCounterMixin, forms.Form):
    # The service checks the length (and uniqueness) with its own messages.
    name = forms.CharField(
        label=_("Room name"),
        help_text=_("Short and clear, for example: introductions, events, hydrogen."),
    )

    def length_limits(self):
        return {"name": ROOM_NAME_MAX_LENGTH}


class RoomMessageForm(LengthCounterMixin, WithAttachmentsMixin, forms.Form):
    body = forms.CharField(
        label=_("Message"),
        strip=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    # A fresh id per rendered form: sending it twice stores one message.
    client_id = forms.UUIDField(required=False, widget=forms.HiddenInput)

    def length_limits(self):
        return {"body": settings.POST_BODY_MAX_LENGTH}


class PromoteForm(LengthCounterMixin, forms.Form):
    """Title and note of the thread that continues the room message `post`."""

    title = forms.CharField(label=_("Thread title"))
    body = forms.CharField(
        label=_("Add a few words (optional)"),
        required=False,
        strip=False,
        help_text=MARKDOWN_HELP,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, post, **kwargs):
        self.post = post
        super().__init__(*args, **kwargs)

    def length_limits(self):
        return {
            "title": thread_title_max_length(),
            "body": promotion_note_max_length(self.post),
        }
