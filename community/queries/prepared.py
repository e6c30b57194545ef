"""Per-person statements compiled once: the navigation's queries run on every page.

Django builds and compiles a queryset's SQL on every call; for the navigation's few
statements with subqueries that was most of their cost (2-3 ms each a page, against
well under a millisecond to run them). Their SQL depends on the person only through
parameters, and on whether they are site staff: these helpers compile each once per
process, database engine and staff flag, with a stand-in person whose id no row has, then
run the same SQL with the person's id where the stand-in's was.
"""

from django.db import connection

from .. import permissions

# An id no person has: where it appears in the parameters, the person's id goes.
STAND_IN_ID = -918_273_645

_compiled = {}


def _compile(key, build, staff):
    """(model, SQL, parameters) of `build(stand-in person)`, built once."""
    cache_key = (key, connection.vendor, staff)
    entry = _compiled.get(cache_key)
    if entry is None:
        queryset = build(permissions.stand_in_person(STAND_IN_ID, staff=staff))
        sql, params = queryset.query.sql_with_params()
        if STAND_IN_ID not in params:
            raise ValueError(f"{key}: the statement does not depend on the person")
        entry = _compiled[cache_key] = (queryset.model, sql, tuple(params))
    return entry


def _with(params, person):
    return [person.pk if value == STAND_IN_ID else value for value in params]


def person_rows(key, build, person, *, staff=False):
    """The model instances of `build(person)` (a queryset of one model, without
    select_related; annotations become attributes), compiled once for `key`."""
    model, sql, params = _compile(key, build, staff)
    return list(model.objects.raw(sql, _with(params, person)))


def person_values(key, build, person, *, staff=False):
    """The first row of `build(person)` (a `values_list` queryset) as a tuple, or
    None, compiled once for `key`."""
    rows = person_all_rows(key, build, person, staff=staff)
    return rows[0] if rows else None


def person_all_rows(key, build, person, *, staff=False):
    """Every row of `build(person)` (a `values_list` queryset, unions included) as
    tuples, compiled once for `key`."""
    _model, sql, params = _compile(key, build, staff)
    with connection.cursor() as cursor:
        cursor.execute(sql, _with(params, person))
        return cursor.fetchall()
