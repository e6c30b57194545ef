"""The append-only event log (transactional outbox) that live clients catch up from."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class StreamCursor(models.Model):
    """The last sequence number handed out in a stream; its row lock serialises writers."""

    stream = models.CharField(max_length=64, primary_key=True)
    last_seq = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("stream cursor")

    def __str__(self):
        return f"{self.stream} @ {self.last_seq}"


class Event(models.Model):
    """One change, in the order its stream saw it: what live clients catch up from.

    The payload holds ids and plain facts, never rendered content: the app that owns
    the data presents it at delivery (`live.events.register_presenter`), from the
    current state, so a replay never shows what the pages no longer show.
    """

    stream = models.CharField(_("stream"), max_length=64)
    seq = models.PositiveBigIntegerField(_("sequence"))
    type = models.CharField(_("type"), max_length=48)
    payload = models.JSONField(_("payload"), default=dict)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["stream", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["stream", "seq"], name="event_unique_stream_seq")
        ]

    def __str__(self):
        return f"{self.stream}#{self.seq} {self.type}"
