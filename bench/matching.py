"""Measure match suggestions on the demo network: precision@5 of each labelled
organisation (tests/innovation/matching/labelled.py) and overall, and the queries one
organisation's suggestions cost.

Run with `.venv/bin/python bench/matching.py` (about half a minute): it builds a
throwaway test database (in memory for SQLite), runs `seed_demo`, fills the search
index and prints one line per organisation with its top five (+ relevant, - not).
"""

import io
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def main():
    import django

    django.setup()
    import logging

    logging.disable(logging.INFO)
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    setup_test_environment()
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    call_command("seed_demo", stdout=io.StringIO())

    from community.models import Organisation
    from innovation import matching
    from innovation.matching import fulltext
    from search import indexing
    from tests.innovation.matching import labelled

    indexing.rebuild()
    figures, overall = labelled.measure(fulltext.ranked)
    strict = []
    for name, figure in figures.items():
        organisation = Organisation.objects.get(name=name)
        connection.queries_log.clear()
        with CaptureQueriesContext(connection) as queries:
            top = fulltext.ranked(organisation, labelled.AT)
        strict.append(labelled.strict_precision(top, labelled.RELEVANT[name]))
        print(f"{figure:4.2f}  {name}  ({len(queries)} queries)")
        for suggestion in top:
            mark = "+" if labelled.label(suggestion) in labelled.RELEVANT[name] else "-"
            print(f"      {mark} {suggestion.score:5.2f} {suggestion.kind}: {suggestion.object}")
    print(f"precision@{labelled.AT} overall: {overall:.3f} over {len(figures)} organisations")
    print(f"strict precision@{labelled.AT} (fewer than five shown count as misses): "
          f"{sum(strict) / len(strict):.3f}")
    print(f"query budget of one organisation's suggestions: {matching.QUERY_BUDGET}")


if __name__ == "__main__":
    main()
