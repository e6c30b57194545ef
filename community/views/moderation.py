"""Views for moderators: the moderator's home of a community and its audit log."""

import csv

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import permissions
from ..forms.moderation import AuditFilterForm
from ..queries import communities as community_queries
from ..queries import moderation as moderation_queries
from .communities import _header_context, _page, community_action

AUDIT_PER_PAGE = 50
# Cells a spreadsheet would run as a formula get a leading apostrophe.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@community_action
def moderation_home(request, community):
    """Where a community's moderators start: the audit log, members and requests."""
    permissions.require_see_moderation(request.user, community)
    context = _header_context(request, community, "moderation")
    context.update(
        latest_entries=moderation_queries.audit_entries(community)[:5],
        pending_requests=community_queries.pending_request_count(community),
    )
    return render(request, "community/moderation_home.html", context)


def _filtered_entries(request, community):
    form = AuditFilterForm(
        request.GET or None,
        actors=moderation_queries.audit_people(community, "actor"),
        members=moderation_queries.audit_people(community, "member"),
    )
    filters = {}
    if form.is_valid():
        filters = {
            "actor": form.cleaned_data["actor"],
            "action": form.cleaned_data["action"],
            "member": form.cleaned_data["member"],
        }
    return form, moderation_queries.audit_entries(community, **filters)


@community_action
def audit_log(request, community):
    """Every moderation action in the community, newest first; filterable, paginated."""
    permissions.require_see_audit_log(request.user, community)
    form, entries = _filtered_entries(request, community)
    page_obj = _page(request, entries, AUDIT_PER_PAGE)
    query = request.GET.copy()
    query.pop("page", None)
    context = _header_context(request, community, "moderation")
    context.update(
        form=form,
        page_obj=page_obj,
        entries=page_obj.object_list,
        filter_query=query.urlencode(),
        is_filtered=form.is_bound and any(form.data.get(f) for f in form.fields),
    )
    return render(request, "community/moderation_audit_log.html", context)


def _cell(value):
    value = "" if value is None else str(value)
    return "'" + value if value.startswith(_FORMULA_START) else value


def _person(user):
    return f"{user.name} (@{user.username})" if user is not None else ""


@community_action
def audit_log_csv(request, community):
    """The audit log with the page's filters, as a CSV file (every row, no pages)."""
    permissions.require_see_audit_log(request.user, community)
    _form, entries = _filtered_entries(request, community)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="audit-{community.slug}-{stamp}.csv"'
    )
    writer = csv.writer(response)
    writer.writerow(
        [
            _("Time"),
            _("Moderator"),
            _("Action"),
            _("Target"),
            _("Member concerned"),
            _("Thread id"),
            _("Post id"),
            _("Reason"),
            _("Until"),
        ]
    )
    for entry in entries.iterator(chunk_size=500):
        writer.writerow(
            _cell(value)
            for value in (
                timezone.localtime(entry.created_at).isoformat(timespec="seconds"),
                _person(entry.actor),
                entry.get_action_display(),
                entry.target_label,
                _person(entry.member),
                entry.thread_id_ref,
                entry.post_id_ref,
                entry.reason,
                timezone.localtime(entry.until).isoformat(timespec="seconds")
                if entry.until
                else "",
            )
        )
    return response


urlpatterns = [
    path("c/<slug:slug>/moderation/", moderation_home, name="moderation-home"),
    path("c/<slug:slug>/moderation/log/", audit_log, name="audit-log"),
    path("c/<slug:slug>/moderation/log.csv", audit_log_csv, name="audit-log-csv"),
]
