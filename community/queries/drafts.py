"""Composer drafts as their author gets them back."""

from .. import permissions
from ..models import Draft

__all__ = ["draft_body"]


def draft_body(user, thread):
    """`user`'s kept draft in `thread`, or "" (none, or `thread` no longer readable
    by them: a draft is never served past its author's access)."""
    if not permissions.can_see_draft(user, thread):
        return ""
    if hasattr(thread, "reader_draft"):
        # Read with the thread when the page asked for it (`access_thread`).
        draft = thread.reader_draft
        return draft.body if draft is not None and draft.author_id == user.pk else ""
    return (
        Draft.objects.filter(author=user, thread=thread)
        .values_list("body", flat=True)
        .first()
        or ""
    )
