"""Long unbroken words and URLs never widen a page, on a desktop or on a phone.

Every name people type (thread titles, community, organisation, room and display
names, tags) is filled to its limit with one unbroken word, and posts and room
messages carry long words and URLs. Every page that shows them must fit the viewport
(no sideways scrolling) and no box inside it may scroll sideways either, except code
blocks and tables, which scroll on purpose. Full-page screenshots go to
test-artifacts/layout-<page>-<width>.png.
"""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group(__name__)]

WIDTHS = (1280, 390)

SETUP = """
from allauth.account.models import EmailAddress
from community.services import accounts, communities, memberships, organisations, rooms, threads
from community.models import User


def word(length, stem="Innovazione"):
    return (stem * (length // len(stem) + 1))[:length]


def person(username, email, display_name=""):
    user = User.objects.create_user(username, email, "%(password)s")
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    accounts.profile_update(
        actor=user,
        display_name=display_name,
        bio=word(300, "Biografia"),
        expertise=[word(50, "Competenza")],
        language="en",
        time_zone="Europe/Rome",
    )
    return User.objects.get(pk=user.pk)


url = "https://example.org/" + word(300, "percorso/")
anna = person("anna", "anna@example.org", word(80, "Annamaria"))
# No display name: the (longest possible) username is shown instead.
bruno = person(word(150, "bruno"), "bruno@example.org")
carla = person("carla", "carla@example.org", word(80, "Carlotta"))

organisation = organisations.organisation_create(
    actor=anna,
    name=word(160, "Organizzazione"),
    kind="enterprise",
    sector=word(120, "Settore"),
    size="small",
    city=word(80, "Citta"),
    region=word(80, "Regione"),
    website=url[:200],
    description=word(400, "Descrizione") + " " + url,
    competences=[word(50, "Robotica")],
    interests=[word(50, "Interesse")],
)
organisations.affiliation_approve(
    actor=anna,
    affiliation=organisations.affiliation_request(actor=bruno, organisation=organisation),
)
organisations.affiliation_request(
    actor=carla, organisation=organisation, message=word(500, "Messaggio")
)

community = communities.community_create(
    actor=anna,
    name=word(120, "Comunita"),
    description=word(600, "Descrizione") + " " + url,
    visibility="public",
    themes=[word(40, "Tema")],
)
memberships.community_join(actor=bruno, community=community)
from community.models import Membership
from community.services import reports

# Bruno moderates the community: he sees the read-only settings summary.
memberships.membership_set_role(
    actor=anna,
    membership=Membership.objects.select_related("user").get(user=bruno, community=community),
    role="moderator",
)
thread = threads.thread_create(
    actor=anna,
    community=community,
    title=word(200),
    body=(
        word(300, "Parola") + "\\n\\n" + url + "\\n\\n`" + word(200, "codice") + "`"
        + "\\n\\n[" + word(200, "collegamento") + "](" + url + ")"
        + "\\n\\n    " + word(400, "blocco")
    ),
    tags=[word(40, "Etichetta")],
)
reply = threads.post_reply(
    actor=bruno, thread=thread, body=url + " " + word(300, "Risposta")
)
threads.post_edit(actor=bruno, post=reply, body=word(300, "Modificata") + " " + url)
from community.services import rules

# Watched words at their longest, one replaced by a replacement as long.
rules.watched_word_add(actor=anna, community=community, word=word(80, "Parolaccia"), action="block")
rules.watched_word_add(
    actor=anna, community=community, word=word(80, "Volgare"), action="replace",
    replacement=word(80, "Sostituto"),
)
# A report on Carla's reply fills the review queue with an item to decide.
# (Moderators do not report: Dario, a plain member, does.)
memberships.community_join(actor=carla, community=community)
dario = person("dario", "dario@example.org", "Dario")
memberships.community_join(actor=dario, community=community)
reports.post_report(
    actor=dario,
    post=threads.post_reply(actor=carla, thread=thread, body=word(300, "Segnalata")),
    reason="spam",
)
room = rooms.room_create(actor=anna, community=community, name=word(80, "Stanza"))
message = threads.post_reply(
    actor=anna, thread=room, body=word(400, "Messaggio") + " " + url
)
threads.post_reply(actor=bruno, thread=room, body=url)

restricted = communities.community_create(
    actor=anna,
    name=word(120, "Riservata"),
    description="",
    visibility="restricted",
    themes=[],
)
memberships.community_request_join(
    actor=carla, community=restricted, message=word(500, "Richiesta")
)
memberships.membership_invite(
    actor=anna, community=restricted, invitee=bruno, message=word(500, "Invito")
)
invited_to = communities.community_create(
    actor=carla, name=word(120, "Invitante"), description="", visibility="public",
    themes=[],
)
memberships.membership_invite(actor=carla, community=invited_to, invitee=anna)

from workspaces.services import people as workspace_people
from workspaces.services import workspaces

workspace = workspaces.workspace_create(
    actor=User.objects.get(username="anna"),
    name=word(120, "Spazio"),
    description=word(600, "Descrizione") + " " + url,
    collaboration_type="joint_venture",
)
invitation = workspace_people.invitation_create(
    actor=anna, workspace=workspace, who=bruno.username, message=word(500, "Invito")
)

# The workspace's documents, tasks and milestones, and their discussion threads,
# named at their longest.
import datetime

from django.core.files.base import ContentFile
from django.urls import reverse
from workspaces.services import documents as workspace_documents
from workspaces.services import tasks as workspace_tasks

(document,) = workspace_documents.document_upload(
    actor=anna,
    workspace=workspace,
    files=[ContentFile(b"Relazione\\n", name=word(250, "relazione") + ".txt")],
    title=word(200, "Documento"),
    note=word(500, "Nota"),
)
document_post = workspace_documents.document_comment(
    actor=anna, document=document, body=word(300, "Commento") + " " + url
)
soon = datetime.date.today() + datetime.timedelta(days=2)
milestone = workspace_tasks.milestone_create(
    actor=anna, workspace=workspace, title=word(200, "Traguardo"), due_date=soon,
    description=word(600, "Descrizione") + " " + url,
)
task = workspace_tasks.task_create(
    actor=anna, workspace=workspace, title=word(200, "Compito"),
    description=word(600, "Descrizione") + " " + url, assignee=anna, due_date=soon,
    milestone=milestone,
)
task_thread = workspace_tasks.task_discussion_open(
    actor=anna, task=task, body=word(300, "Discussione")
)

# Moderation at its longest: a held thread, a renamed thread (its audit entry holds
# both titles), a hidden post with a long reason, a warning: Carla's notices.
rules.watched_word_add(actor=anna, community=community, word=word(80, "Trattenuta"), action="hold")
community.refresh_from_db()  # the rules it counts
threads.thread_create(
    actor=dario, community=community,
    title=word(80, "Trattenuta") + " " + word(119, "Sospesa"),
    body=word(300, "Trattenuto") + " " + url, may_hold=True,
)
renamed = threads.thread_create(
    actor=anna, community=community, title=word(200, "Vecchio"), body="Da rinominare"
)
from community.services import moderation, thread_tools

thread_tools.thread_rename(actor=anna, thread=renamed, title=word(200, "Nuovo"))
hidden = threads.post_reply(actor=carla, thread=thread, body=word(300, "Nascosta"))
moderation.post_hide(actor=anna, post=hidden, reason=word(300, "Motivo"))
moderation.membership_warn(
    actor=anna,
    membership=Membership.objects.get(user=carla, community=community),
    reason=word(300, "Avviso"),
)

def workspace_url(name, *args):
    return reverse(f"workspaces:{name}", args=[workspace.pk, *args])

print(f"DOCUMENT {workspace_url('document-detail', document.pk)}")
print(f"DOCTHREAD {document_post.thread.get_absolute_url()}")
print(f"TASK {workspace_url('task-detail', task.pk)}")
print(f"TASKEDIT {workspace_url('task-edit', task.pk)}")
print(f"TASKTHREAD {task_thread.get_absolute_url()}")
print(f"HIDDEN {hidden.pk}")
print(f"COMMUNITY {community.get_absolute_url()}")
print(f"WORKSPACE {workspace.get_absolute_url()}")
print(f"DISCUSSION {workspace.community.get_absolute_url()}")
print(f"INVITATION /w/invitations/{workspace_people.invitation_token(invitation)}/")
print(f"RESTRICTED {restricted.get_absolute_url()}")
print(f"THREAD {thread.get_absolute_url()}")
print(f"ROOM {room.get_absolute_url()}")
print(f"REPLY {reply.pk}")
print(f"MESSAGE {message.pk}")
print(f"ORGANISATION {organisation.get_absolute_url()}")
print(f"BRUNO {bruno.get_absolute_url()}")
from community.models import ReviewItem
print(f"ITEM {ReviewItem.objects.get().pk}")
"""

