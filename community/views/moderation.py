"""Views for moderators (the moderator's home of a community, its review queue, its
audit log, the combined queue) and for members (reporting a post, their reports and
moderation notices)."""

import csv
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, JsonResponse, QueryDict
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import permissions
from ..forms.moderation import (
    AuditFilterForm,
    MemberActionForm,
    MemberFilterForm,
    ReportForm,
    ReviewDecisionForm,
)
from ..models import Membership, ReviewItem
from ..queries import communities as community_queries
from ..queries import moderation as moderation_queries
from ..queries import posts as post_queries
from ..services import accounts, memberships, moderation, reports
from .communities import _header_context, _page, community_action
from .feedback import flash_errors, flash_form_errors, refusal_status, with_retry_after

QUEUE_PER_PAGE = 25
MEMBERS_PER_PAGE = 30
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
        latest_entries=moderation_queries.audit_entries(community, viewer=user)[:5],
        pending_requests=community_queries.pending_request_count(community),
        open_items=moderation_queries.open_review_count(community, viewer=user),
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
    if _wants_fragment(request):
        context = {"page_obj": page_obj, "items": page_obj.object_list}
        context.update(status=status, community=community)
        return _queue_fragment(request, context)
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
    context = {
        "page_obj": page_obj,
        "items": page_obj.object_list,
        "status": status,
        "combined": True,
        "held_communities": moderation_queries.held_communities(request.user),
        "nav_section": "moderation",
    }
    if _wants_fragment(request):
        return _queue_fragment(request, context)
    return render(request, "community/moderation_queue.html", context)


def _wants_fragment(request):
    """review_live.js asks for the queue's list alone (`X-Requested-With: fetch`)."""
    return request.headers.get("X-Requested-With") == "fetch"


def _queue_fragment(request, context):
    """`{"html": the queue's list, "pending": the navigation's count}`."""
    response = JsonResponse(
        {
            "html": render_to_string(
                "community/includes/review_queue_list.html", context, request=request
            ),
            "pending": moderation_queries.nav_moderation(request.user)["pending"],
        }
    )
    patch_vary_headers(response, ["X-Requested-With"])
    return response


def _allowed_decisions(request, item):
    membership = moderation_queries.author_membership(item)
    return permissions.review_decisions_allowed(request.user, item, membership)


# How many moderated communities' streams a page follows for the live count at most
# (staff follow `review:1` instead).
LIVE_STREAMS_MAX = 100


@login_required
def review_live(request):
    """For the navigation's live "Review" count: the open items of the communities
    the viewer moderates (as the navigation counts them) and the streams to follow."""
    permissions.require_see_combined_queue(request.user)
    user = request.user
    if permissions.is_site_staff(user):
        streams = [reports.STAFF_REVIEW_STREAM]
    else:
        ids = permissions.communities_moderated_by(user).values_list("pk", flat=True)
        streams = [f"moderation:{pk}" for pk in ids.order_by("pk")[:LIVE_STREAMS_MAX]]
    counts = moderation_queries.nav_moderation(user)
    return JsonResponse({"pending": counts["pending"], "streams": streams})


