"""A moderator works the review queue in one browser while the reported author's
thread page is open in another: a new report reaches the open queue (and the
navigation's count) without a reload,
the post the moderator hides turns into the placeholder on the author's page at once,
and once silenced from the member list the author's open page says at once until when
and why (the draft kept, the button waiting), a reply sent anyway is refused, and the
reloaded page shows the notice in place of the composer."""

import re

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group(__name__)]

SETUP = """
from allauth.account.models import EmailAddress
from community.services import communities, memberships, reports, threads
from community.models import Membership, Report, User

people = {}
for name in ("anna", "marta", "bruno", "carla", "dario"):
    person = User.objects.create_user(name, f"{name}@example.org", "%(password)s")
    person.language = "en"
    person.save(update_fields=["language"])
    EmailAddress.objects.create(user=person, email=person.email, verified=True, primary=True)
    people[name] = person
community = communities.community_create(
    actor=people["anna"], name="Energia", description="", visibility="public", themes=[]
)
for name in ("marta", "bruno", "carla", "dario"):
    memberships.community_join(actor=people[name], community=community)
memberships.membership_set_role(
    actor=people["anna"],
    membership=Membership.objects.select_related("user").get(
        user=people["marta"], community=community
    ),
    role="moderator",
)
thread = threads.thread_create(
    actor=people["anna"], community=community, title="Accumulo termico", body="Chi lo usa?"
)
post = threads.post_reply(
    actor=people["bruno"], thread=thread, body="Offerta imperdibile: compra SPAM123 ora"
)
reports.post_report(actor=people["carla"], post=post, reason=Report.Reason.SPAM)
other = threads.post_reply(actor=people["carla"], thread=thread, body="Io uso i sali fusi.")
print(f"THREAD {thread.get_absolute_url()}")
print(f"OTHER {other.pk}")
print(f"SLUG {community.slug}")
print(f"POST {post.pk}")
"""


def test_a_moderator_hides_a_reported_post_and_silences_its_author_live(
    site, signed_in_page, problems
):
    from playwright.sync_api import expect

    base_url, paths, log = site.url, site.paths, site.log
    slug = paths["SLUG"]

    # The author reads the thread, live.
    bruno = signed_in_page("bruno@example.org")
    bruno.goto(base_url + paths["THREAD"])
    expect(bruno.locator("[data-live-status]")).to_have_attribute(
        "data-state", "connected"
    )
    reported = bruno.locator(f"#p{paths['POST']}")
    expect(reported).to_contain_text("SPAM123")

    # The moderator's queue shows the item; a second report arrives while it is open.
    marta = signed_in_page("marta@example.org")
    marta.goto(f"{base_url}/c/{slug}/moderation/queue/")
    item = marta.locator(".review-item")
    expect(item).to_have_count(1)
    expect(item).to_contain_text("1 report")
    badge = marta.locator("[data-review-nav] [data-review-open]")
    expect(badge).to_have_text(re.compile(r"^1"))

    dario = signed_in_page("dario@example.org")
    dario.goto(f"{base_url}/p/{paths['POST']}/report/")
    dario.get_by_label("Off-topic").check()
    dario.get_by_role("button", name="Send the report").click()
    expect(dario.locator(".messages, [role=status], .message").first).to_be_visible()
    expect(item).to_contain_text("2 reports")  # no reload on the moderator's side

    # The moderator hides the post with a reason.
    item.get_by_role("link").first.click()
    marta.get_by_label("Post hidden").check()
    marta.get_by_label(re.compile("Reason")).fill("Pubblicità non richiesta")
    marta.get_by_role("button", name="Decide").click()
    marta.wait_for_url(re.compile(r"/moderation/queue/$"))
    expect(marta.locator(".review-item")).to_have_count(0)
    expect(badge).to_be_hidden()

    # The author's open page shows the placeholder at once, without the text.
    expect(reported).to_contain_text("This post was hidden by a moderator.")
    expect(reported).not_to_contain_text("SPAM123")

    # The moderator silences the author from the member list.
    marta.goto(f"{base_url}/c/{slug}/moderation/members/?q=bruno")
    row = marta.locator("tr[data-member='bruno']")
    row.locator("summary").click()
    row.get_by_label("Action").select_option("silence")
    row.get_by_label("For (days)").fill("2")
    row.get_by_label("Reason").fill("Spam ripetuto")
    row.get_by_role("button", name="Apply").click()
    expect(marta.get_by_text("bruno is silenced.")).to_be_visible()
    expect(marta.locator("tr[data-member='bruno']")).to_contain_text("Silenced")

    # Another report while the moderator is on another page: the navigation's count
    # appears without a reload.
    expect(marta.locator("[data-review-nav] [data-review-open]")).to_be_hidden()
    marta.wait_for_load_state("networkidle")  # the count fetched, its streams followed
    dario.goto(f"{base_url}/p/{paths['OTHER']}/report/")
    dario.get_by_label("Spam").check()
    dario.get_by_role("button", name="Send the report").click()
    live_badge = marta.locator("[data-review-nav] [data-review-open]")
    expect(live_badge).to_be_visible()
    expect(live_badge).to_have_text(re.compile(r"^1"))

    # The author's page, still open, says at once until when and why, above the
    # composer; the draft stays and the button waits.
    silenced = bruno.locator("[data-silenced]")
    expect(silenced).to_contain_text(
        re.compile(r"A moderator has silenced you in this community until .*\d{4}")
    )
    expect(silenced).to_contain_text("Reason: Spam ripetuto")
    textarea = bruno.get_by_label(re.compile("your reply", re.I))
    textarea.fill("Ultima offerta SPAM456")
    expect(bruno.get_by_role("button", name=re.compile("post reply", re.I))).to_be_disabled()
    expect(textarea).to_have_value("Ultima offerta SPAM456")

    # Sent anyway (Ctrl+Enter, a stale page): refused saying until when, text kept.
    bruno.evaluate("document.querySelector('form[data-composer] button[type=submit]').disabled = false")
    bruno.get_by_role("button", name=re.compile("post reply", re.I)).click()
    expect(
        bruno.get_by_text(
            re.compile(r"A moderator has silenced you in this community until .*\d{4}")
        ).nth(1)
    ).to_be_visible()
    expect(textarea).to_have_value("Ultima offerta SPAM456")
    expect(bruno.locator(".post", has_text="SPAM456")).to_have_count(0)

    # Reloaded, the notice takes the composer's place.
    bruno.reload()
    expect(bruno.locator("[data-silenced]")).to_contain_text("Reason: Spam ripetuto")
    expect(bruno.get_by_label(re.compile("your reply", re.I))).to_have_count(0)

    assert not problems, problems
    assert "Traceback" not in log.read_text(), log.read_text()
