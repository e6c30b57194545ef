"""PostgreSQL's full-text search: Italian and English stemming (a plural finds its
singular, an English "-ing" finds its other forms) and accents folded as on SQLite.
Run with DATABASE_URL pointing at a PostgreSQL server (skipped on SQLite)."""

import pytest
from django.db import connection

from tests.search.helpers import community_with, result_count, search_page

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("english"),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="PostgreSQL's text search"
    ),
]


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    return django_capture_on_commit_callbacks


def test_italian_stems_a_plural_finds_its_singular(client, commit):
    community_with(commit, title="Portafoglio", body="Abbiamo depositato un brevetto")

    html = search_page(client, None, "brevetti")

    assert result_count(html) == 1
    assert "depositato" in html


def test_english_stems_licensing_finds_licenses(client, commit):
    community_with(commit, title="IP", body="We sell licenses for the sensor")

    assert result_count(search_page(client, None, "licensing")) == 1


def test_accents_are_folded_when_unaccent_is_available(client, commit):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'unaccent'")
        if cursor.fetchone() is None:
            pytest.skip("the unaccent extension could not be created here")
    community_with(commit, title="Perché il grafene?", body="Città e qualità")

    assert result_count(search_page(client, None, "perche")) == 1
    assert result_count(search_page(client, None, "citta qualita")) == 1


def test_a_title_match_ranks_first_on_postgresql_too(client, commit):
    community, owner, first = community_with(commit, title="Grafene", body="Uno")
    community_with(commit, title="Altro", body="Parliamo di grafene")

    html = search_page(client, None, "grafene")
    assert result_count(html) == 2
    assert html.index("Uno") < html.index("Parliamo")
