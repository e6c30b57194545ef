"""Documents in the browser: a member drops and chooses files, the progress bar
fills as the upload goes (one request a file, XMLHttpRequest upload progress), the
documents appear in the list, and the lead's open pages (the documents list and the
dashboard's activity feed) show them without a reload."""

import re

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group(__name__)]

SETUP = """
from allauth.account.models import EmailAddress
from community.models import Affiliation, Organisation, User
from workspaces.models import Participant
from workspaces.services import people, workspaces

def person(name, organisation):
    user = User.objects.create_user(
        name, f"{name}@example.org", "%(password)s", organisation=organisation
    )
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    Affiliation.objects.create(
        user=user, organisation=organisation,
        state=Affiliation.State.ACTIVE, role=Affiliation.Role.ADMIN,
    )
    return user

lead_org = Organisation.objects.create(name="Meccanica Brianza", slug="meccanica-brianza")
partner_org = Organisation.objects.create(name="Politecnico Lab", slug="politecnico-lab")
anna = person("anna", lead_org)
bruno = person("bruno", partner_org)
workspace = workspaces.workspace_create(
    actor=anna, name="Progetto Turbina", description="",
    collaboration_type="joint_venture",
)
people.participant_add(
    actor=anna, workspace=workspace, user=bruno, organisation=partner_org,
    role=Participant.Role.MEMBER,
)
print(f"DOCUMENTS /w/{workspace.pk}/documents/")
print(f"DASHBOARD /w/{workspace.pk}/")
"""


def big_pdf(path, megabytes=4):
    """A valid PDF padded with comment lines, large enough for a visible upload."""
    from workspaces.demo_documents import pdf_bytes

    content = pdf_bytes(title="Disegni turbina", pages=[["Rotore", "Statore"]])
    line = b"% " + b"0" * 1000 + b"\n"
    content += line * (megabytes * 1024 * 1024 // len(line))
    path.write_bytes(content)
    return path


def watch_progress(page):
    """Record every value the progress bar takes."""
    page.evaluate(
        """() => {
          window.progressSeen = [];
          const bar = document.querySelector("form[data-upload-form] [data-upload-progress]");
          new MutationObserver(() => window.progressSeen.push(bar.value)).observe(
            bar, { attributes: true }
          );
        }"""
    )


def slow_uploads(page):
    """About 2 MB/s up: the upload takes long enough to report progress."""
    session = page.context.new_cdp_session(page)
    session.send("Network.enable")
    session.send(
        "Network.emulateNetworkConditions",
        {
            "offline": False,
            "latency": 0,
            "downloadThroughput": -1,
            "uploadThroughput": 2 * 1024 * 1024,
        },
    )


def test_a_member_uploads_with_progress_and_the_lead_sees_it_live(
    site, signed_in_page, problems, tmp_path, artifacts
):
    from playwright.sync_api import expect

    url = site.url + site.paths["DOCUMENTS"]
    anna = signed_in_page("anna@example.org")
    anna.goto(url)
    expect(anna.locator("[data-live-status]")).to_have_attribute(
        "data-state", "connected"
    )
    expect(anna.locator("[data-document-list]")).to_contain_text("No document yet")

    # The lead also has the dashboard open: its activity feed follows live.
    dashboard = signed_in_page("anna@example.org")
    dashboard.goto(site.url + site.paths["DASHBOARD"])
    expect(dashboard.locator("[data-live-status]")).to_have_attribute(
        "data-state", "connected"
    )
    dashboard.evaluate("() => { window.notReloaded = true; }")

    bruno = signed_in_page("bruno@example.org")
    bruno.goto(url)
    expect(bruno.locator("[data-live-status]")).to_have_attribute(
        "data-state", "connected"
    )
    form = bruno.locator("form[data-upload-form]")
    # The script made the file field a drop zone and says so.
    expect(form.locator(".dropzone [data-drop-hint]")).to_be_visible()

    # Dropped: a CSV made in the page, handed over as a drop's DataTransfer.
    dropped = bruno.evaluate_handle(
        """() => {
          const data = new DataTransfer();
          data.items.add(new File(["prova,consumo\\n1,12.4\\n"], "misure.csv", { type: "text/csv" }));
          return data;
        }"""
    )
    form.locator(".dropzone").dispatch_event("drop", {"dataTransfer": dropped})
    expect(form.locator("[data-upload-status]")).to_contain_text("1 file ready")
    form.get_by_role("button", name="Upload").click()
    expect(form.locator("[data-upload-status]")).to_contain_text("1 document uploaded")
    expect(bruno.locator("[data-document-list]")).to_contain_text("misure")
    expect(anna.locator("[data-document-list]")).to_contain_text("misure")
    feed = dashboard.locator("[data-activity]")
    expect(feed).to_contain_text("bruno uploaded misure.")
    expect(feed.get_by_role("link", name="misure", exact=True)).to_be_visible()
    assert dashboard.evaluate("() => window.notReloaded === true")

    # Chosen: a 4 MB PDF, sent slowly enough for the bar to move.
    slow_uploads(bruno)
    watch_progress(bruno)
    form.get_by_label("Files").set_input_files(str(big_pdf(tmp_path / "disegni.pdf")))
    form.get_by_label("Title").fill("Disegni della turbina")
    form.get_by_label("Category").select_option(label="Technical report")
    form.get_by_role("button", name="Upload").click()
    bar = form.locator("[data-upload-progress]")
    expect(bar).to_be_visible()
    expect(form.locator("[data-upload-status]")).to_contain_text("1 document uploaded")
    expect(bar).to_have_attribute("value", "100")
    seen = bruno.evaluate("window.progressSeen")
    assert any(0 < value < 100 for value in seen), seen

    row = bruno.locator(".document-row", has_text="Disegni della turbina")
    expect(row).to_contain_text("Technical report")
    # The lead's page, opened before, shows it without a reload.
    expect(
        anna.locator(".document-row", has_text="Disegni della turbina")
    ).to_be_visible()
    bruno.screenshot(path=artifacts / "documents-list.png", full_page=True)
    anna.get_by_role("link", name="Disegni della turbina", exact=True).click()
    expect(anna.locator("img.document-preview")).to_be_visible()
    expect(anna.get_by_role("cell", name=re.compile("disegni.pdf"))).to_be_visible()
    anna.screenshot(path=artifacts / "documents-detail.png", full_page=True)

    assert not problems, problems
    assert "Traceback" not in site.log.read_text(), site.log.read_text()


def test_a_refused_file_says_why_without_leaving_the_page(
    site, signed_in_page, problems, tmp_path
):
    from playwright.sync_api import expect

    url = site.url + site.paths["DOCUMENTS"]
    bruno = signed_in_page("bruno@example.org")
    bruno.goto(url)
    page_html = tmp_path / "relazione.pdf"
    page_html.write_bytes(b"<!DOCTYPE html><html><script>alert(1)</script></html>")
    form = bruno.locator("form[data-upload-form]")

    form.get_by_label("Files").set_input_files(str(page_html))
    form.get_by_role("button", name="Upload").click()

    status = form.locator("[data-upload-status]")
    expect(status).to_contain_text("HTML")
    expect(status).to_contain_text("relazione.pdf")
    assert bruno.url == url
    # The refusal is the answer, not a failure of the page.
    problems[:] = [p for p in problems if "400" not in p]
    assert not problems, problems
