"""A challenge from draft to workspace, in four browsers: a firm's administrator drafts
it and asks the innovation desk for help; a facilitator takes the draft and edits it;
the firm sends it for validation and the facilitator approves it from the desk's queue;
a university researcher finds it in the list and proposes; the firm shortlists, then
accepts with a message from the evaluation board; both open the new workspace. Then the
innovation pages on a phone (390 px) never scroll sideways. Along the way each person's
bell tells them of the step that concerns them, without reloading."""

import re

import pytest

from tests.browser.test_layout import OVERFLOW_JS

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group(__name__)]

SETUP = """
from allauth.account.models import EmailAddress
from community.models import User
from community.services import organisations
from innovation.models import Facilitator
from innovation.services import challenges, offers, proposals, validation

people = {}
for name, display, organisation, kind in (
    ("anna", "Anna Lario", "Officine Lario", "enterprise"),
    ("fabio", "Fabio Sportello", None, None),
    ("ugo", "Ugo Adda", "Politecnico Adda", "university"),
    ("sara", "Sara Staff", None, None),
):
    person = User.objects.create_user(name, f"{name}@example.org", "%(password)s")
    person.display_name = display
    person.language = "en"
    person.is_staff = name == "sara"
    person.save()
    EmailAddress.objects.create(user=person, email=person.email, verified=True, primary=True)
    if organisation:
        organisations.organisation_create(
            actor=person, name=organisation, kind=kind, sector="Meccanica", region="Lombardia"
        )
    people[name] = User.objects.get(username=name)
Facilitator.objects.create(person=people["fabio"], is_active=True)

# An open challenge with a proposal and a published offer, for the phone pages;
# long unbroken words stand for what people type.
long = "Sensoristicaintelligenteperlamanifattura" * 4
challenge = challenges.challenge_create(
    actor=people["anna"], title="Vision " + long[:120], summary=long + " " + long,
    details=long, challenge_type="technical_solution",
    collaboration_types=["licence"], sectors=["manufacturing"],
    award="50.000 " + long[:100], tags=[long[:40]], criteria=[("Costo " + long[:60], 3)],
)
challenges.challenge_submit_for_validation(actor=people["anna"], challenge=challenge)
validation.item_publish(actor=people["fabio"], item=challenge)
proposals.proposal_submit(
    actor=people["ugo"], challenge=challenge, title="Visione " + long[:100], summary=long * 2
)
offer = offers.offer_create(
    actor=people["ugo"], title="Brevetto " + long[:100], summary=long * 2, trl=4,
    ip_status="know_how", collaboration_types=["licence"], sectors=["manufacturing"],
    tags=[long[:40]],
)
offers.offer_submit(actor=people["ugo"], offer=offer)
validation.item_publish(actor=people["fabio"], item=offer)
print(f"PHONECHALLENGE {challenge.get_absolute_url()}")
print(f"PHONEBOARD {challenge.get_absolute_url()}board/")
"""


def _flash(page):
    return page.locator(".messages")


def _bell_says(page, words):
    """The bell counts something new (live, without reload) and its dropdown says it."""
    from playwright.sync_api import expect

    bell = page.locator("[data-notifications-bell]")
    expect(bell.locator("[data-notifications-unread]")).to_be_visible()
    bell.click()
    expect(page.locator("[data-notifications-dropdown]")).to_contain_text(words)
    page.keyboard.press("Escape")


