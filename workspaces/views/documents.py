"""Views for workspace documents: the list with its upload form, a document with its
versions, uploads, downloads, previews, deletion and restore, the download log and
each document's discussion."""

from functools import wraps
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_POST, require_safe

from .. import permissions, storage
from ..forms.documents import (
    DocumentCommentForm,
    DocumentFilterForm,
    DocumentUploadForm,
    DocumentVersionForm,
)
from ..queries import documents as queries
from ..services import documents as services
from .common import (
    errors_by_field,
    form_add_errors,
    fragment_or_page,
    json_errors,
    private_file_response,
    refusals_as_json,
    wants_json,
    workspace_context,
    workspace_view,
)

__all__ = ["urlpatterns"]

# The version form's file field is `file`; the services name it `files`.
_VERSION_FIELDS = {"files": "file"}


def _document_view(view):
    """`workspace_view` for a document's URLs: `view(request, document, ...)`."""

    @workspace_view
    def wrapper(request, workspace, document_id, *args, **kwargs):
        document = permissions.access_document(request.user, workspace, document_id)
        return view(request, document, *args, **kwargs)

    return wraps(view)(wrapper)


def _list_context(request, workspace, *, form=None):
    user = request.user
    # Its own ids: the upload form on the same page has a category field too.
    filters = DocumentFilterForm(request.GET or None, auto_id="filter_%s")
    category = query = ""
    if filters.is_valid():
        category = filters.cleaned_data["category"]
        query = filters.cleaned_data["q"]
    deleted = request.GET.get(
        "deleted"
    ) == "1" and permissions.can_see_deleted_documents(user, workspace)
    page = queries.document_list_page(
        user,
        workspace,
        category=category,
        query=query,
        deleted=deleted,
        page=request.GET.get("page"),
    )
    kept = {
        key: value
        for key, value in (
            ("q", query),
            ("category", category),
            ("deleted", "1" if deleted else ""),
        )
        if value
    }
    can_upload = permissions.can_upload_document(user, workspace)
    return workspace_context(
        request,
        workspace,
        "documents",
        page=page,
        documents=page.object_list,
        filters=filters,
        filtering=bool(category or query),
        showing_deleted=deleted,
        deleted_count=queries.deleted_count(user, workspace),
        page_query=urlencode(kept),
        can_upload=can_upload,
        upload_form=(form or DocumentUploadForm()) if can_upload else None,
        can_see_downloads=permissions.can_see_document_downloads(user, workspace),
        upload_max_bytes=storage.upload_max_bytes(),
    )


@require_safe
@workspace_view
def document_list(request, workspace):
    """The workspace's documents: filter by category, search by title, page by page;
    the upload form for those who may upload. The page's script refreshes the list
    (its fragment) when a document event arrives."""
    return fragment_or_page(
        request,
        "workspaces/document_list.html",
        "workspaces/includes/document_rows.html",
        _list_context(request, workspace),
    )


@csrf_exempt
@require_POST
@workspace_view
@refusals_as_json
def document_upload(request, workspace):
    """Upload one or several files as new documents.

    The permission is asked before the body is read (a stranger's upload is never
    written anywhere); then the body streams through `DocumentUploadHandler`, which
    stops at the size limit, and only then is CSRF checked (it reads the form).
    """
    permissions.require_upload_document(request.user, workspace)
    return _streamed(request, _document_upload, workspace)


@csrf_protect
def _document_upload(request, workspace, handler):
    form = DocumentUploadForm(request.POST, request.FILES)
    errors = _refusals(handler, "files")
    if not errors and form.is_valid():
        data = form.cleaned_data
        try:
            documents = services.document_upload(
                actor=request.user,
                workspace=workspace,
                files=data["files"],
                title=data["title"],
                category=data["category"],
                note=data["note"],
                in_batch=data["in_batch"],
            )
        except ValidationError as refused:
            errors = errors_by_field(refused)
        else:
            return _uploaded(request, workspace, documents)
    return _refused(
        request,
        handler,
        form,
        errors,
        lambda: (
            "workspaces/document_list.html",
            _list_context(request, workspace, form=form),
        ),
    )


