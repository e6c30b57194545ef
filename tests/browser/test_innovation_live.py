"""Innovation pages update live, in two browsers: the seeker has the evaluation board
open while a solver submits a proposal, and the proposal's card appears on the board
without a reload; the solver has its proposal open while the seeker shortlists it,
and the page says "Shortlisted", with the seeker's message, without a reload. What the
seeker half-writes on the board (and the sections they opened) survives a live swap."""

import re

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group(__name__)]

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
    ("vera", "Vera Brianza", "Vetri Brianza", "enterprise"),
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

from innovation.services import proposals
kiln = challenges.challenge_create(
    actor=people["anna"], title="Sensor for kiln temperature",
    summary="Read the temperature inside a glass kiln.", details="Up to 1200 C.",
    challenge_type="technical_solution", collaboration_types=["licence"],
    sectors=["manufacturing"], criteria=[("Accuracy", 2)],
)
challenges.challenge_submit_for_validation(actor=people["anna"], challenge=kiln)
validation.item_publish(actor=people["fabio"], item=kiln)
proposals.proposal_submit(
    actor=people["ugo"], challenge=kiln, title="Fibre-optic probe",
    summary="A sapphire fibre reads the kiln's temperature.",
)
print(f"KILN {kiln.get_absolute_url()}")
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


def test_the_board_keeps_what_the_seeker_is_writing(site, signed_in_page, problems):
    """A half-written note on a card outlives a live swap of the board after the
    field lost focus, and the sections the seeker opened stay open; once the note is
    cleared the board catches up with what it kept back."""
    from playwright.sync_api import expect

    kiln_url = site.url + site.paths["KILN"]
    anna = signed_in_page("anna@example.org")
    anna.goto(kiln_url + "board/")
    expect(anna.locator("[data-live-status]")).to_have_attribute("data-state", "connected")
    card = anna.locator(".proposal-card", has_text="Fibre-optic probe")
    scores, note = card.locator("details").nth(0), card.locator("details").nth(1)
    scores.locator("summary").click()
    note.locator("summary").click()
    card.get_by_label("Private note").fill("Ask about the probe's drift")
    anna.get_by_role("heading", name="Evaluation board").click()  # reads elsewhere
    _mark(anna)
    # A column the seeker does not work in: gone once the board was swapped.
    anna.evaluate("document.querySelector('.proposal-column--shortlisted').dataset.old = '1'")

    # Another solver proposes: the board reads itself again.
    vera = signed_in_page("vera@example.org")
    vera.goto(kiln_url)
    vera.get_by_role("link", name="Submit a proposal").click()
    vera.get_by_label("Title").fill("Pyrometer array")
    vera.get_by_label("Non-confidential summary").fill("Infrared pyrometers through the wall.")
    vera.get_by_role("button", name=re.compile("send|submit", re.I)).click()
    expect(vera.locator(".messages")).to_contain_text("Your proposal was sent to the seeker")

    expect(anna.locator(".proposal-column--shortlisted[data-old]")).to_have_count(0)
    expect(card.get_by_label("Private note")).to_have_value("Ask about the probe's drift")
    expect(scores).to_have_attribute("open", "")
    expect(note).to_have_attribute("open", "")

    # The note given up: the kept column catches up, its sections still open.
    card.get_by_label("Private note").fill("")
    anna.get_by_role("heading", name="Evaluation board").click()
    submitted = anna.locator(".proposal-column--submitted")
    expect(submitted).to_contain_text("Pyrometer array")
    expect(scores).to_have_attribute("open", "")
    expect(note).to_have_attribute("open", "")
    assert _not_reloaded(anna)
    assert problems == []
