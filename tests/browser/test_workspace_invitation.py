"""A lead invites a partner organisation's administrator by username; the admin
accepts in their own browser; the lead's dashboard shows them joining without a
reload."""

import re

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group(__name__)]

SETUP = """
from allauth.account.models import EmailAddress
from community.models import User
from community.services import organisations
from workspaces.services import workspaces

people = {}
for name in ("lucia", "piero"):
    person = User.objects.create_user(name, f"{name}@example.org", "%(password)s")
    person.display_name = name.capitalize() + " Test"
    person.language = "en"
    person.save()
    EmailAddress.objects.create(user=person, email=person.email, verified=True, primary=True)
    people[name] = person
organisations.organisation_create(actor=people["lucia"], name="Officine Lario", kind="enterprise")
organisations.organisation_create(actor=people["piero"], name="Laboratori Adda", kind="university")
lucia = User.objects.get(username="lucia")
workspace = workspaces.workspace_create(
    actor=lucia, name="Giunti intelligenti", collaboration_type="joint_venture"
)
print(f"WORKSPACE {workspace.get_absolute_url()}")
print(f"PEOPLE {workspace.get_absolute_url()}people/")
"""


def test_a_partner_admin_accepts_and_the_lead_sees_it_live(
    site, signed_in_page, problems, artifacts
):
    from playwright.sync_api import expect

    lead = signed_in_page("lucia@example.org")
    lead.goto(site.url + site.paths["PEOPLE"])
    lead.get_by_label("Username or e-mail address").fill("piero")
    lead.get_by_role("button", name="Send invitation").click()
    expect(lead.locator(".messages")).to_contain_text("Invitation sent")
    # The invitee, named beside their avatar (initials here: no picture uploaded).
    expect(lead.locator(".name-avatar", has_text="Piero Test")).to_be_visible()

    # The lead watches the dashboard, live.
    lead.goto(site.url + site.paths["WORKSPACE"])
    expect(lead.locator("[data-live-status]")).to_have_text("Live")
    joined = lead.locator('[data-event-type="participant.joined"]')
    expect(joined).to_have_count(0)

    admin = signed_in_page("piero@example.org")
    admin.goto(site.url + "/w/invitations/")
    admin.get_by_role("link", name="Open").first.click()
    expect(admin.locator("h1")).to_contain_text("Giunti intelligenti")
    admin.get_by_role("button", name=re.compile("Accept, also for Laboratori Adda")).click()
    admin.wait_for_url(re.compile(re.escape(site.paths["WORKSPACE"]) + "$"))
    expect(admin.locator("h1")).to_contain_text("Giunti intelligenti")

    expect(joined).to_have_count(1)
    expect(joined).to_contain_text("Piero Test joined for Laboratori Adda")
    expect(lead.locator('[data-event-type="partner.joined"]')).to_contain_text(
        "Laboratori Adda"
    )
    # The rest of the dashboard follows: partners and people.
    expect(lead.locator('[data-live-part="aside"]')).to_contain_text("Piero Test")
    expect(lead.locator('[data-live-part="aside"]')).to_contain_text("Laboratori Adda")

    lead.screenshot(path=str(artifacts / "workspace-dashboard.png"), full_page=True)
    lead.goto(site.url + site.paths["PEOPLE"])
    lead.screenshot(path=str(artifacts / "workspace-people.png"), full_page=True)

    assert not problems, problems
    assert "Traceback" not in site.log.read_text(), site.log.read_text()
