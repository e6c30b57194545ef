"""Views for workspace documents: the list with its upload form, a document with its
versions, uploads, downloads, previews, deletion and restore, the download log and
each document's discussion."""

from urllib.parse import urlencode

from asgiref.sync import sync_to_async
from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.cache import patch_vary_headers
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
from .workspaces import workspace_context

__all__ = ["urlpatterns"]


def _wants_json(request):
    """The page's own script (XMLHttpRequest with progress) asks for JSON answers."""
    return "application/json" in request.headers.get("Accept", "")


def _document(request, workspace_id, document_id):
    workspace = permissions.access_workspace(request.user, workspace_id)
    return permissions.access_document(request.user, workspace, document_id)


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
def document_list(request, workspace_id):
    """The workspace's documents: filter by category, search by title, page by page;
    the upload form for those who may upload. Asked by the page's script
    (`X-Requested-With: fetch`), it answers the list alone (the page refreshes it when a document event arrives)."""
    workspace = permissions.access_workspace(request.user, workspace_id)
    context = _list_context(request, workspace)
    fragment = request.headers.get("X-Requested-With") == "fetch"
    response = render(
        request,
        "workspaces/includes/document_rows.html"
        if fragment
        else "workspaces/document_list.html",
        context,
    )
    patch_vary_headers(response, ["X-Requested-With"])
    return response


@csrf_exempt
@require_POST
def document_upload(request, workspace_id):
    """Upload one or several files as new documents.

    The permission is asked before the body is read (a stranger's upload is never
    written anywhere); then the body streams through `DocumentUploadHandler`, which
    stops at the size limit, and only then is CSRF checked (it reads the form).
    """
    workspace = permissions.access_workspace(request.user, workspace_id)
    try:
        permissions.require_upload_document(request.user, workspace)
    except PermissionDenied as error:
        if _wants_json(request):
            return JsonResponse({"errors": {"__all__": [str(error)]}}, status=403)
        raise
    handler = storage.DocumentUploadHandler(request)
    request.upload_handlers = [handler]
    return _document_upload(request, workspace, handler)


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
            errors = _messages_by_field(refused)
        else:
            return _uploaded(request, workspace, documents)
    status = 413 if handler.refusals else 400
    if _wants_json(request):
        return JsonResponse({"errors": errors or _form_errors(form)}, status=status)
    _show_errors(form, errors, files_field="files")
    return render(
        request,
        "workspaces/document_list.html",
        _list_context(request, workspace, form=form),
        status=status,
    )


def _refusals(handler, field):
    """The upload handler's refusals (a file past the size limit) by form field."""
    if not handler.refusals:
        return {}
    return {field: [message for _name, message in handler.refusals]}


def _messages_by_field(error):
    """A service's ValidationError as {field: [messages]} ("__all__" for none)."""
    if hasattr(error, "error_dict"):
        return {field: list(found) for field, found in error.message_dict.items()}
    return {NON_FIELD_ERRORS: list(error.messages)}


def _form_errors(form):
    return {
        field: [item["message"] for item in found]
        for field, found in form.errors.get_json_data().items()
    }


def _show_errors(form, errors, *, files_field):
    """Show `errors` ({field: [messages]}) on `form` in place of its own: a refused
    file's reason under the file input, the rest under their fields or on top."""
    if not errors:
        return
    form.is_valid()
    for field, found in errors.items():
        if field in ("files", "file"):
            field = files_field
        if field not in form.fields:
            field = NON_FIELD_ERRORS
        form.errors[field] = form.error_class(
            found, error_class="nonfield" if field == NON_FIELD_ERRORS else None
        )


def _uploaded(request, workspace, documents):
    if _wants_json(request):
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
def document_detail(request, workspace_id, document_id):
    """A document: its current version's preview, every version (uploader,
    organisation, time, size, note, SHA-256) to download, a new version, its
    discussion, and delete or restore for leads."""
    document = _document(request, workspace_id, document_id)
    return render(
        request, "workspaces/document_detail.html", _detail_context(request, document)
    )


