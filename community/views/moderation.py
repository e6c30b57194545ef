"""Views for moderators (the moderator's home of a community, its review queue, its
audit log, the combined queue) and for members (reporting a post, their reports and
moderation notices)."""

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import permissions
from ..forms.moderation import (
    AuditFilterForm,
    ReportForm,
    ReviewDecisionForm,
)
from ..models import ReviewItem
from ..queries import communities as community_queries
from ..queries import moderation as moderation_queries
from ..queries import posts as post_queries
from ..services import reports
from .communities import _header_context, _page, community_action
from .feedback import flash_errors, refusal_status, with_retry_after

QUEUE_PER_PAGE = 25
REPORTS_PER_PAGE = 30

AUDIT_PER_PAGE = 50
# Cells a spreadsheet would run as a formula get a leading apostrophe.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@community_action
def moderation_home(request, community):
    """Where a community's moderators start: the queue, held posts, the audit log,
    members, requests and the settings."""
    permissions.require_see_moderation(request.user, community)
    context = _header_context(request, community, "moderation")
    user = request.user
    context.update(
        latest_entries=moderation_queries.audit_entries(community)[:5],
        pending_requests=community_queries.pending_request_count(community),
        open_items=moderation_queries.open_review_count(community),
        can_change_settings=permissions.can_change_moderation_settings(user, community),
    )
    return render(request, "community/moderation_home.html", context)


# --- the review queue --------------------------------------------------------------------


def _status(request):
    closed = request.GET.get("status") == ReviewItem.Status.CLOSED
    return ReviewItem.Status.CLOSED if closed else ReviewItem.Status.OPEN


@community_action
def review_queue(request, community):
    """Reported posts of the community waiting for a decision (or decided: `?status=closed`)."""
    permissions.require_see_review_queue(request.user, community)
    status = _status(request)
    page_obj = _page(
        request,
        moderation_queries.review_items(request.user, community, status=status),
        QUEUE_PER_PAGE,
    )
    context = _header_context(request, community, "moderation")
    context.update(page_obj=page_obj, items=page_obj.object_list, status=status)
    return render(request, "community/moderation_queue.html", context)


@login_required
def review_combined(request):
    """Every open item of the communities the viewer moderates (staff: all)."""
    permissions.require_see_combined_queue(request.user)
    status = _status(request)
    items = moderation_queries.review_items(request.user, status=status)
    page_obj = _page(request, items, QUEUE_PER_PAGE)
    return render(
        request,
        "community/moderation_queue.html",
        {
            "page_obj": page_obj,
            "items": page_obj.object_list,
            "status": status,
            "combined": True,
            "held_communities": moderation_queries.held_communities(request.user),
            "nav_section": "moderation",
        },
    )


def _item_page(request, community, item, form=None):
    context = _header_context(request, community, "moderation")
    context.update(
        item=item,
        post=item.post,
        post_url=post_queries.post_location_url(item.post),
        can_review=permissions.can_review_posts(request.user, community),
        form=form or ReviewDecisionForm(),
        decisions=ReviewItem.Decision,
        **moderation_queries.review_item_context(item),
    )
    return render(request, "community/moderation_item.html", context)


@community_action
def review_item(request, community, pk):
    """One reported post in context, its reports and its author's recent posts; the
    forms to claim it and to decide (POST `action` = claim, release or decide)."""
    item = permissions.access_review_item(request.user, community, pk)
    if request.method != "POST":
        return _item_page(request, community, item)
    action = request.POST.get("action")
    form = None
    try:
        if action == "claim":
            reports.review_claim(actor=request.user, item=item)
            messages.success(request, _("You are handling this item."))
        elif action == "release":
            reports.review_release(actor=request.user, item=item)
            messages.success(request, _("You left this item to the others."))
        else:
            form = ReviewDecisionForm(request.POST)
            if not form.is_valid():
                return _item_page(request, community, item, form)
            item = reports.review_decide(
                actor=request.user,
                item=item,
                decision=form.cleaned_data["decision"],
                reason=form.cleaned_data["reason"],
                until=form.until,
            )
            messages.success(
                request,
                _("Decided: %(decision)s.") % {"decision": item.get_decision_display()},
            )
            return redirect("community:review-queue", community.slug)
    except ValidationError as error:
        if form is not None and hasattr(error, "error_dict"):
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
            return _item_page(request, community, item, form)
        # Closed or held by another moderator meanwhile: the page says so, fresh.
        flash_errors(request, error)
    return redirect("community:review-item", community.slug, item.pk)


# --- reporting, and what members are told -------------------------------------------------


@login_required
def post_report(request, pk):
    """Report a post or room message to its community's moderators (a small form)."""
    post = permissions.access_post(request.user, pk)
    permissions.require_report_post(request.user, post)
    back = post_queries.post_location_url(post)
    form = ReportForm(request.POST or None)
    status, refusal = 200, None
    if request.method == "POST" and form.is_valid():
        try:
            reports.post_report(
                actor=request.user,
                post=post,
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            status, refusal = refusal_status(error), error
            if hasattr(error, "error_dict"):
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, error)
        else:
            messages.success(
                request,
                _(
                    "Thank you: the moderators will look at it. You will find the outcome in “My reports”."
                ),
            )
            return redirect(back)
    response = render(
        request,
        "community/post_report.html",
        {
            "form": form,
            "post": post,
            "thread": post.thread,
            "community": post.thread.community,
            "back_url": back,
        },
        status=status,
    )
    return with_retry_after(response, refusal)


@login_required
def my_moderation(request):
    """The member's reports with their outcomes and the moderators' notices to them;
    opening it marks the notices read."""
    notices = list(moderation_queries.my_notices(request.user)[:50])
    page_obj = _page(
        request, moderation_queries.my_reports(request.user), REPORTS_PER_PAGE
    )
    reports.notices_mark_read(actor=request.user)
    return render(
        request,
        "community/moderation_mine.html",
        {"notices": notices, "page_obj": page_obj, "reports": page_obj.object_list},
    )


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
    path("moderation/", review_combined, name="review-combined"),
    path("moderation/mine/", my_moderation, name="my-moderation"),
    path("p/<int:pk>/report/", post_report, name="post-report"),
    path("c/<slug:slug>/moderation/queue/", review_queue, name="review-queue"),
    path("c/<slug:slug>/moderation/queue/<int:pk>/", review_item, name="review-item"),
    path("c/<slug:slug>/moderation/", moderation_home, name="moderation-home"),
    path("c/<slug:slug>/moderation/log/", audit_log, name="audit-log"),
    path("c/<slug:slug>/moderation/log.csv", audit_log_csv, name="audit-log-csv"),
]
