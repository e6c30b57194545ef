"""Two members read the same thread: replies and edits appear for both without a reload."""

import re
import secrets

import pytest

from tests.browser.scenarios import (
    energia_thread_setup,
    reply_appears_live_for_both,
)

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group(__name__)]

SETUP = (
    energia_thread_setup("anna", "bruno")
    + """
print(f"THREAD {thread.get_absolute_url()}")
"""
)


def test_reply_and_edit_appear_live_for_the_other_reader(
    site, signed_in_page, problems
):
    from playwright.sync_api import expect

    base_url, thread_path, log = site.url, site.paths["THREAD"], site.log
    anna = signed_in_page("anna@example.org")
    bruno = signed_in_page("bruno@example.org")
    reply = reply_appears_live_for_both(anna, bruno, base_url, thread_path)
    # The author may edit their new post; the other reader may only quote it.
    new_post = bruno.locator(".posts > li").last
    expect(new_post.locator("[data-action='edit']")).to_have_count(0)
    expect(new_post.locator("[data-action='quote']")).to_have_count(1)
    expect(
        anna.locator(".posts > li").last.locator("[data-action='edit']")
    ).to_have_count(1)

    # Anna edits the reply on its own page; Bruno's open page follows.
    anna.locator(".posts > li").last.locator("[data-action='edit']").click()
    anna.get_by_role("textbox").fill(reply + " (aggiornato)")
    anna.get_by_role("button", name=re.compile("save", re.I)).click()
    expect(bruno.locator(".posts .post__body", has_text="(aggiornato)")).to_be_visible()
    expect(bruno.locator(".posts > li").last).to_contain_text("edited")

    assert not problems, problems
    assert "Traceback" not in log.read_text(), log.read_text()


def test_community_page_announces_a_new_thread(site, signed_in_page, problems):
    from playwright.sync_api import expect

    base_url, log = site.url, site.log
    anna = signed_in_page("anna@example.org")
    bruno = signed_in_page("bruno@example.org")
    anna.goto(f"{base_url}/c/energia/")
    expect(anna.locator("[data-live-status]")).to_have_attribute(
        "data-state", "connected"
    )
    expect(anna.locator("[data-new-threads]")).to_be_hidden()

    title = f"Comunità energetiche {secrets.token_hex(3)}"
    bruno.goto(f"{base_url}/c/energia/new/")
    bruno.get_by_label(re.compile("^title", re.I)).fill(title)
    bruno.get_by_label(re.compile("^message", re.I)).fill("Chi ne ha avviata una?")
    bruno.get_by_role(
        "button", name=re.compile("start|create|publish|post", re.I)
    ).click()

    bar = anna.locator("[data-new-threads]")
    expect(bar).to_be_visible()
    expect(bar).to_contain_text("1 new thread")
    bar.get_by_role("link").click()
    expect(anna.get_by_role("link", name=title)).to_be_visible()
    assert not problems, problems
    assert "Traceback" not in log.read_text(), log.read_text()


def test_a_reply_that_arrived_live_can_be_deleted_from_the_page(
    site, signed_in_page, problems
):
    from playwright.sync_api import expect

    base_url, thread_path, log = site.url, site.paths["THREAD"], site.log
    bruno = signed_in_page("bruno@example.org")
    bruno.goto(base_url + thread_path)
    expect(bruno.locator("[data-live-status]")).to_have_attribute(
        "data-state", "connected"
    )
    text = f"Da cancellare {secrets.token_hex(3)}"
    bruno.get_by_label(re.compile("your reply", re.I)).fill(text)
    bruno.get_by_role("button", name=re.compile("reply|send|post", re.I)).last.click()
    live_post = bruno.locator(".posts > li", has_text=text)
    expect(live_post).to_be_visible()
    # The shared fragment had no CSRF token: the page gave it one.
    bruno.on("dialog", lambda dialog: dialog.accept())
    live_post.locator("[data-action='delete'] button").click()
    expect(bruno.locator(".posts .post__placeholder").last).to_be_visible()
    expect(bruno.get_by_text(text)).to_have_count(0)
    assert not problems, problems
    assert "Traceback" not in log.read_text(), log.read_text()
