"""System checks: settings that must agree with each other for the site to work."""

from django.conf import settings
from django.core import checks

# JSON.stringify writes a character in at most 6 bytes (a control character as \u00XX;
# anything else in at most 4 bytes of UTF-8); the post frame's other fields fit in 1 KiB.
JSON_BYTES_PER_CHARACTER = 6
POST_FRAME_OVERHEAD_BYTES = 1024
# A post's live event carries the rendered post three times (body_html and one fragment
# per language), JSON-escaped: up to 12 bytes per emoji, more where Markdown expands
# (a 20,000-emoji post makes a 723 KB event, a 20,000-character list 333 KB).
EVENT_BYTES_PER_CHARACTER = 36
EVENT_OVERHEAD_BYTES = 16 * 1024


def post_frame_bytes(body_length):
    """The largest WebSocket frame that carries a post of `body_length` characters."""
    return JSON_BYTES_PER_CHARACTER * body_length + POST_FRAME_OVERHEAD_BYTES


def post_event_bytes(body_length):
    """A generous size of the live event of a post of `body_length` characters."""
    return EVENT_BYTES_PER_CHARACTER * body_length + EVENT_OVERHEAD_BYTES


_DAPHNE_HINT = (
    "Pass the same value to daphne's --websocket-max-frame-size and "
    "--websocket-max-message-size (make serve does)."
)


@checks.register
def live_frame_fits_the_longest_post(app_configs, **kwargs):
    """A post the services accept must fit in a live frame, or sending it closes the
    socket (daphne's frame limit) instead of reaching the server's refusal. daphne's
    message limit also bounds what the server sends: warn when a long post's event may
    not fit, since readers would then not see it live."""
    limit = settings.LIVE_MAX_FRAME_BYTES
    body_length = settings.POST_BODY_MAX_LENGTH
    if limit < post_frame_bytes(body_length):
        return [
            checks.Error(
                f"LIVE_MAX_FRAME_BYTES ({limit}) is too small for a post of "
                f"POST_BODY_MAX_LENGTH ({body_length}) characters sent over the "
                "live socket.",
                hint=(
                    f"Set LIVE_MAX_FRAME_BYTES to at least "
                    f"{post_frame_bytes(body_length)} (6 bytes a character plus "
                    f"1024). {_DAPHNE_HINT}"
                ),
                id="community.E001",
            )
        ]
    if limit < post_event_bytes(body_length):
        return [
            checks.Warning(
                f"LIVE_MAX_FRAME_BYTES ({limit}) may be too small for the live event "
                f"of a post of POST_BODY_MAX_LENGTH ({body_length}) characters: daphne "
                "does not send messages over its limit, so readers would not see "
                "such a post live.",
                hint=(
                    f"Set LIVE_MAX_FRAME_BYTES to at least "
                    f"{post_event_bytes(body_length)} (36 bytes a character plus "
                    f"16 KiB). {_DAPHNE_HINT}"
                ),
                id="community.W001",
            )
        ]
    return []
