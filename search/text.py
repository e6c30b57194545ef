"""Plain text for the index: rendered HTML without markup, whitespace folded."""

import html
import re

from django.utils.html import strip_tags

_SPACES = re.compile(r"\s+")
_BLOCK = re.compile(
    r"<(?:/?(?:p|li|ul|ol|div|h[1-6]|blockquote|pre|tr|td|th)|br)\b", re.I
)


def plain_text(body_html):
    """The words of a rendered post, without markup (entities decoded)."""
    return _SPACES.sub(
        " ", html.unescape(strip_tags(_BLOCK.sub(r" \g<0>", body_html)))
    ).strip()


def folded(text):
    """`text` with its runs of whitespace as single spaces."""
    return _SPACES.sub(" ", text).strip()