# What scrolls sideways: the document, and any box inside it that clips or scrolls
# (a chat stream is `overflow-y: auto`, so it would scroll sideways on its own).
# Code blocks and tables scroll on purpose; form fields scroll their own text;
# ellipsis truncation and visually-hidden text are deliberate.
OVERFLOW_JS = """
() => {
  const root = document.documentElement;
  const found = [];
  if (root.scrollWidth > root.clientWidth) {
    found.push(`document: ${root.scrollWidth}px wide in ${root.clientWidth}px`);
  }
  for (const element of document.body.querySelectorAll("*")) {
    if (element.closest("pre, table, input, textarea, select, .visually-hidden")) continue;
    const style = getComputedStyle(element);
    if (style.overflowX === "visible" || style.textOverflow === "ellipsis") continue;
    if (element.clientWidth <= 1) continue;
    if (element.scrollWidth > element.clientWidth + 1) {
      const name = element.tagName.toLowerCase() +
        (element.className ? "." + String(element.className).split(" ").join(".") : "");
      found.push(`${name}: ${element.scrollWidth}px wide in ${element.clientWidth}px`);
    }
  }
  return found;
}
"""


def _pages(paths):
    """(name, path) of every page that shows the long names, as Anna sees them."""
    community, restricted = paths["COMMUNITY"], paths["RESTRICTED"]
    post = paths["REPLY"]
    return [
        ("home", "/"),
        ("communities", "/c/"),
        ("community", community),
        ("members", f"{community}members/"),
        ("requests", f"{restricted}requests/"),
        ("invite", f"{restricted}invite/"),
        ("community-settings", f"{community}settings/"),
        ("new-thread", f"{community}new/"),
        ("thread", paths["THREAD"]),
        ("reply", f"{paths['THREAD']}reply/?quote={post}"),
        ("post-history", f"/p/{post}/history/"),
        ("room", paths["ROOM"]),
        ("promote", f"/p/{paths['MESSAGE']}/promote/"),
        ("profile", "/u/anna/"),
        ("profile-username", paths["BRUNO"]),
        ("profile-edit", "/settings/profile/"),
        ("organisations", "/o/"),
        ("organisation", paths["ORGANISATION"]),
        ("workspaces", "/w/"),
        ("unread", "/unread/"),
        ("workspace", paths["WORKSPACE"]),
        ("workspace-people", f"{paths['WORKSPACE']}people/"),
        ("workspace-activity", f"{paths['WORKSPACE']}activity/"),
        ("workspace-discussion", paths["DISCUSSION"]),
        ("invitation", paths["INVITATION"]),
        ("moderation-home", f"{community}moderation/"),
        ("moderation-members", f"{community}moderation/members/"),
        ("moderation-settings", f"{community}moderation/settings/"),
        ("moderation-log", f"{community}moderation/log/"),
        ("review-queue", f"{community}moderation/queue/"),
        ("review-item", f"{community}moderation/queue/{paths['ITEM']}/"),
        ("held-posts", f"{community}moderation/held/"),
        ("combined-queue", "/moderation/"),
        ("post-moderate", f"/p/{paths['HIDDEN']}/moderate/"),
        ("thread-move", f"{paths['THREAD']}move/"),
        ("thread-merge", f"{paths['THREAD']}merge/"),
        ("organisation-edit", f"{paths['ORGANISATION']}edit/"),
        ("workspace-documents", f"{paths['WORKSPACE']}documents/"),
        ("workspace-document", paths["DOCUMENT"]),
        ("workspace-downloads", f"{paths['WORKSPACE']}documents/downloads/"),
        ("workspace-document-thread", paths["DOCTHREAD"]),
        ("workspace-tasks", f"{paths['WORKSPACE']}tasks/"),
        ("workspace-task-list", f"{paths['WORKSPACE']}tasks/list/"),
        ("workspace-task", paths["TASK"]),
        ("workspace-task-edit", paths["TASKEDIT"]),
        ("workspace-task-thread", paths["TASKTHREAD"]),
        ("workspace-milestones", f"{paths['WORKSPACE']}milestones/"),
        ("my-tasks", "/w/tasks/"),
        ("workspace-export", f"{paths['WORKSPACE']}export/"),
    ]


