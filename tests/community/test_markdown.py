"""Posts render Markdown once, safely: CommonMark extras, no raw HTML, linked mentions."""

import pytest

from community.markdown import render_markdown
from tests.support.factories import UserFactory


def test_tables_strikethrough_fenced_code_and_autolinks():
    html = render_markdown(
        "| a | b |\n|---|---|\n| 1 | 2 |\n\n~~old~~\n\n```python\nx = 1\n```\n\nsee https://example.org"
    )
    assert "<table>" in html and "<td>1</td>" in html
    assert "<s>old</s>" in html or "<del>old</del>" in html
    assert '<code class="language-python">' in html
    assert '<a href="https://example.org" rel="nofollow ugc noopener">' in html


def test_raw_html_is_shown_as_text():
    html = render_markdown("<script>alert(1)</script> <b>bold</b>")
    assert "<script>" not in html and "<b>" not in html
    assert "&lt;script&gt;" in html


@pytest.mark.parametrize(
    "source",
    [
        "[x](javascript:alert(1))",
        "[x](data:text/html;base64,PHNjcmlwdD4=)",
        "![x](javascript:alert(1))",
        "[x](vbscript:msgbox)",
    ],
)
def test_dangerous_url_schemes_are_dropped(source):
    html = render_markdown(source)
    assert "href=" not in html and "src=" not in html


def test_every_link_gets_nofollow_ugc_noopener():
    html = render_markdown("[site](https://example.org) and <https://a.example>")
    assert html.count('rel="nofollow ugc noopener"') == 2


@pytest.mark.django_db
def test_mentions_of_existing_people_link_to_their_profile():
    UserFactory(username="giulia")
    html = render_markdown("Ciao @giulia e @nessuno, scrivi a mario@example.org")
    assert '<a href="/u/giulia/" class="mention"' in html
    assert "@nessuno" in html and "/u/nessuno/" not in html
    assert "/u/example.org" not in html