def _streamed(request, upload, target):
    """Have the request's body stream through `DocumentUploadHandler`, which stops at
    the size limit, then answer with `upload(request, target, handler)` (CSRF-checked:
    it reads the form). Call it once the permission was asked, so that nothing of a
    refused body is written anywhere."""
    handler = storage.DocumentUploadHandler(request)
    request.upload_handlers = [handler]
    return upload(request, target, handler)


def _refused(request, handler, form, errors, page, *, renamed=None):
    """The answer to a refused upload: 413 past the size limit, else 400; the errors
    as JSON for the page's script, else on `form` in the page `page()` gives as
    (template, context)."""
    status = 413 if handler.refusals else 400
    if wants_json(request):
        return json_errors(errors or _form_errors(form), status=status)
    form_add_errors(form, errors, renamed=renamed)
    template, context = page()
    return render(request, template, context, status=status)


def _refusals(handler, field):
    """The upload handler's refusals (a file past the size limit) by form field."""
    if not handler.refusals:
        return {}
    return {field: [message for _name, message in handler.refusals]}


def _form_errors(form):
    return {
        field: [item["message"] for item in found]
        for field, found in form.errors.get_json_data().items()
    }


def _uploaded(request, workspace, documents):
    if wants_json(request):
        return JsonResponse(
            {
                "documents": [
                    {
                        "id": document.pk,
                        "title": document.title,
                        "url": _detail_url(workspace, document),
                    }
                    for document in documents
                ]
            },
            status=201,
        )
    messages.success(
        request,
        ngettext(
            "The document was uploaded.",
            "%(count)d documents were uploaded.",
            len(documents),
        )
        % {"count": len(documents)},
    )
    if len(documents) == 1:
        return redirect(_detail_url(workspace, documents[0]))
    return redirect("workspaces:document-list", workspace.pk)


def _detail_url(workspace, document):
    return reverse("workspaces:document-detail", args=[workspace.pk, document.pk])


def _detail_context(request, document, **forms_):
    user = request.user
    workspace = document.workspace
    return workspace_context(
        request,
        workspace,
        "documents",
        document=document,
        versions=queries.document_versions(document),
        can_version=permissions.can_version_document(user, document),
        can_delete=permissions.can_delete_document(user, document),
        can_restore=permissions.can_restore_document(user, document),
        can_comment=permissions.can_comment_document(user, document),
        can_see_downloads=permissions.can_see_document_downloads(user, workspace),
        version_form=forms_.get("version_form") or DocumentVersionForm(),
        comment_form=forms_.get("comment_form") or DocumentCommentForm(),
        upload_max_bytes=storage.upload_max_bytes(),
    )


@require_safe
@_document_view
def document_detail(request, document):
    """A document: its current version's preview, every version (uploader,
    organisation, time, size, note, SHA-256) to download, a new version, its
    discussion, and delete or restore for leads. The page's script asks for the
    preview alone when the stream says it is drawn."""
    return fragment_or_page(
        request,
        "workspaces/document_detail.html",
        "workspaces/includes/document_preview.html",
        _detail_context(request, document),
    )


@csrf_exempt
@require_POST
@_document_view
@refusals_as_json
def document_version_upload(request, document):
    """Upload a new version of a document (streamed and checked like an upload)."""
    permissions.require_version_document(request.user, document)
    return _streamed(request, _document_version_upload, document)


