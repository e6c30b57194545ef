"""One row per searchable text: a discussion thread (its title and opening post), a
reply, a room message, a community, a person, an organisation, a workspace document.
Rows hold plain text and the ids filters need; who may read a row is decided at query
time by the content apps' permissions (`search.sources`), so membership, visibility
and access changes need no reindexing. Deleted, hidden and removed content has no
row."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Entry(models.Model):
    class Kind(models.TextChoices):
        THREAD = "thread", _("Discussion")
        POST = "post", _("Reply to a discussion")
        MESSAGE = "message", _("Room message")
        COMMUNITY = "community", _("Community")
        PERSON = "person", _("Person")
        ORGANISATION = "organisation", _("Organisation")
        DOCUMENT = "document", _("Workspace document")
        OFFER = "offer", _("Technology offer")
        CHALLENGE = "challenge", _("Challenge")
        FUNDING_CALL = "funding_call", _("Funding call")

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    # The id of what the row is about, in its kind's table (a post's id for threads,
    # replies and messages: a thread's row is its opening post's).
    object_id = models.PositiveBigIntegerField(_("object id"))
    thread_id = models.PositiveBigIntegerField(
        _("thread id"), null=True, blank=True, db_index=True
    )
    number = models.PositiveIntegerField(_("number"), null=True, blank=True)
    # The community the row belongs to (for `in:`): a post's, a community's own, a
    # document's workspace discussion; none for people and organisations.
    community_id = models.PositiveBigIntegerField(
        _("community id"), null=True, blank=True, db_index=True
    )
    author_id = models.PositiveBigIntegerField(_("author id"), null=True, blank=True)
    title = models.CharField(_("title"), max_length=255)
    body = models.TextField(_("text"))
    # "|tag one|tag two|": lower-cased names between bars, for `tag:`.
    tags = models.CharField(_("tags"), max_length=1000, blank=True)
    created_at = models.DateTimeField(_("created"), db_index=True)

    class Meta:
        verbose_name = _("search entry")
        verbose_name_plural = _("search entries")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["community_id", "created_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "object_id"], name="search_entry_one_per_object"
            )
        ]

    def __str__(self):
        return f"{self.kind} {self.object_id}: {self.title}"
