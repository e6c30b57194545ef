"""The Italian catalogue is complete, keeps every placeholder, and is what pages show.

Italian is the default interface language; English is the source language of
every string. The catalogue is read straight from locale/it/LC_MESSAGES/django.po
(no gettext tools needed), and the compiled django.mo beside it must match it,
because CI serves the committed .mo and never runs compilemessages.
"""

import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from tests.support.factories import CommunityFactory, OrganisationFactory, UserFactory

LOCALE_DIR = Path(settings.BASE_DIR) / "locale" / "it" / "LC_MESSAGES"
PO_PATH = LOCALE_DIR / "django.po"
MO_PATH = LOCALE_DIR / "django.mo"

_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}
_FIELD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\s+"(.*)"$')


def _unquote(body):
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(0)), body)


def parse_po(path):
    """Entries of a .po file: dicts with fields (msgid, msgstr[0], ...), flags, line."""
    entries = []
    entry = None
    field = None

    def start(line_number):
        return {"fields": {}, "flags": set(), "line": line_number, "obsolete": False}

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line:
            if entry is not None and entry["fields"]:
                entries.append(entry)
            entry, field = None, None
            continue
        if entry is None:
            entry = start(number)
        if line.startswith("#~"):
            entry["obsolete"] = True
        elif line.startswith("#,"):
            entry["flags"].update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            assert line.endswith('"') and field, (
                f"{path.name}:{number}: bad continuation"
            )
            entry["fields"][field] += _unquote(line[1:-1])
        else:
            match = _FIELD.match(line)
            assert match, f"{path.name}:{number}: cannot parse {line!r}"
            if match.group(1) in ("msgctxt", "msgid") and "msgid" in entry["fields"]:
                # A new entry without a blank line in between.
                entries.append(entry)
                entry = start(number)
            field = match.group(1)
            entry["fields"][field] = _unquote(match.group(2))
    if entry is not None and entry["fields"]:
        entries.append(entry)
    return entries


def messages():
    """The translatable entries: every entry but the header and obsolete ones."""
    return [
        e for e in parse_po(PO_PATH) if e["fields"].get("msgid") and not e["obsolete"]
    ]


def translations(entry):
    """(source, translation) pairs: msgstr[0] answers msgid, the others msgid_plural."""
    fields = entry["fields"]
    if "msgid_plural" in fields:
        forms = sorted(k for k in fields if k.startswith("msgstr["))
        return [
            (
                fields["msgid"] if form == "msgstr[0]" else fields["msgid_plural"],
                fields[form],
            )
            for form in forms
        ]
    return [(fields["msgid"], fields.get("msgstr", ""))]


def label(entry):
    return f"line {entry['line']}: {entry['fields']['msgid']!r}"


# %(name)s, %(count)d, %s, %d, %%; {name} and {0} (str.format); HTML tags.
_PERCENT = re.compile(r"%(?:\(([^)]*)\))?[-#0 +]*\d*(?:\.\d+)?([sdifrxXeEgGc%])")
_BRACE = re.compile(
    r"(?<!\{)\{([A-Za-z_][A-Za-z0-9_]*|\d*)(?:![rsa])?(?::[^{}]*)?\}(?!\})"
)
_TAG = re.compile(r"</?([A-Za-z][A-Za-z0-9]*)\b[^>]*>")


def placeholders(text, python_format):
    found = []
    for name, conversion in _PERCENT.findall(text):
        if conversion != "%":
            found.append(f"%({name}){conversion}" if name else f"%{conversion}")
    if not python_format:
        # Only python-format strings are %-interpolated; elsewhere a lone % is text.
        found = [p for p in found if p.startswith("%(")]
    found += [f"{{{name}}}" for name in _BRACE.findall(text)]
    return found


def test_the_po_file_exists_and_declares_italian_plurals():
    header = next(e for e in parse_po(PO_PATH) if e["fields"].get("msgid") == "")
    meta = header["fields"]["msgstr"]
    assert "Language: it\n" in meta
    assert "Plural-Forms: nplurals=2; plural=(n != 1);" in meta
    assert "fuzzy" not in header["flags"], "the header is still marked fuzzy"


def test_every_message_is_translated_and_none_is_fuzzy():
    entries = messages()
    assert len(entries) > 100, "the Italian catalogue looks truncated"
    empty = [label(e) for e in entries if any(not t for _, t in translations(e))]
    fuzzy = [label(e) for e in entries if "fuzzy" in e["flags"]]
    assert not empty, "untranslated in locale/it django.po:\n" + "\n".join(empty)
    assert not fuzzy, "fuzzy in locale/it django.po:\n" + "\n".join(fuzzy)


