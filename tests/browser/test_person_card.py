"""A person's card on a desktop and on a phone: clicking a name on a thread page opens
the card (a dialog, focus inside), Escape closes it and gives focus back to the name,
Enter opens it again, and "Send a message" opens the conversation."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group(__name__)]

SETUP = """
import io
from allauth.account.models import EmailAddress
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from community.models import Organisation, User
from community.services import accounts, communities, memberships, threads

people = {}
for name, display in (("anna", "Anna Verdi"), ("bruno", "Bruno Bianchi")):
    person = User.objects.create_user(
        name, f"{name}@example.org", "%(password)s", display_name=display
    )
    EmailAddress.objects.create(user=person, email=person.email, verified=True, primary=True)
    people[name] = person
bruno = people["bruno"]
bruno.organisation = Organisation.objects.create(name="Fonderie Orobiche", slug="fonderie")
bruno.save(update_fields=["organisation"])
picture = io.BytesIO()
Image.new("RGB", (200, 200), (15, 107, 92)).save(picture, format="PNG")
accounts.profile_update(
    actor=bruno, display_name="Bruno Bianchi", bio="", expertise=[], language="en",
    time_zone="Europe/Rome", avatar=SimpleUploadedFile("b.png", picture.getvalue()),
)
community = communities.community_create(
    actor=people["anna"], name="Materiali", description="", visibility="public", themes=[]
)
memberships.community_join(actor=bruno, community=community)
thread = threads.thread_create(
    actor=bruno, community=community, title="Leghe leggere", body="Chi lavora sul magnesio?"
)
print("THREAD", thread.get_absolute_url())
print("COMMUNITY", community.get_absolute_url())
"""


@pytest.mark.parametrize("width", [1280, 390])
def test_a_name_opens_the_card_and_send_a_message_opens_the_conversation(
    site, signed_in_page, problems, artifacts, width
):
    from playwright.sync_api import expect

    page = signed_in_page("anna@example.org", width=width, height=800)
    # The thread list names who started each thread with their picture.
    page.goto(site.url + site.paths["COMMUNITY"])
    expect(
        page.locator(".thread-row .person__name img.avatar--xs").first
    ).to_be_visible()
    page.screenshot(path=str(artifacts / f"thread-rows-{width}.png"))

    page.goto(site.url + site.paths["THREAD"])
    name = page.locator(".post .person__name", has_text="Bruno Bianchi").first

    name.click()
    card = page.get_by_role("dialog", name="Bruno Bianchi")
    expect(card).to_be_visible()
    expect(card).to_contain_text("Fonderie Orobiche")
    expect(card.locator("img.avatar--lg")).to_be_visible()
    send = card.get_by_role("button", name="Send a message")
    expect(send).to_be_focused()
    box = card.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= width
    page.screenshot(path=str(artifacts / f"person-card-{width}.png"))

    page.keyboard.press("Escape")
    expect(card).to_have_count(0)
    expect(name).to_be_focused()
    page.keyboard.press("Enter")
    expect(card).to_be_visible()

    card.get_by_role("button", name="Send a message").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bruno Bianchi")
    expect(page.get_by_label("Message to Bruno Bianchi")).to_be_visible()
    assert "/c/dm-" in page.url
    assert problems == []
