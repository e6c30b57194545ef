"""Mentions in the composers: typing "@gi" lists the people who may read the thread
(a banned member and strangers are not among them); the arrow keys and Enter or Tab
choose, and "@username " is written where the letters were — in a room, Enter picks
the person instead of sending."""

import re

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group(__name__)]

SETUP = """
from allauth.account.models import EmailAddress
from community.models import Membership, User
from community.services import communities, rooms, threads

def person(username, name):
    user = User.objects.create_user(username, f"{username}@example.org", "%(password)s", display_name=name)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user

anna = person("anna", "Anna Verdi")
gianni = person("gianni", "Gianni Bassi")
giorgia = person("giorgia", "Giorgia Neri")
person("gilberto", "Gilberto Estraneo")
community = communities.community_create(
    actor=anna, name="Officina riservata", description="", visibility="private", themes=[]
)
Membership.objects.create(user=gianni, community=community, state="active")
Membership.objects.create(user=giorgia, community=community, state="banned")
thread = threads.thread_create(actor=anna, community=community, title="Collaudo", body="Chi viene?")
room = rooms.room_create(actor=anna, community=community, name="Banco prove")
print(f"THREAD {thread.get_absolute_url()}")
print(f"ROOM {room.get_absolute_url()}")
"""


def suggestions(page):
    return page.get_by_role("listbox", name="People to mention")


def test_typing_at_gi_in_a_reply_suggests_readers_and_the_keyboard_chooses(
    site, signed_in_page, problems
):
    page = signed_in_page("anna@example.org")
    page.goto(site.url + site.paths["THREAD"])
    body = page.locator("form[data-composer] textarea[name=body]")

    body.press_sequentially("Ciao @gi", delay=40)
    listbox = suggestions(page)
    listbox.get_by_role("option").first.wait_for()
    names = listbox.get_by_role("option").all_inner_texts()
    assert len(names) == 1 and "Gianni Bassi" in names[0] and "@gianni" in names[0]
    assert body.get_attribute("aria-expanded") == "true"

    body.press("ArrowDown")
    option = listbox.get_by_role("option", name=re.compile("Gianni"))
    assert option.get_attribute("aria-selected") == "true"
    body.press("Enter")

    assert listbox.is_hidden()
    assert body.input_value() == "Ciao @gianni "
    body.press_sequentially("domani?")
    assert body.input_value() == "Ciao @gianni domani?"
    assert problems == []


def test_in_a_room_tab_chooses_and_escape_closes_without_sending(
    site, signed_in_page, problems
):
    page = signed_in_page("anna@example.org")
    page.goto(site.url + site.paths["ROOM"])
    body = page.locator("form[data-room-composer] textarea[name=body]")

    body.press_sequentially("@gia", delay=40)
    listbox = suggestions(page)
    listbox.get_by_role("option").first.wait_for()
    body.press("Tab")
    assert body.input_value() == "@gianni "

    body.press_sequentially("e @gi", delay=40)
    listbox.get_by_role("option").first.wait_for()
    body.press("Escape")
    assert listbox.is_hidden()
    body.press("Enter")  # now Enter sends the message
    page.locator(".room-message, [data-post-id]").filter(
        has_text="@gianni e @gi"
    ).first.wait_for()
    assert problems == []