def test_translations_keep_the_placeholders_of_their_source():
    wrong = []
    for entry in messages():
        python_format = "python-format" in entry["flags"]
        for source, translation in translations(entry):
            if not translation:
                continue  # reported by the completeness test
            expected = sorted(placeholders(source, python_format))
            got = sorted(placeholders(translation, python_format))
            if expected != got:
                wrong.append(f"{label(entry)}: expected {expected}, got {got}")
    assert not wrong, "placeholders differ:\n" + "\n".join(wrong)


def test_translations_keep_html_tags_and_surrounding_whitespace():
    wrong = []
    for entry in messages():
        for source, translation in translations(entry):
            if not translation:
                continue
            if sorted(_TAG.findall(source)) != sorted(_TAG.findall(translation)):
                wrong.append(f"{label(entry)}: HTML tags differ")
            for edge in (
                lambda s: s[: len(s) - len(s.lstrip())],
                lambda s: s[len(s.rstrip()) :],
            ):
                if edge(source) != edge(translation):
                    wrong.append(f"{label(entry)}: leading/trailing whitespace differs")
                    break
    assert not wrong, "\n".join(wrong)


def test_the_compiled_catalogue_matches_the_po_file():
    """django.mo is committed and served as is: it must not lag behind django.po."""
    assert MO_PATH.exists(), (
        "run: python manage.py compilemessages -l it --ignore=.venv"
    )
    with MO_PATH.open("rb") as handle:
        catalog = gettext.GNUTranslations(handle)
    stale = []
    for entry in messages():
        fields = entry["fields"]
        context = fields.get("msgctxt")
        for index, (_, translation) in enumerate(translations(entry)):
            if "msgid_plural" in fields:
                # Form 0 is used for n == 1, form 1 for any other n.
                count = 1 if index == 0 else 2
                if context is None:
                    got = catalog.ngettext(
                        fields["msgid"], fields["msgid_plural"], count
                    )
                else:
                    got = catalog.npgettext(
                        context, fields["msgid"], fields["msgid_plural"], count
                    )
            elif context is None:
                got = catalog.gettext(fields["msgid"])
            else:
                got = catalog.pgettext(context, fields["msgid"])
            if got != translation:
                stale.append(label(entry))
    assert not stale, (
        "django.mo is stale, run compilemessages -l it --ignore=.venv:\n"
        + "\n".join(stale)
    )


# Pages ------------------------------------------------------------------------


@pytest.fixture
def network(db):
    CommunityFactory(name="Robotica collaborativa")
    OrganisationFactory(name="Politecnico di prova")


def body(response):
    assert response.status_code == 200
    return response.content.decode()


def test_the_home_page_is_in_italian_by_default(client, network):
    html = body(client.get("/"))
    assert '<html lang="it">' in html
    assert "Organizzazioni" in html
    assert "Registrati" in html
    assert "Accedi" in html
    assert "Dove si incontra" in html
    assert "Esplora le community" in html
    assert "Organisations" not in html
    assert "Sign up" not in html


def test_the_home_page_is_in_english_with_the_language_cookie(client, network):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = body(client.get("/"))
    assert '<html lang="en">' in html
    assert "Organisations" in html
    assert "Sign up" in html
    assert "Where Lombard innovation meets" in html
    assert "Organizzazioni" not in html
    assert "Registrati" not in html


def test_the_organisation_directory_is_in_italian_by_default(client, network):
    html = body(client.get(reverse("community:organisation-list")))
    assert "1 organizzazione" in html
    assert "Tutti i tipi" in html
    assert "Impresa" in html  # a model choice label
    assert "All kinds" not in html


def test_the_organisation_directory_is_in_english_with_the_language_cookie(
    client, network
):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = body(client.get(reverse("community:organisation-list")))
    assert "1 organisation" in html
    assert "All kinds" in html
    assert "Enterprise" in html
    assert "Tutti i tipi" not in html


def test_a_signed_in_user_sees_the_language_of_their_profile(client, network):
    client.force_login(UserFactory(language="en"))
    html = body(client.get(reverse("community:community-list")))
    assert "My communities" in html
    assert "Le mie community" not in html

    client.force_login(UserFactory(language="it"))
    html = body(client.get(reverse("community:community-list")))
    assert "Le mie community" in html
    assert "My communities" not in html
