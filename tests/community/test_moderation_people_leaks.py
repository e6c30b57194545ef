"""What moderators' and reporters' pages show must follow what the viewer may read
*now*: a ban from a private community, a deleted document's discussion and a post its
author deleted take titles and texts off "My reports", the queues and the audit log."""

import pytest
from django.urls import reverse

from community.models import Community, Membership, Report, ReviewItem
from community.services import moderation, reports, threads
from tests.community.thread_helpers import community_with_thread, login
from tests.support.factories import UserFactory
from tests.support.roles import member_of
from tests.support.workspaces import make_workspace, workspace_roles
from tests.workspaces.document_helpers import make_document
from workspaces.services import documents

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_default")]

TITLE = "Piano di acquisizione riservato"
TEXT = "Compra ora: offerta SPAM123"


def _reported_in_private():
    community, owner, thread = community_with_thread(
        Community.Visibility.PRIVATE, title=TITLE
    )
    author = member_of(community)
    post = threads.post_reply(actor=author, thread=thread, body=TEXT)
    reporter = member_of(community)
    reports.post_report(actor=reporter, post=post, reason=Report.Reason.SPAM)
    return community, owner, post, author, reporter


def test_a_reporter_banned_from_a_private_community_no_longer_sees_its_title(client):
    community, owner, _post, _author, reporter = _reported_in_private()
    login(client, reporter)
    page = client.get(reverse("community:my-moderation")).content.decode()
    assert TITLE in page and community.name in page

    moderation.membership_ban(
        actor=owner,
        membership=Membership.objects.get(user=reporter, community=community),
    )
    page = client.get(reverse("community:my-moderation")).content.decode()
    assert TITLE not in page
    assert community.name not in page
    assert "A post you can no longer see" in page


def test_a_post_deleted_by_its_author_shows_no_text_in_the_queue(client):
    community, owner, post, author, _reporter = _reported_in_private()
    login(client, owner)
    queue = reverse("community:review-queue", args=[community.slug])
    assert TEXT in client.get(queue).content.decode()

    threads.post_delete(actor=author, post=post)
    item = ReviewItem.objects.get(post=post)
    item_url = reverse("community:review-item", args=[community.slug, item.pk])
    for url in (queue, reverse("community:review-combined"), item_url):
        page = client.get(url).content.decode()
        assert TEXT not in page, url
        assert "Deleted by its author" in page, url


@pytest.fixture
def deleted_document_report():
    """A workspace member's post in a document's discussion, reported by another
    member (hidden by the report: threshold 1), then the document deleted."""
    workspace = make_workspace(name="Progetto Delta")
    roles = workspace_roles(workspace)
    community = workspace.community
    Community.objects.filter(pk=community.pk).update(report_threshold=1)
    document = make_document(workspace, roles.lead, title=TITLE)
    documents.document_comment(actor=roles.member, document=document, body=TEXT)
    document.refresh_from_db()
    post = document.thread.posts.get(author=roles.member)
    reporter = UserFactory(organisation=roles.member.organisation)
    Membership.objects.create(user=reporter, community=community)
    reports.post_report(actor=reporter, post=post, reason=Report.Reason.SPAM)
    documents.document_delete(actor=roles.lead, document=document)
    item = ReviewItem.objects.get(post=post)
    return community, roles, reporter, item


def test_staff_do_not_see_a_deleted_documents_thread_in_queues_or_log(
    client, deleted_document_report
):
    community, roles, _reporter, item = deleted_document_report
    login(client, roles.staff)
    for name in ("review-queue", "audit-log", "moderation-home"):
        page = client.get(reverse(f"community:{name}", args=[community.slug]))
        assert page.status_code == 200
        assert TITLE not in page.content.decode(), name
        assert TEXT not in page.content.decode(), name
    combined = client.get(reverse("community:review-combined")).content.decode()
    assert TITLE not in combined and TEXT not in combined
    log = client.get(reverse("community:audit-log", args=[community.slug]))
    assert "A thread you cannot see" in log.content.decode()
    csv = client.get(reverse("community:audit-log-csv", args=[community.slug]))
    assert TITLE not in csv.content.decode()
    item_url = reverse("community:review-item", args=[community.slug, item.pk])
    assert client.get(item_url).status_code == 404


def test_the_workspace_lead_still_reviews_it(client, deleted_document_report):
    community, roles, _reporter, item = deleted_document_report
    login(client, roles.lead)
    queue = client.get(reverse("community:review-queue", args=[community.slug]))
    assert TITLE in queue.content.decode()
    item_url = reverse("community:review-item", args=[community.slug, item.pk])
    assert TEXT in client.get(item_url).content.decode()


def test_the_reporter_loses_the_title_with_the_document(
    client, deleted_document_report
):
    _community, _roles, reporter, _item = deleted_document_report
    login(client, reporter)
    page = client.get(reverse("community:my-moderation")).content.decode()
    assert TITLE not in page
    assert "A post you can no longer see" in page
