"""The one rule for the titles people give documents, tasks and milestones."""

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


def title_clean(title, *, max_length, required):
    """Return `title` with its white space folded to single spaces. Raise
    ValidationError (on "title") if it holds a control character (NUL among them:
    titles reach pages, feeds and export files), if it is empty and `required`, or if
    it is longer than `max_length`."""
    title = " ".join((title or "").split())
    if any(unicodedata.category(char) == "Cc" for char in title):
        raise ValidationError(
            {"title": _("The title contains characters that are not text.")}
        )
    if required and not title:
        raise ValidationError({"title": _("Give it a title.")}, code="required")
    if len(title) > max_length:
        raise ValidationError(
            {
                "title": ngettext(
                    "The title is too long: at most %(limit)d character.",
                    "The title is too long: at most %(limit)d characters.",
                    max_length,
                )
                % {"limit": max_length}
            },
            code="max_length",
        )
    return title
