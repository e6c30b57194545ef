"""Innovation pages update live, in two browsers: the seeker has the evaluation board
open while a solver submits a proposal, and the proposal's card appears on the board
without a reload; the solver has its proposal open while the seeker shortlists it,
and the page says "Shortlisted", with the seeker's message, without a reload."""

import re

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

SETUP = """
from allauth.account.models import EmailAddress
from community.models import User
from community.services import organisations
from innovation.models import Facilitator
from innovation.services import challenges, validation

people = {}
for name, display, organisation, kind in (
    ("anna", "Anna Lario", "Officine Lario", "enterprise"),
    ("fabio", "Fabio Sportello", None, None),
    ("ugo", "Ugo Adda", "Politecnico Adda", "university"),
):
    person = User.objects.create_user(name, f"{name}@example.org", "%(password)s")
    person.display_name = display
    person.language = "en"
    person.save()
    EmailAddress.objects.create(user=person, email=person.email, verified=True, primary=True)
    if organisation:
        organisations.organisation_create(
            actor=person, name=organisation, kind=kind, sector="Meccanica", region="Lombardia"
        )
    people[name] = User.objects.get(username=name)
Facilitator.objects.create(person=people["fabio"], is_active=True)
challenge = challenges.challenge_create(
    actor=people["anna"], title="Gripper for fragile glass",
    summary="A gripper that holds thin glass sheets.", details="Sheets of 0.3 mm.",
    challenge_type="technical_solution", collaboration_types=["licence"],
    sectors=["manufacturing"], criteria=[("Cost", 3)],
)
challenges.challenge_submit_for_validation(actor=people["anna"], challenge=challenge)
validation.item_publish(actor=people["fabio"], item=challenge)
print(f"CHALLENGE {challenge.get_absolute_url()}")
"""


def _mark(page):
    """Mark the document: a reload would lose the mark."""
    page.evaluate("window.__notReloaded = true")


def _not_reloaded(page):
    return page.evaluate("window.__notReloaded === true")


def test_the_board_and_the_proposal_update_without_reload(site, signed_in_page, problems):
    from playwright.sync_api import expect

    challenge_url = site.url + site.paths["CHALLENGE"]
    anna = signed_in_page("anna@example.org")
    anna.goto(challenge_url + "board/")
    expect(anna.locator("[data-live-status]")).to_have_attribute("data-state", "connected")
    expect(anna.locator(".proposal-column--submitted")).to_contain_text("No proposals here.")
    _mark(anna)

    # The solver proposes: the card appears on the open board.
    ugo = signed_in_page("ugo@example.org")
    ugo.goto(challenge_url)
    ugo.get_by_role("link", name="Submit a proposal").click()
    ugo.get_by_label("Title").fill("Electro-adhesive fingers")
    ugo.get_by_label("Non-confidential summary").fill(
        "Electro-adhesive pads hold glass without pressure."
    )
    ugo.get_by_role("button", name=re.compile("send|submit", re.I)).click()
    expect(ugo.locator(".messages")).to_contain_text("Your proposal was sent to the seeker")

    card = anna.locator(".proposal-column--submitted .proposal-card")
    expect(card).to_contain_text("Electro-adhesive fingers")
    expect(card).to_contain_text("Politecnico Adda")
    assert _not_reloaded(anna)
    # The swapped-in card's fields are enhanced as the page's were (length counters).
    expect(card.locator(".length-counter")).to_have_count(2)

    # The solver opens its proposal; the seeker shortlists it with a message.
    ugo.goto(challenge_url)
    ugo.get_by_role("link", name="See it").click()
    expect(ugo.locator(".page-header .badge")).to_have_text("Submitted")
    expect(ugo.locator("[data-live-status]")).to_have_attribute("data-state", "connected")
    _mark(ugo)
    card.get_by_label("Message to the solver").fill("Tell us more about the pads.")
    card.get_by_role("button", name="Shortlist").click()
    expect(anna.locator(".proposal-column--shortlisted")).to_contain_text(
        "Electro-adhesive fingers"
    )

    expect(ugo.locator(".page-header .badge")).to_have_text("Shortlisted")
    expect(ugo.locator(".proposal-history")).to_contain_text("Tell us more about the pads.")
    assert _not_reloaded(ugo)
    assert problems == []