@csrf_protect
def _document_version_upload(request, document, handler):
    form = DocumentVersionForm(request.POST, request.FILES)
    errors = _refusals(handler, "file")
    if not errors and form.is_valid():
        try:
            version = services.document_version_upload(
                actor=request.user,
                document=document,
                file=form.cleaned_data["file"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as refused:
            errors = errors_by_field(refused)
        else:
            url = _detail_url(document.workspace, document)
            if wants_json(request):
                return JsonResponse({"version": version.number, "url": url}, status=201)
            messages.success(
                request,
                _("Version %(number)d was uploaded.") % {"number": version.number},
            )
            return redirect(url)
    return _refused(
        request,
        handler,
        form,
        errors,
        lambda: (
            "workspaces/document_detail.html",
            _detail_context(request, document, version_form=form),
        ),
        renamed=_VERSION_FIELDS,
    )


@require_GET
@_document_view
def document_download(request, document, number):
    """Stream one version as an attachment (typed by its sniffed content, never run
    by the browser), recording who downloaded it. Access is asked now: a removed
    participant's old links answer 404."""
    version = permissions.access_document_version(request.user, document, number)
    response = private_file_response(
        version.file.name,
        filename=version.original_name,
        content_type=version.content_type,
    )
    services.document_download_record(actor=request.user, version=version)
    return response


@require_GET
@_document_view
def document_preview(request, document, number):
    """The server-drawn PNG preview of a version (never the original file)."""
    version = permissions.access_document_version(request.user, document, number)
    if version.preview_state != version.Preview.READY or not version.preview:
        raise Http404("No preview.")
    return private_file_response(
        version.preview.name,
        filename=f"preview-{version.number}.png",
        content_type="image/png",
        as_attachment=False,
    )


@require_POST
@_document_view
def document_delete(request, document):
    services.document_delete(actor=request.user, document=document)
    messages.success(
        request,
        _("“%(title)s” was deleted. Leads can restore it from the deleted documents.")
        % {"title": document.title},
    )
    return redirect("workspaces:document-list", document.workspace.pk)


@require_POST
@_document_view
def document_restore(request, document):
    services.document_restore(actor=request.user, document=document)
    messages.success(
        request, _("“%(title)s” was restored.") % {"title": document.title}
    )
    return redirect(_detail_url(document.workspace, document))


@require_POST
@_document_view
def document_comment(request, document):
    """Comment on a document: the first comment starts its discussion thread."""
    permissions.require_comment_document(request.user, document)
    form = DocumentCommentForm(request.POST)
    if form.is_valid():
        try:
            post = services.document_comment(
                actor=request.user, document=document, body=form.cleaned_data["body"]
            )
        except ValidationError as error:
            form_add_errors(form, error)
        else:
            return redirect(post.get_absolute_url())
    return render(
        request,
        "workspaces/document_detail.html",
        _detail_context(request, document, comment_form=form),
        status=400,
    )


@require_safe
@workspace_view
def document_downloads(request, workspace):
    """Who downloaded which version when, newest first (leads only; `?document=`
    narrows it to one document)."""
    permissions.require_see_document_downloads(request.user, workspace)
    document = None
    if request.GET.get("document", "").isdigit():
        document = permissions.access_document(
            request.user, workspace, int(request.GET["document"])
        )
    page = queries.download_log_page(
        workspace, document=document, page=request.GET.get("page")
    )
    context = workspace_context(
        request,
        workspace,
        "documents",
        page=page,
        downloads=page.object_list,
        document=document,
        page_query=urlencode({"document": document.pk}) if document else "",
    )
    return render(request, "workspaces/document_downloads.html", context)


_DOCUMENT = "<int:workspace_id>/documents/<int:document_id>/"
urlpatterns = [
    path("<int:workspace_id>/documents/", document_list, name="document-list"),
    path(
        "<int:workspace_id>/documents/upload/", document_upload, name="document-upload"
    ),
    path(
        "<int:workspace_id>/documents/downloads/",
        document_downloads,
        name="document-downloads",
    ),
    path(_DOCUMENT, document_detail, name="document-detail"),
    path(
        _DOCUMENT + "versions/", document_version_upload, name="document-version-upload"
    ),
    path(
        _DOCUMENT + "versions/<int:number>/download/",
        document_download,
        name="document-download",
    ),
    path(
        _DOCUMENT + "versions/<int:number>/preview/",
        document_preview,
        name="document-preview",
    ),
    path(_DOCUMENT + "delete/", document_delete, name="document-delete"),
    path(_DOCUMENT + "restore/", document_restore, name="document-restore"),
    path(_DOCUMENT + "comment/", document_comment, name="document-comment"),
]
