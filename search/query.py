"""What a person may find: parse a query with its operators, search the index and
keep only what the reader may read now (each source's permissions, `search.registry`),
count the results of each kind, then build escaped snippets with the terms marked."""

import datetime
import re
import unicodedata
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import CharField, Count, F, Q, Value
from django.db.models.expressions import Window
from django.db.models.functions import Concat, RowNumber
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from community import permissions

from . import backends, registry
from .models import Entry

OPERATORS = ("in", "from", "tag", "type", "before", "after")
MAX_TERMS = 12
MAX_LENGTH = 500
SNIPPET_CHARS = 220

_WORD = re.compile(r"\w+")
_OPERATOR = re.compile(r"(?P<name>[a-z]+):(?P<value>\S*)", re.IGNORECASE)


@dataclass
class Query:
    text: str = ""
    terms: list = field(default_factory=list)
    community: str = ""
    author: str = ""
    tags: list = field(default_factory=list)
    kinds: list = field(default_factory=list)
    before: datetime.date | None = None
    after: datetime.date | None = None
    errors: list = field(default_factory=list)

    @property
    def is_empty(self):
        return not (
            self.terms
            or self.community
            or self.author
            or self.tags
            or self.kinds
            or self.before
            or self.after
        )

    @property
    def text_without_types(self):
        """The query as written, without its `type:` operators (for the tabs)."""
        return " ".join(
            token
            for token in self.text.split()
            if not token.lower().startswith("type:")
        )


def _date(name, value, query):
    try:
        return (
            datetime.date.fromisoformat(value)
            if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value)
            else _bad_date(name, value, query)
        )
    except ValueError:
        return _bad_date(name, value, query)


def _bad_date(name, value, query):
    query.errors.append(
        _(
            "“%(operator)s:%(value)s” is not a date: write it as YYYY-MM-DD, "
            "e.g. %(operator)s:2026-03-01."
        )
        % {"operator": name, "value": value}
    )
    return None


def parse(text):
    """Split `text` into words and operators; malformed operators become errors."""
    query = Query(text=text.strip())
    if len(query.text) > MAX_LENGTH:
        query.errors.append(
            _("Search with at most %(count)d characters (you wrote %(length)d).")
            % {"count": MAX_LENGTH, "length": len(query.text)}
        )
        return query
    for token in query.text.split():
        match = _OPERATOR.fullmatch(token)
        name = match["name"].lower() if match else ""
        if name not in OPERATORS:
            query.terms.extend(_WORD.findall(token))
            continue
        value = match["value"]
        if not value:
            query.errors.append(
                _(
                    "Write what you are looking for right after “%(operator)s:”, "
                    "without a space."
                )
                % {"operator": name}
            )
        elif name == "in":
            query.community = value.lower()
        elif name == "from":
            query.author = value.lstrip("@")
        elif name == "tag":
            query.tags.append(value.lower())
        elif name == "type":
            kind = registry.kind_words().get(value.lower())
            if kind is None:
                query.errors.append(
                    _("“type:%(value)s” is unknown: use one of %(types)s.")
                    % {
                        "value": value,
                        "types": ", ".join(f"type:{kind}" for kind in registry.kinds()),
                    }
                )
            elif kind not in query.kinds:
                query.kinds.append(kind)
        else:
            setattr(query, name, _date(name, value, query))
    if query.before and query.after and query.after >= query.before:
        query.errors.append(_("“after:” must be a day earlier than “before:”."))
    if len(query.terms) > MAX_TERMS:
        query.errors.append(
            _("Search with at most %(count)d words.") % {"count": MAX_TERMS}
        )
    return query


