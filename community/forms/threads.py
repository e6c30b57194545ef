"""Forms for starting threads, replying and editing posts; services re-check every rule."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from ..services.threads import THREAD_TAGS_MAX, thread_title_max_length
from .attachments import WithAttachmentsMixin
from .limits import LengthCounterMixin

MARKDOWN_HELP = _(
    "Markdown: **bold**, *italic*, [link](https://…), `code`, > quote, - list; "
    "@username mentions someone."
)


def _body_field(label):
    return forms.CharField(
        label=label,
        strip=False,
        help_text=MARKDOWN_HELP,
        widget=forms.Textarea(attrs={"rows": 8}),
    )


class _BodyLimitMixin(LengthCounterMixin):
    """The body's limit comes from settings, refused by the services past it."""

    def length_limits(self):
        return {**super().length_limits(), "body": settings.POST_BODY_MAX_LENGTH}


class ThreadForm(_BodyLimitMixin, WithAttachmentsMixin, forms.Form):
    title = forms.CharField(label=_("Title"))
    body = _body_field(_("Message"))
    tags = forms.CharField(label=_("Tags"), required=False)
    is_question = forms.BooleanField(
        label=_("This is a question"),
        required=False,
        help_text=_(
            "You or a moderator can then mark the reply that answers it: the thread "
            "shows as solved."
        ),
    )
    client_id = forms.UUIDField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tags"].help_text = " ".join(
            [
                ngettext(
                    "Up to %(count)d tag, separated by commas.",
                    "Up to %(count)d tags, separated by commas.",
                    THREAD_TAGS_MAX,
                )
                % {"count": THREAD_TAGS_MAX},
                gettext("For example: batterie, idrogeno."),
            ]
        )

    def length_limits(self):
        return {**super().length_limits(), "title": thread_title_max_length()}


class ReplyForm(_BodyLimitMixin, WithAttachmentsMixin, forms.Form):
    body = _body_field(_("Your reply"))
    # A fresh id per rendered form: sending it twice stores one post.
    client_id = forms.UUIDField(required=False, widget=forms.HiddenInput)


class PostEditForm(_BodyLimitMixin, forms.Form):
    body = _body_field(_("Message"))
