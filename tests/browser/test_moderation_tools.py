"""The Moderate menu in a real browser: a moderator locks, renames and hides while a
reader's open page follows without reloading, and the moderator's other open tab
shows the hidden post marked (fetched for them; the reader's socket never has it)."""

import re

import pytest

from tests.browser.scenarios import energia_thread_setup

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group(__name__)]

SECRET = "Prezzo riservato 12.400 euro"

SETUP = (
    energia_thread_setup("anna", "bruno", "carla")
    + """
post = threads.post_reply(actor=bruno, thread=thread, body="%(secret)s")
print(f"THREAD {thread.get_absolute_url()}")
print(f"POST {post.pk}")
""".replace("%(secret)s", SECRET)
)


def test_a_reader_follows_lock_rename_and_hide_live_and_a_moderator_sees_the_mark(
    site, signed_in_page, problems
):
    from playwright.sync_api import expect

    url = site.url + site.paths["THREAD"]
    post = f"#p{site.paths['POST']}"
    reader = signed_in_page("carla@example.org")
    reader.goto(url)
    watcher = signed_in_page("anna@example.org")
    watcher.goto(url)
    moderator = signed_in_page("anna@example.org")
    moderator.goto(url)
    for page in (reader, watcher):
        expect(page.locator("[data-live-status]")).to_have_attribute(
            "data-state", "connected"
        )
        page.evaluate("window.notReloaded = true")
    expect(reader.locator("[data-moderate-menu]")).to_have_count(0)
    expect(reader.locator("form[data-composer]")).to_be_visible()

    # Lock, through the menu's plain form.
    moderator.locator("[data-moderate-menu] summary").click()
    moderator.get_by_role("button", name="Lock the thread").click()
    moderator.wait_for_load_state()
    expect(reader.locator("[data-locked-badge]")).to_be_visible()
    expect(reader.locator("form[data-composer]")).to_be_hidden()
    expect(reader.locator("[data-locked-notice]")).to_be_visible()
    expect(watcher.locator("form[data-composer]")).to_be_visible()

    # Rename.
    moderator.locator("[data-moderate-menu] summary").click()
    moderator.get_by_label("New title").fill("Accumulo termico e sali fusi")
    moderator.get_by_role("button", name="Rename", exact=True).click()
    expect(reader.locator(".thread-header h1")).to_have_text(
        "Accumulo termico e sali fusi"
    )
    # The tab's title follows too, though the event names only the new title.
    expect(reader).to_have_title(re.compile("^Accumulo termico e sali fusi"))

    # Hide the reply, from its moderation page.
    moderator.locator(post).get_by_role("link", name="Moderate").click()
    moderator.get_by_label(re.compile("Reason")).fill("Dati commerciali")
    moderator.get_by_role("button", name="Hide from readers").click()
    expect(reader.locator(post)).to_contain_text("This post was hidden by a moderator.")
    expect(reader.locator(post)).not_to_contain_text(SECRET)
    expect(watcher.locator(f"{post} [data-hidden-mark]")).to_contain_text(
        "Dati commerciali"
    )
    expect(watcher.locator(post)).to_contain_text(SECRET)
    expect(watcher.locator(post).get_by_role("button", name="Restore")).to_be_visible()

    for page in (reader, watcher):
        assert page.evaluate("window.notReloaded") is True
    assert SECRET not in reader.content()
    assert not problems, problems
