"""Pages of the disclosure ladder for challenges and offers: the NDA click-through,
the confidential documents (list, upload, download, delete) and the NDA audit with
its CSV export. `disclosure_context` feeds the documents section other pages include
(`innovation/disclosure/documents_section.html`)."""

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST, require_safe

from workspaces import storage
from workspaces.views.common import form_add_errors, private_file_response

from .. import anonymity, permissions
from ..forms.disclosure import ConfidentialUploadForm, NdaForm
from ..models import NdaAcceptance
from ..services import disclosure as services

# Content types of the stored kinds; anything else is served as bytes (always as an
# attachment, never run by the browser).
_CONTENT_TYPES = {"pdf": "application/pdf", "zip": "application/zip"}


def _urls(subject):
    kind = permissions.subject_kind(subject)
    return {
        "nda": reverse("innovation:disclosure-nda", args=[kind, subject.pk]),
        "documents": reverse(
            "innovation:disclosure-documents", args=[kind, subject.pk]
        ),
        "audit": reverse("innovation:disclosure-audit", args=[kind, subject.pk]),
        "audit_csv": reverse(
            "innovation:disclosure-audit-csv", args=[kind, subject.pk]
        ),
    }


def disclosure_context(user, subject):
    """What the documents section shows `user` about `subject`'s confidential step:
    `visible` False below the details step (then nothing is shown at all)."""
    sees_everything = permissions.sees_everything(user, subject)
    at_step = sees_everything or permissions.has_reached_details(user, subject)
    if not at_step:
        return {"visible": False}
    can_read = permissions.can_read_documents(user, subject)
    return {
        "visible": True,
        "subject": subject,
        "kind": permissions.subject_kind(subject),
        "urls": _urls(subject),
        "back_url": _back(subject),
        "can_read": can_read,
        "can_accept_nda": permissions.can_accept_nda(user, subject),
        "has_nda": bool(subject.nda_text.strip()),
        "acceptance": permissions.nda_acceptance_of(user, subject),
        "can_manage": permissions.can_manage_documents(user, subject),
        "can_see_audit": permissions.can_see_nda_audit(user, subject),
        "documents": anonymity.documents_named_for(
            user, subject, list(permissions.documents_visible_to(user, subject))
        )
        if can_read
        else [],
        "upload_form": ConfidentialUploadForm(),
        "upload_max_bytes": storage.upload_max_bytes(),
    }


def _back(subject):
    """The subject's own page."""
    return subject.get_absolute_url()


@login_required
def nda(request, kind, pk):
    """The subject's NDA: its text and the click-through (people at the details
    step), or when it was accepted."""
    subject = permissions.access_subject(request.user, kind, pk)
    form = NdaForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        permissions.require_accept_nda(request.user, subject)
        if form.is_valid():
            services.nda_accept(actor=request.user, subject=subject)
            messages.success(
                request,
                _(
                    "You accepted the agreement: the confidential documents are open to you."
                ),
            )
            return redirect(_urls(subject)["documents"])
    return render(
        request,
        "innovation/disclosure/nda.html",
        {"form": form, "disclosure": disclosure_context(request.user, subject)},
        status=400 if form.is_bound else 200,
    )


@login_required
@require_safe
def documents(request, kind, pk):
    """The confidential documents page (the section on a page of its own)."""
    subject = permissions.access_subject(request.user, kind, pk)
    return render(
        request,
        "innovation/disclosure/documents.html",
        {"disclosure": disclosure_context(request.user, subject)},
    )


@csrf_exempt
@login_required
@require_POST
def document_upload(request, kind, pk):
    """Upload a confidential document (the owner's people). The permission is asked
    before the body is read; the body then streams through workspaces'
    `DocumentUploadHandler` (stopped at the size limit), and only then is CSRF
    checked (it reads the form)."""
    subject = permissions.access_subject(request.user, kind, pk)
    permissions.require_manage_documents(request.user, subject)
    handler = storage.DocumentUploadHandler(request)
    request.upload_handlers = [handler]
    return _document_upload(request, subject, handler)


