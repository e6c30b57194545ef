"""A member's bell counts a mention live while they read another page, and the
notifications page leads to the exact post, marking it read."""

import re

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

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
    bruno.wait_for_url(re.compile(r"/notifications/$"))
    bruno.get_by_role("link", name=re.compile("mentioned you", re.I)).first.click()
    bruno.wait_for_url(re.compile(r"/t/|#post-|/p/"))
    expect(bruno.get_by_text("Che ne dici, @bruno?")).to_be_visible()
    expect(bruno.locator("[data-notifications-unread]")).to_be_hidden()
    assert problems == []