def _check(page, url, name, width, problems, artifacts):
    """Open `url`, save a screenshot and record any sideways overflow."""
    response = page.goto(url)
    if response.status != 200:
        problems.append(f"{name}: answered {response.status}")
        return
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=artifacts / f"layout-{name}-{width}.png", full_page=True)
    for overflow in page.evaluate(OVERFLOW_JS):
        problems.append(f"{name} at {width}px: {overflow}")


@pytest.mark.parametrize("width", WIDTHS)
def test_long_names_and_urls_never_widen_a_page(
    site, new_page, sign_in, problems, artifacts, width
):
    base_url, paths = site.url, site.paths
    page = new_page(width=width, height=900)

    def check(path, name):
        _check(page, base_url + path, name, width, problems, artifacts)

    check("/", "home-anonymous")
    check(paths["THREAD"], "thread-anonymous")

    sign_in(page, "anna@example.org")
    for name, path in _pages(paths):
        check(path, name)
    # The account menu open, with the long display name in the header.
    page.goto(base_url + "/")
    page.locator(".menu summary").click()
    page.screenshot(path=artifacts / f"layout-menu-{width}.png")
    for overflow in page.evaluate(OVERFLOW_JS):
        problems.append(f"menu at {width}px: {overflow}")

    # The thread's level selector open, its explanations beside each choice.
    page.goto(base_url + paths["THREAD"])
    page.locator(".level-selector summary").click()
    page.screenshot(path=artifacts / f"layout-level-selector-{width}.png")
    box = page.locator(".level-selector__form").bounding_box()
    if box["x"] < 0 or box["x"] + box["width"] > width:
        problems.append(f"level selector at {width}px: outside the page {box}")
    for overflow in page.evaluate(OVERFLOW_JS):
        problems.append(f"level selector at {width}px: {overflow}")

    # The member list with a member's Act panel open.
    page.goto(base_url + paths["COMMUNITY"] + "moderation/members/")
    page.locator(".member-actions summary").first.click()
    for overflow in page.evaluate(OVERFLOW_JS):
        problems.append(f"member actions open at {width}px: {overflow}")

    assert not problems, "\n".join(problems)
    assert "Traceback" not in site.log.read_text(), site.log.read_text()


