"""The suggestions page in Chromium: "Not relevant" removes the card in place (the
tab's count goes down, the empty state shows when the last one goes), without
script errors or CSP violations; a screenshot is left in test-artifacts/."""

import re

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group(__name__)]

SETUP = """
import datetime
from allauth.account.models import EmailAddress
from django.utils import timezone
from community.models import User
from community.services import organisations
from innovation.models import TechnologyOffer

def person(name):
    user = User.objects.create_user(name, f"{name}@example.org", "%(password)s")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user

giulia, marco = person("giulia"), person("marco")
firm = organisations.organisation_create(
    actor=giulia, name="Meccanica Brianza", kind="enterprise", sector="Macchine utensili",
    competences=["automazione"], interests=["robotica", "visione artificiale"],
)
university = organisations.organisation_create(
    actor=marco, name="Politecnico Lombardo", kind="university", sector="Ingegneria",
    competences=["robotica"], interests=["trasferimento tecnologico"],
)
for title, tags in [
    ("Cella robotizzata collaborativa", ["robotica", "automazione"]),
    ("Ispezione visiva delle superfici", ["visione artificiale"]),
]:
    offer = TechnologyOffer.objects.create(
        organisation=university, title=title, summary="Una tecnologia del Politecnico.",
        trl=6, ip_status="granted_patent", status="published",
        published_at=timezone.now(), expires_at=timezone.now() + datetime.timedelta(days=90),
    )
    offer.tags.add(*tags)
print("URL /innovation/suggestions/?tab=offers")
"""


def test_not_relevant_removes_the_card_in_place(site, signed_in_page, problems, artifacts):
    from playwright.sync_api import expect

    page = signed_in_page("giulia@example.org")
    page.goto(site.url + site.paths["URL"])
    cards = page.locator("[data-suggestion]")
    expect(cards).to_have_count(2)
    expect(page.locator("[data-suggestion-count]")).to_have_text("2")
    expect(cards.first).to_contain_text("robotica")
    page.screenshot(path=str(artifacts / "innovation-suggestions.png"), full_page=True)

    url = page.url
    cards.first.get_by_role("button", name=re.compile("not relevant", re.I)).click()
    expect(cards).to_have_count(1)
    expect(page.locator("[data-suggestion-count]")).to_have_text("1")
    assert page.url == url  # no reload: the card went in place
    cards.first.get_by_role("button", name=re.compile("not relevant", re.I)).click()
    expect(cards).to_have_count(0)
    expect(page.locator("[data-suggestion-empty]")).to_be_visible()

    page.reload()
    expect(page.locator("[data-suggestion]")).to_have_count(0)
    expect(page.get_by_text("Suggest it again")).to_have_count(2)
    assert problems == []
