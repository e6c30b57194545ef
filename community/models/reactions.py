"""Reactions: one emoji of a bounded set that a person puts on a post or room message."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .conversation import Post

# Shown first, as quick choices, in this order.
QUICK_EMOJI = ("👍", "❤️", "😄", "🎉", "🙏", "👀")

# Every emoji a reaction may carry (quick ones first): never free text, so a reaction
# can neither smuggle words past the watched words nor grow without bound.
ALLOWED_EMOJI = (
    *QUICK_EMOJI,
    "👎", "👏", "🙌", "💪", "🤝", "👋", "✅", "❌",
    "🔥", "🚀", "💡", "⭐", "💯", "✨", "🎯", "📌",
    "😂", "😊", "😍", "🤔", "😮", "😢", "😅", "😎",
    "🙂", "😉", "🤩", "🥳", "😬", "🙈", "☕", "🍕",
    "📈", "🧪", "🛠️", "📎",
)  # fmt: skip

# Longest emoji sequence stored (variation selectors and joiners included).
EMOJI_MAX_LENGTH = 8


class Reaction(models.Model):
    post = models.ForeignKey(
        Post, on_delete=models.CASCADE, related_name="post_reactions"
    )
    # A deleted account takes its reactions with it.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reactions"
    )
    emoji = models.CharField(_("emoji"), max_length=EMOJI_MAX_LENGTH)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("reaction")
        verbose_name_plural = _("reactions")
        constraints = [
            models.UniqueConstraint(
                fields=["post", "user", "emoji"], name="reaction_unique_post_user_emoji"
            ),
        ]
        indexes = [models.Index(fields=["post", "created_at"])]

    def __str__(self):
        return f"{self.emoji} on {self.post_id}"