@pytest.mark.parametrize("width", WIDTHS)
def test_a_moderators_pages_never_widen_a_page(
    site, new_page, sign_in, problems, artifacts, width
):
    """Bruno moderates (he is no owner): the settings page shows him a read-only
    summary of the settings, which stacks on a phone instead of widening the page."""
    base_url, community = site.url, site.paths["COMMUNITY"]
    page = new_page(width=width, height=900)
    sign_in(page, "bruno@example.org")
    for name, path in [
        ("moderator-settings", f"{community}moderation/settings/"),
        ("moderator-members", f"{community}moderation/members/"),
        ("moderator-item", f"{community}moderation/queue/{site.paths['ITEM']}/"),
    ]:
        _check(page, base_url + path, name, width, problems, artifacts)
    page.goto(base_url + community + "moderation/settings/")
    expect(page.locator(".settings-summary")).to_be_visible()
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("width", WIDTHS)
def test_a_members_notices_and_report_form_never_widen_a_page(
    site, new_page, sign_in, problems, artifacts, width
):
    """Carla was warned and had a post hidden, each with a reason at its longest."""
    page = new_page(width=width, height=900)
    sign_in(page, "carla@example.org")
    for name, path in [
        ("my-moderation", "/moderation/mine/"),
        ("post-report", f"/p/{site.paths['REPLY']}/report/"),
        ("thread-as-member", site.paths["THREAD"]),
    ]:
        _check(page, site.url + path, name, width, problems, artifacts)
    assert not problems, "\n".join(problems)
