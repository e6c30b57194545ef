"""The Italian interface says "community" for a community, everywhere: no string of
the catalogue says "comunità" (the moderation tools, settings note and silenced
notice once did)."""

from django.utils import translation
from django.utils.translation import trans_real


def test_the_italian_catalogue_says_community_not_comunita():
    catalogue = trans_real.translation("it")._catalog
    saying_comunita = [
        key for key, text in catalogue.items() if key and "comunità" in str(text).lower()
    ]
    assert saying_comunita == []
    with translation.override("it"):
        assert translation.gettext("Move to another community…") == (
            "Sposta in un'altra community…"
        )
        assert "community" in translation.gettext(
            "Only the community's owners change these settings."
        )
