"""Match suggestions with the site's full-text search: the organisation's query
(`Pool.query_terms`) run on the search index (`search.backends`) for every kind whose
public rows it holds (challenges, offers, organisations, funding calls), then the
pool's scoring. What pages, tests and the benchmark call."""

from search import backends
from search.models import Entry

from . import KINDS, Kind, Pool


class IndexHits(dict):
    """{(kind, id): stems} found by the search index, for the kinds it holds."""

    kinds = ()


# The suggestion kinds and the index's kinds of their rows.
INDEXED = {
    Kind.CHALLENGE: Entry.Kind.CHALLENGE,
    Kind.OFFER: Entry.Kind.OFFER,
    Kind.ORGANISATION: Entry.Kind.ORGANISATION,
    Kind.FUNDING_CALL: Entry.Kind.FUNDING_CALL,
}


def index_hits(pool, organisation, kinds=KINDS):
    """Run the organisation's query on the search index (one query per term, at most
    `QUERY_TERMS`): which rows of `kinds` hold each term (a word or the start of one,
    the site's full-text search). The index holds public rows only; the pool decides
    what each organisation may be suggested."""
    hits = IndexHits()
    hits.kinds = tuple(kind for kind in kinds if kind in INDEXED)
    by_entry_kind = {INDEXED[kind]: kind for kind in hits.kinds}
    terms = pool.query_terms(pool.org_items[organisation.pk])
    for term in terms:
        rows = backends.search(Entry.objects.filter(kind__in=list(by_entry_kind)), [term])
        for entry_kind, object_id in rows.values_list("kind", "object_id"):
            hits.setdefault((by_entry_kind[entry_kind], object_id), set()).add(term)
    return hits


def suggestions(organisation, kinds=KINDS, limit=None):
    """{kind: [Suggestion, ...]} for `organisation`, best first (at most `limit` of
    each kind), in at most `QUERY_BUDGET` queries."""
    pool = Pool.load(for_ids=[organisation.pk])
    hits = index_hits(pool, organisation, kinds)
    result = pool.suggest(organisation, kinds=kinds, text_hits=hits)
    if limit is not None:
        result = {kind: items[:limit] for kind, items in result.items()}
    return result


def ranked(organisation, limit=5):
    """Every kind's suggestions in one ranking, best first (the measured list)."""
    merged = [s for items in suggestions(organisation).values() for s in items]
    merged.sort(key=lambda s: (-s.score, s.kind, s.object.pk))
    return merged[:limit]
