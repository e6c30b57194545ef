"""Rules of static/js checked by reading it, and the JavaScript catalogue it speaks from.

Scripts take their words from Django's JavaScript catalogue and the page's language
from `<html lang>`, decide no permission (the server names each viewer's actions),
and never swallow a failure.
"""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

BASE_DIR = Path(settings.BASE_DIR)
SCRIPTS = sorted((BASE_DIR / "static" / "js").glob("*.js"))
TEMPLATES = sorted((BASE_DIR / "templates").rglob("*.html"))


def _id(path):
    return str(path.relative_to(BASE_DIR))


def _code(path):
    """The script without its comments (a comment may name what the code may not)."""
    text = path.read_text()
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    return re.sub(r"(?m)(^|[^:\\])//.*$", r"\1", text)


@pytest.mark.parametrize("path", SCRIPTS, ids=_id)
def test_scripts_name_no_interface_language(path):
    """The page says its language (`document.documentElement.lang`)."""
    literals = re.findall(r"""["'](?:it|en)(?:-[A-Za-z]+)?["']""", _code(path))

    assert not literals, f"{_id(path)}: {literals}"


@pytest.mark.parametrize("path", SCRIPTS, ids=_id)
def test_scripts_swallow_no_failure(path):
    """Every catch does something: shows a message, falls back, or rethrows."""
    empty = re.findall(r"catch\s*(?:\([^)]*\))?\s*\{\s*\}", _code(path))

    assert not empty, f"{_id(path)} has an empty catch block"


@pytest.mark.parametrize("path", SCRIPTS, ids=_id)
def test_scripts_decide_no_permission(path):
    """Which actions a viewer has comes from the server (`frame.viewer.actions` on
    live posts, the rendered page otherwise), never from flags read in the page."""
    code = _code(path)

    assert "data-can-" not in code and not re.search(r"dataset\.can[A-Z]", code)
    assert "authorId" not in code or path.name == "room.js", (
        f"{_id(path)} compares authors: only the room's grouping may"
    )


@pytest.mark.parametrize("path", TEMPLATES, ids=_id)
def test_templates_hand_scripts_data_not_words(path):
    """Words for scripts come from the catalogue, not from data-label-* attributes."""
    assert "data-label-" not in path.read_text()
    assert not re.search(r"data-can-[a-z-]+", path.read_text())


@pytest.mark.django_db
def test_pages_load_the_catalogue_before_their_modules(client):
    html = client.get(reverse("community:home")).content.decode()

    catalogue = html.index(f'<script src="{reverse("javascript-catalog")}" defer>')
    assert catalogue < html.index('<script type="module"')


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["it", "en"])
def test_the_catalogue_serves_the_projects_strings_in_the_page_language(
    client, language
):
    response = client.get(reverse("javascript-catalog"), HTTP_ACCEPT_LANGUAGE=language)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Content-Language"] == language
    body = response.content.decode()
    assert "django.gettext = function" in body
    # Only the project's catalogue: the admin's own scripts' strings stay out.
    assert "%s disponibili" not in body and "Available %s" not in body