@csrf_exempt
@require_POST
def document_version_upload(request, workspace_id, document_id):
    """Upload a new version of a document (streamed and checked like an upload)."""
    document = _document(request, workspace_id, document_id)
    try:
        permissions.require_version_document(request.user, document)
    except PermissionDenied as error:
        if _wants_json(request):
            return JsonResponse({"errors": {"__all__": [str(error)]}}, status=403)
        raise
    handler = storage.DocumentUploadHandler(request)
    request.upload_handlers = [handler]
    return _document_version_upload(request, document, handler)


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
            errors = _messages_by_field(refused)
        else:
            url = _detail_url(document.workspace, document)
            if _wants_json(request):
                return JsonResponse({"version": version.number, "url": url}, status=201)
            messages.success(
                request,
                _("Version %(number)d was uploaded.") % {"number": version.number},
            )
            return redirect(url)
    status = 413 if handler.refusals else 400
    if _wants_json(request):
        return JsonResponse({"errors": errors or _form_errors(form)}, status=status)
    _show_errors(form, errors, files_field="file")
    return render(
        request,
        "workspaces/document_detail.html",
        _detail_context(request, document, version_form=form),
        status=status,
    )


class StreamedFileResponse(FileResponse):
    """A FileResponse that daphne sends chunk by chunk.

    Under ASGI, Django reads a synchronous file iterator whole into memory before
    sending it (`StreamingHttpResponse.__aiter__`): a 25 MB download would cost the
    server 25 MB and more. Here each chunk is read in a worker thread as it is sent.
    """

    block_size = 256 * 1024

    async def __aiter__(self):
        chunks = iter(self.streaming_content)
        read = sync_to_async(next, thread_sensitive=False)
        while (chunk := await read(chunks, None)) is not None:
            yield chunk


def _stored_file(name):
    try:
        return storage.file_open(name)
    except (FileNotFoundError, OSError):
        raise Http404("The file is missing.") from None


def _private_file_headers(response):
    response["X-Content-Type-Options"] = "nosniff"
    # Even opened directly, the response may run nothing and load nothing.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
def document_download(request, workspace_id, document_id, number):
    """Stream one version as an attachment (typed by its sniffed content, never run
    by the browser), recording who downloaded it. Access is asked now: a removed
    participant's old links answer 404."""
    document = _document(request, workspace_id, document_id)
    version = permissions.access_document_version(request.user, document, number)
    handle = _stored_file(version.file.name)
    services.document_download_record(actor=request.user, version=version)
    response = StreamedFileResponse(
        handle,
        as_attachment=True,
        filename=version.original_name,
        content_type=version.content_type or "application/octet-stream",
    )
    return _private_file_headers(response)


@require_GET
def document_preview(request, workspace_id, document_id, number):
    """The server-drawn PNG preview of a version (never the original file)."""
    document = _document(request, workspace_id, document_id)
    version = permissions.access_document_version(request.user, document, number)
    if version.preview_state != version.Preview.READY or not version.preview:
        raise Http404("No preview.")
    response = StreamedFileResponse(
        _stored_file(version.preview.name),
        content_type="image/png",
        filename=f"preview-{version.number}.png",
    )
    return _private_file_headers(response)


@require_POST
def document_delete(request, workspace_id, document_id):
    document = _document(request, workspace_id, document_id)
    services.document_delete(actor=request.user, document=document)
    messages.success(
        request,
        _("“%(title)s” was deleted. Leads can restore it from the deleted documents.")
        % {"title": document.title},
    )
    return redirect("workspaces:document-list", document.workspace.pk)


@require_POST
def document_restore(request, workspace_id, document_id):
    document = _document(request, workspace_id, document_id)
    services.document_restore(actor=request.user, document=document)
    messages.success(
        request, _("“%(title)s” was restored.") % {"title": document.title}
    )
    return redirect(_detail_url(document.workspace, document))


@require_POST
def document_comment(request, workspace_id, document_id):
    """Comment on a document: the first comment starts its discussion thread."""
    document = _document(request, workspace_id, document_id)
    permissions.require_comment_document(request.user, document)
    form = DocumentCommentForm(request.POST)
    if form.is_valid():
        try:
            post = services.document_comment(
                actor=request.user, document=document, body=form.cleaned_data["body"]
            )
        except ValidationError as error:
            _show_errors(form, _messages_by_field(error), files_field="")
        else:
            return redirect(post.get_absolute_url())
    return render(
        request,
        "workspaces/document_detail.html",
        _detail_context(request, document, comment_form=form),
        status=400,
    )


@require_safe
def document_downloads(request, workspace_id):
    """Who downloaded which version when, newest first (leads only; `?document=`
    narrows it to one document)."""
    workspace = permissions.access_workspace(request.user, workspace_id)
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