def test_a_challenge_from_draft_to_workspace(site, signed_in_page, problems):
    from playwright.sync_api import expect

    size = {"width": 1280, "height": 900}
    anna = signed_in_page("anna@example.org", **size)

    # The firm's administrator drafts a challenge.
    anna.goto(site.url + "/innovation/challenges/new/")
    anna.get_by_label("Title").fill("Gripper for fragile glass")
    anna.get_by_label("Summary").fill(
        "We look for a soft gripper that handles thin glass."
    )
    anna.get_by_label("Details").fill("Parts up to 2 kg, cycle time under 4 s.")
    anna.get_by_label("Type").select_option("technical_solution")
    anna.get_by_label("Evaluation criteria").fill("Cost | 3\nFeasibility | 2")
    anna.get_by_role("button", name=re.compile("save", re.I)).click()
    expect(_flash(anna)).to_contain_text("Your draft is saved")
    expect(anna.locator("h1")).to_have_text("Gripper for fragile glass")
    expect(anna.locator(".page-header .badge")).to_contain_text("Draft")
    draft_url = anna.url

    # ... and asks the innovation desk for help.
    anna.get_by_role("button", name="Ask the innovation desk").click()
    expect(anna.get_by_text("You asked the innovation desk for help")).to_be_visible()

    # The facilitator's bell tells of the request; it leads to the desk.
    fabio = signed_in_page("fabio@example.org", **size)
    fabio.goto(site.url + "/innovation/desk/")
    _bell_says(fabio, "Officine Lario asks the innovation desk for help")
    requests = fabio.locator("section", has=fabio.locator("#requests-heading"))
    expect(requests).to_contain_text("Gripper for fragile glass")
    requests.get_by_role("link", name="Gripper for fragile glass").click()
    fabio.get_by_role("button", name="Help with this draft").click()
    fabio.goto(draft_url)
    expect(fabio.get_by_text("Helped by")).to_contain_text("Fabio Sportello")
    fabio.get_by_role("link", name="Edit").click()
    fabio.get_by_label("Summary").fill(
        "A soft gripper that handles thin glass sheets without marks."
    )
    fabio.get_by_role("button", name=re.compile("save", re.I)).click()
    expect(_flash(fabio)).to_contain_text("The draft is saved")
    expect(fabio.locator("#challenge-summary + p")).to_contain_text("without marks")

    # The firm sends it for validation; the facilitator approves it in the queue.
    anna.goto(draft_url)
    expect(anna.locator("#challenge-summary + p")).to_contain_text("without marks")
    anna.get_by_role("button", name="Send for validation").click()
    expect(_flash(anna)).to_contain_text("Sent to the innovation desk for validation")
    fabio.goto(site.url + "/innovation/desk/")
    queue = fabio.locator("section", has=fabio.locator("#queue-heading"))
    queue.get_by_role("link", name="Gripper for fragile glass").click()
    fabio.get_by_role("button", name="Approve and publish").click()
    expect(_flash(fabio)).to_contain_text("Approved and published")
    anna.reload()
    expect(anna.locator(".page-header .badge")).to_contain_text("Open")
    fabio.goto(site.url + "/innovation/desk/")
    expect(queue).not_to_contain_text("Gripper for fragile glass")

    # A university researcher finds it in the list and proposes.
    ugo = signed_in_page("ugo@example.org", **size)
    ugo.goto(site.url + "/innovation/challenges/")
    ugo.get_by_role("link", name="Gripper for fragile glass").click()
    expect(ugo.locator(".page-header .badge")).to_contain_text("Open")
    ugo.get_by_role("link", name="Submit a proposal").click()
    ugo.get_by_label("Title").fill("Electro-adhesive fingers")
    ugo.get_by_label("Non-confidential summary").fill(
        "Electro-adhesive pads hold glass without pressure."
    )
    ugo.get_by_role("button", name=re.compile("send|submit", re.I)).click()
    expect(_flash(ugo)).to_contain_text("Your proposal was sent to the seeker")

    # The firm's bell tells of the proposal, live on the page it has open.
    _bell_says(anna, "Politecnico Adda sent a proposal to your challenge")

    # The firm shortlists it, then accepts it with a message, from the board.
    anna.goto(draft_url)
    anna.get_by_role("link", name="Evaluation board").click()
    expect(anna.locator("h1")).to_have_text("Evaluation board")
    card = anna.locator(".proposal-card", has_text="Electro-adhesive fingers")
    expect(card).to_contain_text("Politecnico Adda")
    card.get_by_role("button", name="Shortlist").click()
    expect(anna.locator(".proposal-column--shortlisted")).to_contain_text(
        "Electro-adhesive fingers"
    )
    # The solver hears of it live, on the page it has open.
    _bell_says(ugo, "shortlisted your proposal")
    card = anna.locator(".proposal-card", has_text="Electro-adhesive fingers")
    card.get_by_label("Message to the solver").fill(
        "Welcome aboard: let us start in May."
    )
    card.get_by_role("button", name="Accept and open a workspace").click()
    expect(_flash(anna)).to_contain_text("a workspace is open for both organisations")
    workspace_url = anna.url
    anna.goto(draft_url + "board/")
    expect(anna.locator(".proposal-column--accepted")).to_contain_text(
        "Electro-adhesive fingers"
    )

    # Both open the new workspace; it lists both organisations.
    for page in (anna, ugo):
        page.goto(workspace_url)
        expect(page.locator("h1")).to_contain_text("Gripper for fragile glass")
        page.goto(workspace_url + "people/")
        expect(page.locator("main")).to_contain_text("Officine Lario")
        expect(page.locator("main")).to_contain_text("Politecnico Adda")

    # The solver reads the firm's message on their proposal.
    ugo.goto(draft_url)
    expect(ugo.locator("main")).to_contain_text(
        "Your organisation's proposal: Accepted"
    )
    ugo.get_by_role("link", name="See it").click()
    expect(ugo.locator("main")).to_contain_text("Welcome aboard: let us start in May.")

    assert not problems, problems
    assert "Traceback" not in site.log.read_text(), site.log.read_text()


PHONE_PAGES = (
    ("anna@example.org", "/innovation/challenges/", "challenge list"),
    ("ugo@example.org", "PHONECHALLENGE", "challenge page"),
    ("anna@example.org", "PHONEBOARD", "evaluation board"),
    ("anna@example.org", "/innovation/offers/", "offer list"),
    ("sara@example.org", "/innovation/dashboard/", "regional dashboard"),
    ("fabio@example.org", "/innovation/desk/", "innovation desk"),
)


def test_innovation_pages_never_scroll_sideways_on_a_phone(
    site, signed_in_page, problems, artifacts
):
    from playwright.sync_api import expect

    pages = {}
    for email, path, name in PHONE_PAGES:
        if email not in pages:
            pages[email] = signed_in_page(email, width=390, height=844)
        page = pages[email]
        page.goto(site.url + site.paths.get(path, path))
        expect(page.locator("h1")).to_be_visible()
        page.screenshot(
            path=artifacts / f"innovation-{name.replace(' ', '-')}-390.png",
            full_page=True,
        )
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 390:
            problems.append(f"{name}: the document is {width}px wide in 390px")
        for overflow in page.evaluate(OVERFLOW_JS):
            problems.append(f"{name}: {overflow}")
    assert not problems, problems
