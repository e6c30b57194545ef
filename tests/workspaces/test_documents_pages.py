"""The document pages as people use them: the list with filters, search and pages,
versions and their history, deleting and restoring, the live events and the
activity feed's sentences, each document's discussion, and the demo documents."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from community.models import Thread
from live.models import Event
from tests.workspaces import hostile_files as files
from tests.workspaces.document_helpers import (
    document_url,
    make_document,
    post_version,
)
from workspaces.demo_documents import seed_documents
from workspaces.models import Document, DocumentVersion
from workspaces.queries import documents as queries
from workspaces.services import documents as services
from workspaces.services import workspaces as workspace_services

pytestmark = pytest.mark.django_db


def list_url(workspace, query=""):
    return reverse("workspaces:document-list", args=[workspace.pk]) + query


def test_the_list_filters_by_category_and_searches_titles(client, workspace, roles):
    make_document(
        workspace, roles.lead, "nda.pdf", files.pdf(), title="NDA Alfa", category="nda"
    )
    make_document(
        workspace,
        roles.lead,
        "ts.md",
        b"terms\n",
        title="Term sheet Alfa",
        category="term_sheet",
    )
    make_document(
        workspace,
        roles.lead,
        "data.csv",
        files.CSV_TEXT,
        title="Measures",
        category="data",
    )
    client.force_login(roles.guest)

    by_category = client.get(list_url(workspace, "?category=nda"))
    by_title = client.get(list_url(workspace, "?q=alfa"))
    both = client.get(list_url(workspace, "?q=alfa&category=term_sheet"))
    nothing = client.get(list_url(workspace, "?q=missing"))

    assert "NDA Alfa" in by_category.text and "Measures" not in by_category.text
    assert "NDA Alfa" in by_title.text and "Term sheet Alfa" in by_title.text
    assert "Measures" not in by_title.text
    assert "Term sheet Alfa" in both.text and "NDA Alfa" not in both.text
    assert 'class="empty-state"' in nothing.text


def test_the_list_is_paginated(client, workspace, roles, monkeypatch):
    monkeypatch.setattr(queries, "DOCUMENTS_PER_PAGE", 2)
    for number in range(5):
        make_document(
            workspace, roles.lead, f"d{number}.txt", b"x\n", title=f"Doc {number}"
        )
    client.force_login(roles.member)

    first = client.get(list_url(workspace))
    last = client.get(list_url(workspace, "?page=3"))

    assert "Doc 4" in first.text and "Doc 3" in first.text and "Doc 2" not in first.text
    assert "Doc 0" in last.text and "Doc 4" not in last.text
    assert 'rel="next"' in first.text


def test_the_list_costs_the_same_queries_for_many_documents(
    client, workspace, roles, django_assert_max_num_queries
):
    make_document(workspace, roles.lead, "a.txt", b"a\n")
    client.force_login(roles.member)
    client.get(list_url(workspace))  # warm the session
    with django_assert_max_num_queries(30) as few:
        client.get(list_url(workspace))
    for number in range(8):
        document = make_document(workspace, roles.member, f"n{number}.txt", b"n\n")
        services.document_version_upload(
            actor=roles.lead,
            document=document,
            file=ContentFile(b"v2\n", name="n.txt"),
        )

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(list_url(workspace))

    assert response.text.count('class="document-row"') == 9


def test_the_script_gets_the_list_alone(client, workspace, roles):
    make_document(workspace, roles.lead, "a.txt", b"a\n", title="Alone")
    client.force_login(roles.member)

    response = client.get(list_url(workspace), headers={"X-Requested-With": "fetch"})

    html = response.json()["html"]
    assert "Alone" in html
    assert "<html" not in html
    assert "X-Requested-With" in response["Vary"]


def test_guests_see_why_they_cannot_upload(client, workspace, roles, english):
    client.force_login(roles.guest)

    response = client.get(list_url(workspace))

    assert "data-upload-form" not in response.text
    assert "Guests read, download and comment" in response.text


def test_nobody_is_told_how_to_take_part_once_archived(client, workspace, roles):
    workspace_services.workspace_archive(actor=roles.lead, workspace=workspace)
    client.force_login(roles.guest)

    response = client.get(list_url(workspace))

    assert "data-upload-form" not in response.text
    assert "Guests read, download and comment" not in response.text


def test_a_new_version_keeps_the_history_with_uploader_organisation_and_note(
    client, workspace, roles
):
    document = make_document(
        workspace, roles.member, "plan.pdf", files.pdf("v1"), note="First"
    )
    client.force_login(roles.lead)

    response = post_version(
        client, document, "plan-v2.pdf", files.pdf("v2"), note="Tidied up"
    )

    assert response.status_code == 302
    page = client.get(document_url("document-detail", document))
    versions = list(document.versions.order_by("number"))
    assert [v.number for v in versions] == [1, 2]
    assert versions[1].uploaded_by == roles.lead
    assert versions[1].organisation == roles.lead.organisation
    assert versions[0].organisation == roles.member.organisation
    for version in versions:
        assert version.sha256 in page.text
        assert version.original_name in page.text
        assert version.note in page.text
    assert roles.lead.organisation.name in page.text


def test_the_script_gets_json_answers_for_versions(client, workspace, roles, english):
    document = make_document(workspace, roles.member, "plan.pdf", files.pdf())
    client.force_login(roles.member)

    accepted = post_version(client, document, "plan.pdf", files.pdf("v2"), json=True)
    refused = post_version(client, document, "plan.pdf", files.HTML_PAGE, json=True)

    assert accepted.status_code == 201
    assert accepted.json() == {
        "version": 2,
        "url": document_url("document-detail", document),
    }
    assert refused.status_code == 400
    assert "HTML" in " ".join(refused.json()["errors"]["files"])
    assert document.versions.count() == 2


def test_deleting_hides_the_document_and_restoring_brings_it_back(
    client, workspace, roles
):
    document = make_document(workspace, roles.member, "a.txt", b"a\n", title="Budget")
    client.force_login(roles.lead)

    client.post(document_url("document-delete", document), follow=True)
    client.force_login(roles.member)
    hidden = client.get(list_url(workspace))
    client.force_login(roles.lead)
    deleted_list = client.get(list_url(workspace, "?deleted=1"))
    client.post(document_url("document-restore", document), follow=True)
    client.force_login(roles.member)
    back = client.get(list_url(workspace))

    assert "Budget" not in hidden.text
    assert "Budget" in deleted_list.text
    assert "Budget" in back.text
    # The files stay through it all.
    assert document.versions.get().file.storage.exists(
        document.versions.get().file.name
    )


def test_document_events_carry_ids_and_facts_only(
    workspace, roles, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        document = make_document(
            workspace, roles.member, "secret-name.txt", b"a\n", title="Secret title"
        )
        version = services.document_version_upload(
            actor=roles.member,
            document=document,
            file=ContentFile(b"b\n", name="x.txt"),
        )
        services.document_delete(actor=roles.lead, document=document)
        services.document_restore(actor=roles.lead, document=document)

    events = list(
        Event.objects.filter(
            stream=workspace.stream, type__startswith="document."
        ).order_by("seq")
    )
    assert [(e.type, e.actor) for e in events] == [
        ("document.uploaded", roles.member),
        ("document.versioned", roles.member),
        ("document.deleted", roles.lead),
        ("document.restored", roles.lead),
    ]
    assert events[1].payload == {
        "document": document.pk,
        "category": "other",
        "version": version.pk,
        "number": 2,
    }
    for event in events:
        assert "Secret" not in str(event.payload) and "secret" not in str(event.payload)


def test_the_activity_feed_names_the_documents(client, workspace, roles, english):
    document = make_document(
        workspace, roles.member, "a.txt", b"a\n", title="Pricing model"
    )
    services.document_version_upload(
        actor=roles.member,
        document=document,
        file=ContentFile(b"b\n", name="a.txt"),
    )
    services.document_delete(actor=roles.lead, document=document)
    client.force_login(roles.guest)

    page = client.get(reverse("workspaces:workspace-detail", args=[workspace.pk]))

    member = roles.member.name
    assert f"{member} uploaded a document." in page.text
    assert "uploaded version 2 of a document." in page.text
    assert "deleted a document." in page.text
    # A deleted document's title is for the leads, who may restore it; and it is
    # named but not linked for them (its page is the restore page).
    assert "Pricing model" not in page.text
    client.force_login(roles.lead)
    page = client.get(reverse("workspaces:workspace-detail", args=[workspace.pk]))
    assert "deleted “Pricing model”" in page.text
    assert "uploaded version 2 of “Pricing model”" in page.text
    assert document_url("document-detail", document) not in page.text


def test_the_first_comment_opens_the_document_s_thread_and_the_next_reply_in_it(
    client, workspace, roles
):
    document = make_document(workspace, roles.member, "a.txt", b"a\n", title="Roadmap")
    client.force_login(roles.guest)

    first = client.post(
        document_url("document-comment", document), {"body": "Question?"}
    )
    client.force_login(roles.member)
    second = client.post(
        document_url("document-comment", document), {"body": "Answer."}
    )

    document.refresh_from_db()
    thread = document.thread
    assert thread.title == "Roadmap"
    assert thread.community == workspace.community
    assert thread.kind == Thread.Kind.DISCUSSION
    assert [p.body for p in thread.posts.order_by("number")] == ["Question?", "Answer."]
    assert first.status_code == second.status_code == 302
    page = client.get(document_url("document-detail", document))
    assert thread.get_absolute_url() in page.text


def test_an_empty_comment_is_refused_with_a_message(client, workspace, roles, english):
    document = make_document(workspace, roles.member, "a.txt", b"a\n")
    client.force_login(roles.member)

    response = client.post(document_url("document-comment", document), {"body": "  "})

    assert response.status_code == 400
    assert "Write something first." in response.text
    document.refresh_from_db()
    assert document.thread is None


def test_the_demo_documents_include_a_real_pdf_and_several_versions(
    workspace, roles, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        created = seed_documents(workspace)

    assert len(created) == 5
    assert seed_documents(workspace) == []  # once only
    versions = DocumentVersion.objects.filter(document__workspace=workspace)
    assert (
        max(d.version_count for d in Document.objects.filter(workspace=workspace)) == 3
    )
    pdfs = versions.filter(content_type="application/pdf")
    assert pdfs.count() >= 3
    assert {v.preview_state for v in pdfs} == {DocumentVersion.Preview.READY}
    assert len({v.organisation_id for v in versions}) == 2


def test_the_admin_shows_documents_read_only(client, workspace, roles):
    from tests.support.factories import UserFactory

    document = make_document(workspace, roles.member, "a.txt", b"a\n", title="Budget")
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    page = client.get(reverse("admin:workspaces_document_change", args=[document.pk]))
    changed = client.post(
        reverse("admin:workspaces_document_change", args=[document.pk]),
        {"title": "Changed", "category": "nda"},
    )
    added = client.get(reverse("admin:workspaces_document_add"))

    assert page.status_code == 200
    assert document.versions.get().sha256 in page.text
    assert changed.status_code == 403
    assert added.status_code == 403
    document.refresh_from_db()
    assert document.title == "Budget"


def test_the_document_page_costs_the_same_queries_for_many_versions(
    client, workspace, roles, django_assert_max_num_queries
):
    document = make_document(workspace, roles.member, "a.txt", b"a\n")
    client.force_login(roles.lead)
    client.get(document_url("document-detail", document))
    with django_assert_max_num_queries(40) as few:
        client.get(document_url("document-detail", document))
    for number in range(6):
        uploader = roles.member if number % 2 else roles.lead
        services.document_version_upload(
            actor=uploader, document=document, file=ContentFile(b"v\n", name="a.txt")
        )

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(document_url("document-detail", document))

    assert response.text.count("data-version=") == 7


def test_a_drawn_preview_tells_the_open_document_page_which_redraws_it(
    client, workspace, roles, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        document = make_document(
            workspace, roles.member, "chart.png", files.png_bytes(), title="Chart"
        )
    version = document.versions.get()

    event = Event.objects.get(stream=workspace.stream, type="document.preview_ready")
    assert event.payload == {
        "document": document.pk,
        "category": document.category,
        "version": version.pk,
        "number": 1,
        "state": "ready",
    }
    client.force_login(roles.guest)
    # The page's script asks for the preview alone when the event arrives.
    answer = client.get(
        document_url("document-detail", document), HTTP_X_REQUESTED_WITH="fetch"
    )
    html = answer.json()["html"]
    assert document_url("document-preview", document, 1) in html
    assert f'data-preview-of="{document.pk}"' in html
    # A background fact: not a line of the activity feed, nor unread.
    page = client.get(reverse("workspaces:workspace-detail", args=[workspace.pk]))
    assert 'data-event-type="document.preview_ready"' not in page.text
