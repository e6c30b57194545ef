"""Match suggestions with the site's full-text search: the organisation's query
(`Pool.query_terms`) run on the search index (`search.backends`) for the kinds whose
rows it holds (organisations), then the pool's scoring. What pages, tests and the
benchmark call."""

from search import backends
from search.models import Entry

from . import KINDS, Kind, Pool


class IndexHits(dict):
    """{(kind, id): stems} found by the search index, for the kinds it holds."""

    kinds = ()


def index_hits(pool, organisation):
    """Run the organisation's query on the search index (one query per term, at most
    `QUERY_TERMS`): which organisations' rows hold each term (a word or the start of
    one, the site's full-text search)."""
    hits = IndexHits()
    hits.kinds = (Kind.ORGANISATION,)
    terms = pool.query_terms(pool.org_items[organisation.pk])
    for term in terms:
        rows = backends.search(Entry.objects.filter(kind=Entry.Kind.ORGANISATION), [term])
        for object_id in rows.values_list("object_id", flat=True):
            hits.setdefault((Kind.ORGANISATION, object_id), set()).add(term)
    return hits


def suggestions(organisation, kinds=KINDS, limit=None):
    """{kind: [Suggestion, ...]} for `organisation`, best first (at most `limit` of
    each kind), in at most `QUERY_BUDGET` queries."""
    pool = Pool.load(for_ids=[organisation.pk])
    hits = index_hits(pool, organisation) if Kind.ORGANISATION in kinds else None
    result = pool.suggest(organisation, kinds=kinds, text_hits=hits)
    if limit is not None:
        result = {kind: items[:limit] for kind, items in result.items()}
    return result


def ranked(organisation, limit=5):
    """Every kind's suggestions in one ranking, best first (the measured list)."""
    merged = [s for items in suggestions(organisation).values() for s in items]
    merged.sort(key=lambda s: (-s.score, s.kind, s.object.pk))
    return merged[:limit]
