"""The navigation of every signed-in page, read in one statement.

The header's moderation figures (review items and held posts waiting, unread
notices, whether the person moderates anything) and the sidebar's communities are two
reads with nothing in common but the person; on a page that costs eight queries in all
they were a quarter of it. They go together as one `UNION ALL`: a first row of figures (section 0, always
there, whether or not the person belongs anywhere) and a row per community
(section 1), compiled once per process (`prepared`).
"""

from django.db.models import BooleanField, CharField, F, IntegerField, Value

from .. import permissions
from ..models import Community, User
from . import communities, moderation, prepared

FIGURES, COMMUNITY = 0, 1

COLUMNS = ("nav_section", "nav_id", "nav_name", "nav_slug")

# Figures the apps above community add to the header (e.g. unread notifications):
# name -> `build(person)`, an integer expression over the person's id. They join the
# figures row of the same statement, so the navigation stays one query.
_extra_figures = {}


def register_figure(name, build):
    """Add the integer figure `name`, `build(person)` (a subquery expression), to the
    navigation's statement; the page reads it as `nav_figures.<name>` (0 when none).
    Register in AppConfig.ready(), before the statement is first compiled."""
    if name in _extra_figures:
        raise ValueError(f"Navigation figure {name!r} is already registered.")
    _extra_figures[name] = build


def _statement(person):
    figures = {
        **moderation.nav_count_columns(person),
        **{name: build(person) for name, build in _extra_figures.items()},
    }
    extras = {name: Value(0, output_field=IntegerField()) for name in _extra_figures}
    figures_row = (
        User.objects.filter(pk=person.pk)
        .annotate(
            nav_section=Value(FIGURES, output_field=IntegerField()),
            nav_id=Value(0, output_field=IntegerField()),
            nav_name=Value("", output_field=CharField()),
            nav_slug=Value("", output_field=CharField()),
            **figures,
        )
        .values_list(*COLUMNS, *figures)
    )
    community_rows = (
        communities.nav_communities(person)
        .order_by()  # no ordering inside a compound statement (SQLite refuses it)
        .annotate(
            nav_section=Value(COMMUNITY, output_field=IntegerField()),
            nav_id=F("pk"),
            nav_name=F("name"),
            nav_slug=F("slug"),
            review_open=Value(0, output_field=IntegerField()),
            notices_unread=Value(0, output_field=IntegerField()),
            moderates=Value(False, output_field=BooleanField()),
            held_open=Value(0, output_field=IntegerField()),
            **extras,
        )
        .values_list(*COLUMNS, *figures)
    )
    return figures_row.union(community_rows, all=True).order_by(
        "nav_section", "nav_name"
    )


def navigation(user):
    """`nav_moderation` (the header's figures) and `nav_communities` (the sidebar's
    communities, by name, each with `name`, `slug` and its address) for `user`."""
    rows = prepared.person_all_rows(
        "navigation", _statement, user, staff=permissions.is_site_staff(user)
    )
    figures = next(
        (row[len(COLUMNS) :] for row in rows if row[0] == FIGURES), None
    )
    # The moderation module's four figures first, then the registered ones in order.
    extra = dict(zip(_extra_figures, figures[4:] if figures else (), strict=False))
    return {
        "nav_moderation": moderation.nav_moderation_figures(figures[:4] if figures else None),
        "nav_figures": {name: extra.get(name) or 0 for name in _extra_figures},
        "nav_communities": [
            Community(pk=pk, name=name, slug=slug)
            for section, pk, name, slug, *_figures in rows
            if section == COMMUNITY
        ],
    }
