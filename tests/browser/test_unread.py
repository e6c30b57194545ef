"""Unread tracking in the browser: Bruno reads half a thread and comes back; "Jump to
first unread" lands on the first post he has not seen. His Unread view lists the
thread with its count and follows new posts live, inserting a thread he had read."""

import re

import pytest

from tests.browser.scenarios import energia_thread_setup

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group(__name__)]

SITE_SETTINGS = {"RATE_LIMIT_POSTS": "1000"}

SETUP = (
    energia_thread_setup("anna", "bruno")
    + """
for number in range(2, 41):
    threads.post_reply(actor=anna, thread=thread, body=f"Risposta numero {number}")
second = threads.thread_create(
    actor=bruno, community=community, title="Seconda discussione", body="Già letta"
)
print(f"THREAD {thread.get_absolute_url()}")
print(f"SECOND {second.get_absolute_url()}")
"""
)


def test_jump_to_first_unread_and_the_live_unread_view(site, signed_in_page, problems):
    from playwright.sync_api import expect

    base_url, thread_path, log = site.url, site.paths["THREAD"], site.log
    anna = signed_in_page("anna@example.org")
    bruno = signed_in_page("bruno@example.org")

    # Bruno reads the first page (posts 1-30 of 40) and leaves.
    bruno.goto(base_url + thread_path)
    expect(bruno.locator("[data-first-unread]")).to_have_count(0)  # a first visit
    bruno.goto(f"{base_url}/unread/")
    expect(bruno.locator("[data-live-status]")).to_have_attribute(
        "data-state", "connected"
    )
    row = bruno.locator("[data-unread-row]", has_text="Accumulo termico")
    expect(row.locator("[data-unread-count]")).to_have_text("10")
    expect(bruno.locator("[data-unread-row]", has_text="Seconda discussione")).to_have_count(0)

    # Anna answers in the thread Bruno had read: its row appears on his open view.
    anna.goto(base_url + site.paths["SECOND"])
    expect(anna.locator("[data-live-status]")).to_have_attribute(
        "data-state", "connected"
    )
    anna.get_by_label(re.compile("your reply", re.I)).fill("Io no, ancora")
    anna.get_by_role("button", name=re.compile("reply|send|post", re.I)).last.click()
    inserted = bruno.locator("[data-unread-row]", has_text="Seconda discussione")
    expect(inserted.locator("[data-unread-count]")).to_have_text("1")

    # And in the long thread: its count goes up.
    anna.goto(base_url + thread_path + "?page=2")
    anna.get_by_label(re.compile("your reply", re.I)).fill("Ultima per oggi")
    anna.get_by_role("button", name=re.compile("reply|send|post", re.I)).last.click()
    expect(row.locator("[data-unread-count]")).to_have_text("11")

    # Bruno comes back to the thread: the link leads to post 31, on page 2.
    bruno.goto(base_url + thread_path)
    bruno.locator("[data-first-unread]").click()
    bruno.wait_for_url(re.compile(r"\?page=2#p\d+$"))
    first_unread = bruno.locator(".posts > li[data-number='31']")
    expect(first_unread).to_contain_text("Risposta numero 31")
    expect(first_unread).to_be_in_viewport()

    # While Bruno's page is open and visible, a reply arriving live is read too: the
    # page tells the server, and the thread stays out of his Unread view.
    anna.goto(base_url + thread_path + "?page=2")
    expect(anna.locator("[data-live-status]")).to_have_attribute(
        "data-state", "connected"
    )
    with bruno.expect_response(
        lambda response: response.url.endswith("/read/") and response.status == 204
    ):
        anna.get_by_label(re.compile("your reply", re.I)).fill("Letta dal vivo")
        anna.get_by_role("button", name=re.compile("reply|send|post", re.I)).last.click()
        expect(bruno.locator(".posts .post__body", has_text="Letta dal vivo")).to_be_visible()

    # Everything shown is read now: the Unread view keeps only the other thread.
    bruno.goto(f"{base_url}/unread/")
    expect(bruno.locator("[data-unread-row]", has_text="Accumulo termico")).to_have_count(0)
    expect(bruno.locator("[data-unread-row]", has_text="Seconda discussione")).to_have_count(1)

    # Muting the other thread from its page (the choice applies at once): it leaves
    # the Unread view.
    bruno.goto(base_url + site.paths["SECOND"])
    bruno.locator(".level-selector summary").click()
    expect(bruno.locator("[data-level-save]")).to_be_hidden()
    bruno.locator(".level-choice", has_text="Muted").locator("input").check()
    expect(bruno.locator("[data-level-current]")).to_have_text("Muted")
    expect(bruno.locator(".level-selector__form")).to_be_hidden()
    bruno.goto(f"{base_url}/unread/")
    expect(bruno.locator("[data-unread-empty]")).to_be_visible()

    assert not problems, problems
    assert "Traceback" not in log.read_text(), log.read_text()
