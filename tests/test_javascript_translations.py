"""The Italian JavaScript catalogue (djangojs) is complete, keeps every placeholder,
and its compiled .mo matches it: /jsi18n/ serves the committed djangojs.mo.
"""

import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from tests.test_translations import parse_po, placeholders, translations

LOCALE_DIR = Path(settings.BASE_DIR) / "locale" / "it" / "LC_MESSAGES"
PO_PATH = LOCALE_DIR / "djangojs.po"
MO_PATH = LOCALE_DIR / "djangojs.mo"
SCRIPTS = sorted((Path(settings.BASE_DIR) / "static" / "js").glob("*.js"))

_STRING = r'"((?:[^"\\]|\\.)*)"'
_CALLS = re.compile(
    rf"\b(?:gettext\(\s*{_STRING}|ngettext\(\s*{_STRING}\s*,\s*{_STRING})", re.S
)


def entries():
    return [
        e for e in parse_po(PO_PATH) if e["fields"].get("msgid") and not e["obsolete"]
    ]


def used_in_scripts():
    """(msgid, msgid_plural or None) of every literal gettext/ngettext call."""
    found = set()
    for path in SCRIPTS:
        for single, singular, plural in _CALLS.findall(path.read_text()):
            found.add((single, None) if single else (singular, plural))
    return found


def test_every_script_string_is_in_the_catalogue_and_translated():
    catalogue = {
        (e["fields"]["msgid"], e["fields"].get("msgid_plural")): e for e in entries()
    }
    missing = sorted(key for key in used_in_scripts() if key not in catalogue)
    untranslated = [
        key for key, e in catalogue.items() if any(not t for _, t in translations(e))
    ]
    fuzzy = [key for key, e in catalogue.items() if "fuzzy" in e["flags"]]

    assert not missing, f"run make messages, then translate: {missing}"
    assert not untranslated and not fuzzy, (untranslated, fuzzy)


def test_translations_keep_their_placeholders():
    wrong = [
        e["fields"]["msgid"]
        for e in entries()
        for source, translation in translations(e)
        if sorted(placeholders(source, False))
        != sorted(placeholders(translation, False))
    ]
    assert not wrong, wrong


def test_the_compiled_catalogue_matches_the_po_file():
    with MO_PATH.open("rb") as handle:
        catalog = gettext.GNUTranslations(handle)
    stale = []
    for e in entries():
        fields = e["fields"]
        for index, (_, translation) in enumerate(translations(e)):
            if "msgid_plural" in fields:
                got = catalog.ngettext(
                    fields["msgid"], fields["msgid_plural"], 2 if index else 1
                )
            else:
                got = catalog.gettext(fields["msgid"])
            if got != translation:
                stale.append(fields["msgid"])
    assert not stale, "djangojs.mo is stale, run compilemessages -l it:\n" + "\n".join(
        stale
    )


@pytest.mark.django_db
def test_the_catalogue_speaks_italian_to_italian_pages(client):
    body = client.get(reverse("javascript-catalog"), HTTP_ACCEPT_LANGUAGE="it").content
    assert b"In diretta" in body
