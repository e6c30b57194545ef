"""A member's bell counts a mention live while they read another page; its dropdown
lists the latest, leads to the exact post (marking it read) and marks all read."""

import re

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group(__name__)]

SETUP = """
from allauth.account.models import EmailAddress
from community.services import communities, memberships, threads
from community.models import User

people = {}
for name in ("anna", "bruno"):
    person = User.objects.create_user(name, f"{name}@example.org", "%(password)s")
    person.language = "en"
    person.save(update_fields=["language"])
    EmailAddress.objects.create(user=person, email=person.email, verified=True, primary=True)
    people[name] = person
community = communities.community_create(
    actor=people["anna"], name="Energia", description="", visibility="public", themes=[]
)
memberships.community_join(actor=people["bruno"], community=community)
thread = threads.thread_create(
    actor=people["anna"], community=community, title="Accumulo termico", body="Chi lo usa?"
)
print(f"THREAD {thread.get_absolute_url()}")
"""


def test_a_mention_lights_the_bell_live_and_leads_to_the_post(
    site, signed_in_page, problems
):
    from playwright.sync_api import expect

    bruno = signed_in_page("bruno@example.org")
    bell = bruno.locator("[data-notifications-bell]")
    badge = bell.locator("[data-notifications-unread]")
    expect(badge).to_be_hidden()

    anna = signed_in_page("anna@example.org")
    anna.goto(site.url + site.paths["THREAD"])
    anna.get_by_label(re.compile("your reply", re.I)).fill("Che ne dici, @bruno?")
    anna.get_by_role("button", name=re.compile("reply|send|post", re.I)).last.click()
    expect(anna.get_by_text("Che ne dici, @bruno?")).to_be_visible()

    # Bruno's home page, not reloaded, counts it.
    expect(badge).to_be_visible()
    expect(badge).to_contain_text("1")

    bell.click()
    dropdown = bruno.locator("[data-notifications-dropdown]")
    expect(dropdown).to_be_visible()
    expect(bell).to_have_attribute("aria-expanded", "true")
    dropdown.get_by_role("link", name=re.compile("mentioned you", re.I)).first.click()
    bruno.wait_for_url(re.compile(r"/t/|#post-|/p/"))
    expect(bruno.get_by_text("Che ne dici, @bruno?")).to_be_visible()
    expect(bruno.locator("[data-notifications-unread]")).to_be_hidden()
    assert problems == []


def mention(page, site, text):
    page.goto(site.url + site.paths["THREAD"])
    page.get_by_label(re.compile("your reply", re.I)).fill(text)
    page.get_by_role("button", name=re.compile("reply|send|post", re.I)).last.click()
    from playwright.sync_api import expect

    expect(page.get_by_text(text)).to_be_visible()


def test_the_dropdown_marks_all_read_and_closes_with_escape(
    site, signed_in_page, problems
):
    from playwright.sync_api import expect

    anna = signed_in_page("anna@example.org")
    mention(anna, site, "Prima domanda, @bruno")
    mention(anna, site, "Seconda domanda, @bruno")

    bruno = signed_in_page("bruno@example.org")
    bell = bruno.locator("[data-notifications-bell]")
    badge = bell.locator("[data-notifications-unread]")
    expect(badge).to_be_visible()
    dropdown = bruno.locator("[data-notifications-dropdown]")
    bell.click()
    expect(dropdown.get_by_text("mentioned you").first).to_be_visible()
    bruno.keyboard.press("Escape")
    expect(dropdown).to_be_hidden()
    expect(bell).to_have_attribute("aria-expanded", "false")

    here = bruno.url
    bell.click()
    dropdown.get_by_role("button", name=re.compile("mark all as read", re.I)).click()
    bruno.wait_for_load_state()
    assert bruno.url == here  # back where they were
    expect(bruno.locator("[data-notifications-unread]")).to_be_hidden()
    bruno.locator("[data-notifications-bell]").click()
    expect(bruno.locator("[data-notifications-dropdown] .notification--new")).to_have_count(0)
    assert problems == []