def _day_start(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _readable(user):
    """A condition on Entry (aliased `row_kind`, see `results`): the rows `user` may
    read now, each kind as its source's permissions decide."""
    condition = Q()
    for source in registry.sources():
        rows = Q(row_kind__in=list(source.kinds))
        readable = source.readable(user)
        if readable is not None:
            rows &= readable
        condition |= rows
    return condition


def results(user, query):
    """The entries matching `query` that `user` may read now, of every kind `query`
    allows, unordered (`ranked` orders them); adds to `query.errors` when an operator
    names no community or person `user` can see."""
    entries = Entry.objects.all()
    if query.community:
        community = (
            permissions.communities_visible_to(user)
            .filter(slug=query.community)
            .values_list("pk", flat=True)
            .first()
        )
        if community is None:
            query.errors.append(
                _(
                    "There is no community “%(slug)s” you can see: “in:” takes the "
                    "community's address name, as in its link."
                )
                % {"slug": query.community}
            )
        entries = entries.filter(community_id=community)
    if query.author:
        author = (
            get_user_model()
            .objects.filter(username__iexact=query.author, is_active=True)
            .values_list("pk", flat=True)
            .first()
        )
        if author is None:
            query.errors.append(
                _("Nobody has the username “%(username)s”.")
                % {"username": query.author}
            )
        entries = entries.filter(author_id=author)
    for tag in query.tags:
        entries = entries.filter(tags__contains=f"|{tag}|")
    if query.kinds:
        entries = entries.filter(kind__in=query.kinds)
    if query.after:
        entries = entries.filter(
            created_at__gte=_day_start(query.after + datetime.timedelta(days=1))
        )
    if query.before:
        entries = entries.filter(created_at__lt=_day_start(query.before))
    if query.errors or query.is_empty:
        return Entry.objects.none()
    # The kind is compared through an expression no index serves, so that the
    # databases drive the search from the full-text match (the words' rows) and test
    # each matched row's permission, instead of walking every row of a kind.
    entries = entries.alias(
        row_kind=Concat("kind", Value(""), output_field=CharField())
    )
    return backends.search(entries.filter(_readable(user)), _terms(query))


def _terms(query):
    return [term.lower() for term in query.terms]


def ranked(entries, query):
    """`entries` (from `results`) in the order people read them: title matches
    first, then the newest."""
    return entries.order_by(*backends.ordering(_terms(query)))


def counts(entries):
    """{kind: how many of `entries`}, in one query."""
    return dict(entries.order_by().values_list("kind").annotate(count=Count("id")))


def top_of_each_kind(entries, query, size):
    """The first `size` entries of each kind, ranked, in one query."""
    ordering = backends.ordering(_terms(query))
    return (
        entries.annotate(
            position=Window(RowNumber(), partition_by=[F("kind")], order_by=ordering)
        )
        .filter(position__lte=size)
        .order_by("kind", "position")
    )


def attach(entries):
    """Give the entries of one page their author and what they show (`url`,
    `context`, ...) through their sources, a few queries per kind present whatever
    the page's size; drops those whose object is gone."""
    entries = list(entries)
    authors = get_user_model().objects.in_bulk(
        {entry.author_id for entry in entries if entry.author_id}
    )
    for entry in entries:
        entry.author = authors.get(entry.author_id)
    shown = set()
    for source in registry.sources():
        mine = [entry for entry in entries if entry.kind in source.kinds]
        if mine:
            shown |= {id(entry) for entry in source.present(mine)}
    return [entry for entry in entries if id(entry) in shown]


def _fold(text):
    """`text` lower-cased without accents, one character for each of `text`'s (so
    positions match)."""
    return "".join(
        (unicodedata.normalize("NFD", char)[0].lower() or char)[0] for char in text
    )


def _spans(text, terms):
    folded = _fold(text)
    spans = []
    for term in {_fold(term) for term in terms}:
        for match in re.finditer(rf"(?<!\w){re.escape(term)}\w*", folded):
            spans.append(match.span())
    spans.sort()
    merged = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def highlight(text, terms, limit=None):
    """`text` (cut to about `limit` characters around the first term found), HTML
    escaped, then each term found wrapped in <mark>."""
    spans = _spans(text, terms)
    start, end = 0, len(text)
    if limit and len(text) > limit:
        first = spans[0][0] if spans else 0
        start = max(0, first - limit // 3)
        end = min(len(text), start + limit)
        if start:
            space = text.find(" ", start, first) if spans else text.find(" ", start)
            start = space + 1 if space != -1 else start
    parts = ["… " if start else ""]
    position = start
    for span_start, span_end in spans:
        if span_end <= start or span_start >= end:
            continue
        span_start, span_end = max(span_start, start), min(span_end, end)
        parts.append(escape(text[position:span_start]))
        parts.append(f"<mark>{escape(text[span_start:span_end])}</mark>")
        position = span_end
    parts.append(escape(text[position:end]))
    if end < len(text):
        parts.append(" …")
    return mark_safe("".join(parts))  # noqa: S308 - every piece is escaped above