@csrf_protect
def _document_upload(request, subject, handler):
    form = ConfidentialUploadForm(request.POST, request.FILES)
    refusals = [message for _name, message in handler.refusals]
    if refusals:
        form_add_errors(form, {"file": refusals})
    elif form.is_valid():
        try:
            services.document_upload(
                actor=request.user,
                subject=subject,
                file=form.cleaned_data["file"],
                title=form.cleaned_data["title"],
            )
        except ValidationError as error:
            form_add_errors(form, error)
        else:
            messages.success(request, _("The confidential document was uploaded."))
            return redirect(_urls(subject)["documents"])
    context = disclosure_context(request.user, subject)
    context["upload_form"] = form
    return render(
        request,
        "innovation/disclosure/documents.html",
        {"disclosure": context},
        status=413 if refusals else 400,
    )


@login_required
@require_safe
def document_download(request, kind, pk, document_pk):
    """Stream a confidential document as an attachment (nosniff, sandboxed, never
    cached); asked again on every download."""
    subject = permissions.access_subject(request.user, kind, pk)
    document = permissions.access_document(request.user, subject, document_pk)
    [document] = anonymity.documents_named_for(request.user, subject, [document])
    return private_file_response(
        document.file,
        filename=document.original_name,
        content_type=_CONTENT_TYPES.get(document.kind, "application/octet-stream"),
    )


@login_required
@require_POST
def document_delete(request, kind, pk, document_pk):
    subject = permissions.access_subject(request.user, kind, pk)
    document = permissions.access_document(request.user, subject, document_pk)
    services.document_delete(actor=request.user, subject=subject, document=document)
    messages.success(request, _("The confidential document was deleted."))
    return redirect(_urls(subject)["documents"])


def _acceptances(user, subject):
    permissions.require_see_nda_audit(user, subject)
    return (
        NdaAcceptance.objects.filter(**permissions.subject_filter(subject))
        .select_related("person", "organisation")
        .order_by("accepted_at", "pk")
    )


def _text_versions(rows):
    """Number the distinct texts accepted in order (1, 2, ...)."""
    versions = {}
    for row in rows:
        row.version = versions.setdefault(row.text, len(versions) + 1)
    return rows


@login_required
@require_safe
def nda_audit(request, kind, pk):
    """Who accepted the NDA, for which organisation, when, and which text version
    (the owner's people, facilitators, staff)."""
    subject = permissions.access_subject(request.user, kind, pk)
    rows = _text_versions(list(_acceptances(request.user, subject)))
    return render(
        request,
        "innovation/disclosure/nda_audit.html",
        {"disclosure": disclosure_context(request.user, subject), "rows": rows},
    )


@login_required
@require_safe
def nda_audit_csv(request, kind, pk):
    """The NDA audit as CSV."""
    subject = permissions.access_subject(request.user, kind, pk)
    rows = _text_versions(list(_acceptances(request.user, subject)))
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    stamp = timezone.now().strftime("%Y%m%d")
    response["Content-Disposition"] = (
        f'attachment; filename="nda-{permissions.subject_kind(subject)}-{subject.pk}-{stamp}.csv"'
    )
    response["X-Content-Type-Options"] = "nosniff"
    writer = csv.writer(response)
    writer.writerow(
        [_("Person"), _("Organisation"), _("Accepted"), _("Text version"), _("Text")]
    )
    for row in rows:
        writer.writerow(
            [
                _csv_safe(row.person.name),
                _csv_safe(row.organisation.name),
                row.accepted_at.isoformat(),
                row.version,
                _csv_safe(row.text),
            ]
        )
    return response


def _csv_safe(value):
    """Neutralise spreadsheet formulas (a cell starting with =, +, - or @)."""
    value = str(value)
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value
