"""A visitor searches from the header's box: the results page marks the words found
(accents ignored) and shows a written `<script>` as text, on a phone too."""

import re

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group(__name__)]

# Written through the services in a shell: the after-commit subscriber indexes it, as
# in the running site.
SETUP = """
from allauth.account.models import EmailAddress
from community.services import communities, threads
from community.models import User

anna = User.objects.create_user("anna", "anna@example.org", "%(password)s", display_name="Anna Verdi")
EmailAddress.objects.create(user=anna, email=anna.email, verified=True, primary=True)
community = communities.community_create(
    actor=anna, name="Materiali", description="", visibility="public", themes=[]
)
thread = threads.thread_create(
    actor=anna, community=community, title="Perché il grafene?",
    body="Prova `<script>document.title='rotto'</script>` nel testo.",
)
print(f"THREAD {thread.get_absolute_url()}")
"""


@pytest.mark.parametrize(("width", "height"), [(1280, 900), (390, 844)])
def test_a_visitor_searches_from_the_header(site, new_page, problems, width, height):
    page = new_page(width=width, height=height)
    page.goto(f"{site.url}/")

    box = page.locator("header.site-header input[name=q]")
    box.fill("perche script")
    box.press("Enter")

    page.wait_for_url(re.compile(r"/search/\?q=perche\+script"))
    result = page.locator(".search-result")
    assert result.count() == 1
    assert result.locator("mark").first.inner_text() == "Perché"
    assert "<script>document.title='rotto'</script>" in result.inner_text()
    assert page.title() != "rotto"
    result.get_by_role("link", name=re.compile("grafene")).click()
    page.wait_for_url(re.compile(re.escape(site.paths["THREAD"])))
    assert problems == []


def test_suggestions_as_one_types_are_chosen_with_the_keyboard(site, new_page, problems):
    page = new_page()
    page.goto(f"{site.url}/")

    box = page.locator("header.site-header input[name=q]")
    box.press_sequentially("grafe", delay=40)
    listbox = page.get_by_role("listbox", name="Search suggestions")
    option = listbox.get_by_role("option", name=re.compile("grafene"))
    option.wait_for()
    assert box.get_attribute("aria-expanded") == "true"
    assert listbox.get_by_role("group", name="Discussions").count() == 1

    box.press("ArrowDown")
    assert option.get_attribute("aria-selected") == "true"
    assert box.get_attribute("aria-activedescendant") == option.get_attribute("id")
    box.press("Enter")

    page.wait_for_url(re.compile(re.escape(site.paths["THREAD"])))
    assert problems == []


def test_escape_closes_the_suggestions_and_enter_then_searches(site, new_page, problems):
    page = new_page()
    page.goto(f"{site.url}/")
    box = page.locator("header.site-header input[name=q]")
    box.press_sequentially("grafe", delay=40)
    listbox = page.get_by_role("listbox", name="Search suggestions")
    listbox.get_by_role("option").first.wait_for()

    box.press("Escape")
    assert listbox.is_hidden()
    box.press("Enter")

    page.wait_for_url(re.compile(r"/search/\?q=grafe"))
    assert page.locator(".search-result").count() == 1
    assert problems == []
