"""The desk's pages in a real browser: no script or CSP error, nothing wider than a
phone, the refusal form works without JavaScript. Screenshots go to
test-artifacts/desk-<page>-<width>.png."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group(__name__)]

SETUP = """
import datetime
from allauth.account.models import EmailAddress
from django.utils import timezone
from community.models import Affiliation, Organisation, User
from innovation.models import Challenge, Facilitator, FundingCall
from innovation.services import desk


def person(username, organisation=None):
    user = User.objects.create_user(username, f"{username}@example.org", "%(password)s",
                                    display_name=username.title(), language="en",
                                    organisation=organisation)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    if organisation:
        Affiliation.objects.create(user=user, organisation=organisation, role="admin", state="active")
    return user


firm = Organisation.objects.create(name="Officine Brambilla", slug="brambilla", kind="enterprise",
                                   sector="Advanced manufacturing")
lab = Organisation.objects.create(name="Politecnico", slug="poli", kind="university")
anna = person("anna", firm)
bruno = person("bruno", lab)
dora = person("dora")
Facilitator.objects.create(person=dora)
challenge = Challenge.objects.create(organisation=firm, created_by=anna, title="Recycled carbon fibre",
                                     summary="Recover fibre.", details="Process at 180 °C.",
                                     sectors=["manufacturing"], status="in_validation")
call = FundingCall.objects.create(title="Bando Hub Ricerca", body="Grants for **SMEs**.",
                                  deadline=timezone.localdate() + datetime.timedelta(days=20),
                                  eligible_kinds=["enterprise"], sectors=["manufacturing"],
                                  link="https://example.org/bando", published_by=dora)
call.tags.set(["robotics"])
firm.competences.add("robotics")
introduction = desk.introduction_create(actor=dora, first="anna", second="bruno", message="Meet on fibres.")
print("CHALLENGE", challenge.pk)
print("CALL", call.pk)
print("INTRO", introduction.pk)
"""

ARTIFACTS = Path("test-artifacts")


def _fits(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def _shot(page, name, width):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"desk-{name}-{width}.png"), full_page=True)


@pytest.mark.parametrize("width", [1280, 390])
def test_the_desk_pages_fit_and_refusing_works_without_javascript(
    site,  # noqa: F811 (the browser fixtures imported above)
    new_page,  # noqa: F811
    sign_in,  # noqa: F811
    problems,  # noqa: F811
    width,
):
    page = new_page(width=width)
    sign_in(page, "dora@example.org")
    pages = {
        "queue": "/innovation/desk/",
        "item": f"/innovation/desk/challenge/{site.paths['CHALLENGE']}/",
        "calls": "/innovation/funding/",
        "call": f"/innovation/funding/{site.paths['CALL']}/",
        "introduction": f"/innovation/introductions/{site.paths['INTRO']}/",
    }
    for name, path in pages.items():
        page.goto(site.url + path)
        assert _fits(page), name
        _shot(page, name, width)
    if width == 390:
        return
    page.goto(site.url + pages["item"])
    # The browser itself asks for a reason first (the server says so too, see
    # test_validation_queue).
    expect(page.get_by_label("Why it goes back to draft")).to_have_attribute(
        "required", ""
    )
    page.get_by_label("Why it goes back to draft").fill("Add the target cost.")
    page.get_by_role("button", name="Refuse: back to draft").click()
    page.wait_for_url(re.compile(r"/innovation/desk/$"))
    expect(page.get_by_text("Nothing is waiting for validation.")).to_be_visible()
    assert problems == []
