"""The composer's attachments on the plain form: the ids of uploads sent with it."""

from django import forms
from django.utils.translation import gettext_lazy as _


class AttachmentIdsField(forms.Field):
    """The ids of the sender's pending uploads (hidden inputs the composer's script
    adds, `static/js/composer_attachments.js`); the posting service checks they are
    theirs."""

    widget = forms.MultipleHiddenInput
    default_error_messages = {"invalid": _("The attached files could not be read.")}

    def to_python(self, value):
        if not value:
            return []
        if isinstance(value, str):
            value = [value]
        try:
            return [int(item) for item in value]
        except (TypeError, ValueError):
            raise forms.ValidationError(
                self.error_messages["invalid"], code="invalid"
            ) from None


class WithAttachmentsMixin(forms.Form):
    """A composer form whose message may be files alone: with attachments, the
    text is optional (the posting service refuses a message with neither)."""

    attachments = AttachmentIdsField(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        getlist = getattr(self.data, "getlist", None)
        name = self.add_prefix("attachments")
        sent = getlist(name) if getlist else self.data.get(name) if self.is_bound else None
        if sent:
            self.fields["body"].required = False

    def hidden_fields(self):
        # The uploads waiting are shown, removable, in the composer's files box
        # (community/includes/composer_attachments.html, given `attachments_pending`),
        # which also sends them: never as inputs nobody can see or remove.
        return [field for field in super().hidden_fields() if field.name != "attachments"]
