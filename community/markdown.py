"""Markdown to safe HTML, rendered once when a post is written.

CommonMark with tables, strikethrough, fenced code and autolinks; raw HTML is shown as
text; `@username` mentions of existing people link to their profiles; the result goes
through nh3 with an explicit allow-list, and every link gets `rel="nofollow ugc noopener"`.
"""

import re
import threading

import nh3
from django.urls import reverse
from markdown_it import MarkdownIt

MENTION = re.compile(r"(?<![\w@/.])@([A-Za-z0-9_][A-Za-z0-9_.+-]{1,148}[A-Za-z0-9_])")

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3", "h4",
    "h5", "h6", "hr", "i", "img", "li", "ol", "p", "pre", "s", "span", "strong", "sub",
    "sup", "table", "tbody", "td", "th", "thead", "tr", "ul",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "class"},
    "img": {"src", "alt", "title"},
    "code": {"class"},
    "th": {"style"},
    "td": {"style"},
    "ol": {"start"},
    "span": {"class"},
}
URL_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "nofollow ugc noopener"


def _mention_plugin(md, known):
    """An inline rule turning `@name` into a link when `name` is a known username."""

    def mention(state, silent):
        if state.src[state.pos] != "@":
            return False
        if state.pos > 0 and re.match(r"[\w@/.]", state.src[state.pos - 1]):
            return False
        match = MENTION.match(state.src, state.pos)
        if not match or match.group(1).lower() not in known:
            return False
        if not silent:
            username = known[match.group(1).lower()]
            token = state.push("link_open", "a", 1)
            token.attrs = {
                "href": reverse("community:profile", args=[username]),
                "class": "mention",
            }
            token = state.push("text", "", 0)
            token.content = "@" + username
            state.push("link_close", "a", -1)
        state.pos = match.end()
        return True

    md.inline.ruler.before("emphasis", "mention", mention)


def mentioned_usernames(source):
    """Usernames written as `@name` in `source` (whether or not they exist)."""
    return {match.group(1) for match in MENTION.finditer(source)}


def mentioned_user_ids(source):
    """Ids of the active people `source` mentions (what notifications will need)."""
    from .models import User

    names = mentioned_usernames(source)
    if not names:
        return []
    return list(
        User.objects.filter(is_active=True, username__iregex=_names_pattern(names))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _names_pattern(names):
    return r"^(" + "|".join(re.escape(n) for n in names) + r")$"


def _known_users(source):
    from .models import User

    names = mentioned_usernames(source)
    if not names:
        return {}
    query = User.objects.filter(is_active=True, username__iregex=_names_pattern(names))
    return {username.lower(): username for username in query.values_list("username", flat=True)}


def _parser():
    return MarkdownIt(
        "commonmark", {"html": False, "linkify": True, "typographer": False}
    ).enable(["table", "strikethrough", "linkify"])


_parsers = threading.local()


def _plain_parser():
    """The parser for texts without mentions, built once per thread (building one
    costs as much as rendering a short post)."""
    parser = getattr(_parsers, "plain", None)
    if parser is None:
        parser = _parsers.plain = _parser()
    return parser


def render_markdown(source):
    """Render user Markdown to sanitised HTML (safe to mark_safe when displayed)."""
    known = _known_users(source)
    if known:
        md = _parser()
        _mention_plugin(md, known)
    else:
        md = _plain_parser()
    html = md.render(source)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel=LINK_REL,
        strip_comments=True,
        clean_content_tags={"script", "style"},
    )