def _item_page(request, community, item, form=None, allowed=None):
    if allowed is None:
        allowed = _allowed_decisions(request, item)
    user = request.user
    context = _header_context(request, community, "moderation")
    context.update(
        item=item,
        post=item.post,
        post_url=post_queries.post_location_url(item.post),
        can_review=permissions.can_review_posts(user, community),
        can_take_over=permissions.can_take_over_review(user, community),
        claim_live=item.is_claim_live,
        form=form or ReviewDecisionForm(allowed=allowed),
        **moderation_queries.review_item_context(item, viewer=user),
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
        elif action == "take_over":
            reports.review_take_over(actor=request.user, item=item)
            messages.success(request, _("You took this item over."))
        else:
            allowed = _allowed_decisions(request, item)
            form = ReviewDecisionForm(request.POST, allowed=allowed)
            if not form.is_valid():
                return _item_page(request, community, item, form, allowed)
            try:
                item = reports.review_decide(
                    actor=request.user,
                    item=item,
                    decision=form.cleaned_data["decision"],
                    reason=form.cleaned_data["reason"],
                    until=form.until,
                )
            except PermissionDenied:
                # The author (or this moderator) changed role between the page and
                # the decision: the form says so and offers what is allowed now.
                if not permissions.can_review_posts(request.user, community):
                    raise
                with permissions.fresh():
                    allowed = _allowed_decisions(request, item)
                form.fields["decision"].choices = ReviewDecisionForm(
                    allowed=allowed
                ).fields["decision"].choices
                form.add_error(
                    "decision",
                    _(
                        "You may no longer take this decision on this item: the "
                        "author's role changed meanwhile. Choose again."
                    ),
                )
                return _item_page(request, community, item, form, allowed)
            messages.success(
                request,
                _("Decided: %(decision)s.") % {"decision": item.get_decision_display()},
            )
            return redirect("community:review-queue", community.slug)
    except ValidationError as error:
        if form is not None and hasattr(error, "error_dict"):
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
            return _item_page(request, community, item, form, allowed)
        # Closed or held by another moderator meanwhile: the page says so, fresh.
        flash_errors(request, error)
    return redirect("community:review-item", community.slug, item.pk)


# --- the moderators' member list ---------------------------------------------------------


@community_action
def moderation_members(request, community):
    """Every member with role, state, sanction and posts here; search, filters, pages;
    each row offers the actions this moderator may take on that person."""
    permissions.require_see_members_moderation(request.user, community)
    form = MemberFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    rows = moderation_queries.moderation_members(
        community,
        search=filters.get("q", ""),
        role=filters.get("role", ""),
        state=filters.get("state", ""),
    )
    page_obj = _page(request, rows, MEMBERS_PER_PAGE)
    members = []
    for membership in page_obj.object_list:
        membership.community = community
        allowed = permissions.member_actions_allowed(request.user, membership)
        actions = [(code, MemberActionForm.ACTIONS[code]) for code in allowed]
        members.append((membership, actions))
    query = request.GET.copy()
    query.pop("page", None)
    context = _header_context(request, community, "moderation")
    context.update(
        form=form,
        page_obj=page_obj,
        members=members,
        filter_query=query.urlencode(),
        is_filtered=form.is_bound and any(form.data.get(f) for f in form.fields),
        now=timezone.now(),
    )
    return render(request, "community/moderation_members.html", context)


def _member_act(actor, membership, action, form):
    """Run `action` through its service (each checks its rule again)."""
    reason, until = form.cleaned_data["reason"], form.until
    person = membership.user
    if action == "warn":
        moderation.membership_warn(actor=actor, membership=membership, reason=reason)
        return _("%(name)s was warned.")
    if action == "silence":
        moderation.membership_mute(
            actor=actor, membership=membership, until=until, reason=reason
        )
        return _("%(name)s is silenced.")
    if action == "unsilence":
        moderation.membership_unmute(actor=actor, membership=membership, reason=reason)
        return _("%(name)s may write again.")
    if action == "remove":
        moderation.membership_remove(actor=actor, membership=membership, reason=reason)
        return _("%(name)s was removed from the community.")
    if action == "ban":
        moderation.membership_ban(actor=actor, membership=membership, reason=reason)
        return _("%(name)s is banned.")
    if action == "unban":
        moderation.membership_unban(actor=actor, membership=membership, reason=reason)
        return _("The ban of %(name)s was lifted.")
    if action in ("promote", "demote"):
        role = Membership.Role.MODERATOR if action == "promote" else Membership.Role.MEMBER
        memberships.membership_set_role(actor=actor, membership=membership, role=role)
        return _("The role of %(name)s was changed.")
    if action == "suspend":
        accounts.account_suspend(actor=actor, person=person, until=until, reason=reason)
        return _("The account of %(name)s is suspended.")
    accounts.account_unsuspend(actor=actor, person=person, reason=reason)
    return _("The suspension of %(name)s was lifted.")


@require_POST
@community_action
def moderation_member_action(request, community, pk):
    """One action on one member (POST from the member list); back to the list with
    its filters."""
    permissions.require_see_members_moderation(request.user, community)
    membership = community_queries.community_membership(
        community, pk, states=Membership.State.values
    )
    membership.community = community
    back = reverse("community:moderation-members", args=[community.slug])
    filters = QueryDict(request.POST.get("filters", "")).copy()
    filters = {key: filters.get(key) for key in ("q", "role", "state", "page")}
    query = urlencode({key: value for key, value in filters.items() if value})
    back = f"{back}?{query}" if query else back
    form = MemberActionForm(request.POST)
    if not form.is_valid():
        flash_form_errors(request, form)
        return redirect(back)
    try:
        done = _member_act(request.user, membership, form.cleaned_data["action"], form)
    except ValidationError as error:
        flash_errors(request, error)
    else:
        messages.success(request, done % {"name": membership.user.name})
    return redirect(back)


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
    """The member's reports with their outcomes and the moderators' notices to them
    (unread first); the notices it shows are marked read, no others."""
    notices = list(moderation_queries.my_notices(request.user)[:50])
    for notice in notices:
        # A private community that banned them: its name goes with the rest of it.
        notice.community_shown = permissions.can_see_community(
            request.user, notice.community
        )
    page_obj = _page(
        request, moderation_queries.my_reports(request.user), REPORTS_PER_PAGE
    )
    reports.notices_mark_read(
        actor=request.user,
        ids=[notice.pk for notice in notices if notice.read_at is None],
    )
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
    return form, moderation_queries.audit_entries(
        community, viewer=request.user, **filters
    )


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
                _("A thread you cannot see")
                if getattr(entry, "target_hidden", False)
                else entry.label_display,
                _person(entry.member),
                entry.thread_id_ref,
                entry.post_id_ref,
                entry.reason_display,
                timezone.localtime(entry.until).isoformat(timespec="seconds")
                if entry.until
                else "",
            )
        )
    return response


urlpatterns = [
    path("moderation/", review_combined, name="review-combined"),
    path("moderation/mine/", my_moderation, name="my-moderation"),
    path("moderation/live/", review_live, name="review-live"),
    path("p/<int:pk>/report/", post_report, name="post-report"),
    path("c/<slug:slug>/moderation/queue/", review_queue, name="review-queue"),
    path("c/<slug:slug>/moderation/queue/<int:pk>/", review_item, name="review-item"),
    path("c/<slug:slug>/moderation/", moderation_home, name="moderation-home"),
    path("c/<slug:slug>/moderation/log/", audit_log, name="audit-log"),
    path(
        "c/<slug:slug>/moderation/members/",
        moderation_members,
        name="moderation-members",
    ),
    path(
        "c/<slug:slug>/moderation/members/<int:pk>/",
        moderation_member_action,
        name="moderation-member-action",
    ),
    path("c/<slug:slug>/moderation/log.csv", audit_log_csv, name="audit-log-csv"),
]
