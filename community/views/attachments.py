"""Views for attachments: the composer's upload (for a thread, or for a new thread in
a community) and removal, and the downloads (every one asks
`permissions.access_attachment` now, so a hidden or deleted post's files answer
404)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.template.defaultfilters import filesizeformat
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST, require_safe

from .. import permissions, uploads
from ..ratelimit import RateLimited
from ..services import attachments as services


def _json_error(message, status, *, retry_after=None):
    response = JsonResponse({"errors": {"file": [str(message)]}}, status=status)
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


@csrf_exempt
@require_POST
def attachment_upload(request, pk):
    """Upload one file (`file`) for the composer of thread `pk`; answer JSON: the
    pending attachment (201) or `{"errors": {"file": [...]}}`.

    The permission is asked before the body is read (a stranger's upload is never
    written anywhere); then the body streams through the documents' upload handler,
    which stops at the size limit (413), and only then is CSRF checked.
    """

    def allowed(user):
        thread = permissions.access_thread(user, pk)
        permissions.require_attach_files(user, thread)
        return {"thread": thread}

    return _upload_checked(request, allowed)


@csrf_exempt
@require_POST
def community_attachment_upload(request, slug):
    """Upload one file (`file`) for the new-thread form of community `slug`, for
    the first post of a thread not started yet; answered and checked as
    `attachment_upload`."""

    def allowed(user):
        community = permissions.access_community(user, slug, action="read")
        permissions.require_attach_in_community(user, community)
        return {"community": community}

    return _upload_checked(request, allowed)


def _upload_checked(request, allowed):
    """Ask `allowed(user)` (the upload's target, as the service's keyword, or
    Http404/PermissionDenied) before the body is read; then stream it."""
    if not request.user.is_authenticated:
        return _json_error(_("Log in to attach files."), 403)
    try:
        target = allowed(request.user)
    except Http404:
        return _json_error(_("Not found, or you may not see it."), 404)
    except PermissionDenied as error:
        return _json_error(str(error) or _("You may not do this."), 403)
    handler = uploads.DocumentUploadHandler(request)
    request.upload_handlers = [handler]
    return _upload(request, target, handler)


@csrf_protect
def _upload(request, target, handler):
    upload = request.FILES.get("file")
    if handler.refusals:
        return _json_error(handler.refusals[0][1], 413)
    if upload is None:
        return _json_error(_("Choose a file to attach."), 400)
    try:
        attachment = services.attachment_upload(
            actor=request.user, upload=upload, **target
        )
    except RateLimited as error:
        return _json_error(" ".join(error.messages), 429, retry_after=error.retry_after)
    except ValidationError as error:
        name = uploads.display_name_clean(upload.name, default="file")
        return _json_error(
            _("“%(name)s” was refused: %(reason)s")
            % {"name": name, "reason": " ".join(error.messages)},
            413 if error.code == "too_large" else 400,
        )
    return JsonResponse(
        {
            "id": attachment.pk,
            "name": attachment.original_name,
            "kind": attachment.kind,
            "size": filesizeformat(attachment.size),
            "url": attachment.get_absolute_url(),
            "thumbnail_url": attachment.thumbnail_url if attachment.is_image else None,
            "discard_url": reverse("community:attachment-discard", args=[attachment.pk]),
        },
        status=201,
    )


@login_required
@require_POST
def attachment_discard(request, pk):
    """Remove one of your uploads that was not sent (the composer's ×)."""
    attachment = permissions.access_attachment(request.user, pk)
    services.attachment_discard(actor=request.user, attachment=attachment)
    return HttpResponse(status=204)


@require_safe
def attachment_download(request, pk, name):
    """The file, for whoever may read its post now: an image (redrawn when it was
    uploaded) opens in the browser, any other file downloads (`Content-Disposition:
    attachment`); both typed, nosniff and sandboxed (`uploads.private_file_response`)."""
    attachment = permissions.access_attachment(request.user, pk)
    return uploads.private_file_response(
        attachment.file,
        filename=attachment.original_name,
        content_type=attachment.content_type,
        as_attachment=not attachment.is_image,
    )


@require_safe
def attachment_thumbnail(request, pk):
    """An image's thumbnail, shown in its post, by the same rule as the file."""
    attachment = permissions.access_attachment(request.user, pk)
    if not attachment.thumbnail:
        raise Http404("No thumbnail.")
    return uploads.private_file_response(
        attachment.thumbnail,
        filename=f"thumbnail-{attachment.pk}",
        content_type=attachment.content_type,
        as_attachment=False,
    )


urlpatterns = [
    path("t/<int:pk>/attachments/", attachment_upload, name="attachment-upload"),
    path(
        "c/<slug:slug>/attachments/",
        community_attachment_upload,
        name="community-attachment-upload",
    ),
    path("attachments/<int:pk>/discard/", attachment_discard, name="attachment-discard"),
    path("attachments/<int:pk>/thumbnail/", attachment_thumbnail, name="attachment-thumbnail"),
    path("attachments/<int:pk>/<path:name>", attachment_download, name="attachment"),
]
