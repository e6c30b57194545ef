"""The funnel's figures (the desk's regional dashboard, an organisation's own funnel,
CSV export) and recording a deal's outcome."""

import csv
import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from workspaces import permissions as workspace_permissions
from workspaces.models import Workspace

from .. import permissions
from ..forms.funnel import OutcomeForm, PeriodForm
from ..models import ExpressionOfInterest, Outcome, Proposal
from ..queries import dashboard
from ..services import outcomes

CHART_WIDTH = 640
BAR_HEIGHT = 16
ROW_HEIGHT = 44  # a stage's label, then its bar
MONTH_CHART_HEIGHT = 160


def _since(request):
    form = PeriodForm(request.GET or None)
    back = form.months_back()
    if back is None:
        return form, None
    today = timezone.localdate()
    year, month = today.year, today.month - back
    while month < 1:
        year, month = year - 1, month + 12
    return form, datetime.date(year, month, 1)


def _funnel_chart(rows):
    """Bars of the funnel, as the SVG template draws them."""
    top = max((count for _code, _label, count, _share in rows), default=0) or 1
    return [
        {
            "code": code,
            "label": label,
            "count": count,
            "share": share,
            "y": index * ROW_HEIGHT,
            "width": round((CHART_WIDTH - 60) * count / top),
        }
        for index, (code, label, count, share) in enumerate(rows)
    ]


def _month_chart(rows):
    """One group of four bars per month (contacts, interest, workspaces, agreements)."""
    top = max((max(counts) for _first, counts in rows), default=0) or 1
    slot = CHART_WIDTH / max(len(rows), 1)
    bar = max(2, int((slot - 8) / 4))
    groups = []
    for index, (first, counts) in enumerate(rows):
        bars = []
        for position, count in enumerate(counts):
            height = round((MONTH_CHART_HEIGHT - 20) * count / top)
            bars.append(
                {
                    "stage": dashboard.STAGE_CODES[position],
                    "x": round(index * slot + 4 + position * bar),
                    "y": MONTH_CHART_HEIGHT - 20 - height,
                    "height": height,
                    "width": bar - 1,
                    "count": count,
                }
            )
        groups.append(
            {
                "label": formats.date_format(first, "M y"),
                "x": round(index * slot + slot / 2),
                "bars": bars,
                "counts": counts,
            }
        )
    return groups


def _figures(found):
    return {
        "stages": dashboard.STAGES,
        "funnel": _funnel_chart(dashboard.funnel(found)),
        "months": _month_chart(dashboard.months(found)),
        "breakdowns": [
            (code, title, dashboard.breakdown(found, code))
            for code, (title, _labels) in dashboard.DIMENSIONS.items()
        ],
        "chart_width": CHART_WIDTH,
        "bar_height": BAR_HEIGHT,
        "funnel_height": len(dashboard.STAGES) * ROW_HEIGHT,
        "month_chart_height": MONTH_CHART_HEIGHT,
        "has_steps": bool(found),
    }


@login_required
def regional_dashboard(request):
    """The desk's and staff's view of the whole region's funnel."""
    permissions.require_regional_dashboard(request.user)
    form, since = _since(request)
    found = dashboard.steps(since=since)
    return render(
        request,
        "innovation/dashboard/regional.html",
        {"form": form, "query": request.GET.urlencode(), **_figures(found)},
    )


@login_required
def regional_dashboard_csv(request):
    """The regional figures as CSV: each dimension's rows, then each month's."""
    permissions.require_regional_dashboard(request.user)
    _form, since = _since(request)
    found = dashboard.steps(since=since)
    return _csv(found, "crocevia-funnel.csv")


@login_required
def organisation_funnel(request):
    """My organisation's own funnel, and its deals waiting for their outcome."""
    organisation = permissions.acting_organisation(request.user)
    if organisation is None:
        return render(request, "innovation/dashboard/no_organisation.html", status=403)
    form, since = _since(request)
    found = dashboard.steps(organisation=organisation, since=since)
    deals = _deals_of(request.user, organisation)
    return render(
        request,
        "innovation/dashboard/organisation.html",
        {
            "organisation": organisation,
            "form": form,
            "query": request.GET.urlencode(),
            "deals": deals,
            **_figures(found),
        },
    )


@login_required
def organisation_funnel_csv(request):
    organisation = permissions.acting_organisation(request.user)
    if organisation is None:
        raise PermissionDenied(_("Join an organisation to see its funnel."))
    _form, since = _since(request)
    found = dashboard.steps(organisation=organisation, since=since)
    return _csv(found, f"crocevia-funnel-{organisation.slug}.csv")


def _csv(found, filename):
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow([_("Dimension"), _("Value"), *(str(label) for _c, label in dashboard.STAGES)])
    for code, label, count, _share in dashboard.funnel(found):
        writer.writerow([_("Funnel"), str(label), *([""] * dashboard.STAGE_CODES.index(code)), count])
    for code, (title, _labels) in dashboard.DIMENSIONS.items():
        for label, counts in dashboard.breakdown(found, code):
            writer.writerow([str(title), label, *counts])
    for first, counts in dashboard.months(found):
        writer.writerow([_("Month"), first.strftime("%Y-%m"), *counts])
    return response


def _deals_of(user, organisation):
    """The organisation's workspaces opened by the funnel, with their outcome and
    whether `user` may record it."""
    answers = [
        *Proposal.objects.filter(workspace__isnull=False)
        .filter(organisation=organisation)
        .select_related("workspace", "challenge"),
        *Proposal.objects.filter(workspace__isnull=False)
        .filter(challenge__organisation=organisation)
        .select_related("workspace", "challenge"),
        *ExpressionOfInterest.objects.filter(workspace__isnull=False)
        .filter(organisation=organisation)
        .select_related("workspace", "offer"),
        *ExpressionOfInterest.objects.filter(workspace__isnull=False)
        .filter(offer__organisation=organisation)
        .select_related("workspace", "offer"),
    ]
    outcomes_by_workspace = {
        outcome.workspace_id: outcome
        for outcome in Outcome.objects.filter(
            workspace_id__in=[answer.workspace_id for answer in answers]
        )
    }
    deals = []
    for answer in answers:
        workspace = answer.workspace
        if not workspace_permissions.can_see_workspace(user, workspace):
            continue
        outcome = outcomes_by_workspace.get(workspace.pk)
        deals.append(
            {
                "workspace": workspace,
                "subject": answer.challenge if isinstance(answer, Proposal) else answer.offer,
                "outcome": outcome,
                "may_record": permissions.may_record_outcome(
                    user, workspace, from_funnel=True, recorded=outcome is not None
                ),
            }
        )
    deals.sort(key=lambda deal: deal["workspace"].created_at, reverse=True)
    return deals


@login_required
def outcome_record(request, workspace_id):
    """Record how a deal ended (and archive its workspace): its leads, once."""
    workspace = get_object_or_404(Workspace, pk=workspace_id)
    if not workspace_permissions.can_see_workspace(request.user, workspace):
        raise PermissionDenied(_("You do not take part in this workspace."))
    permissions.require_record_outcome(request.user, workspace)
    form = OutcomeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            outcomes.outcome_record(
                actor=request.user,
                workspace=workspace,
                result=form.cleaned_data["result"],
                value_band=form.cleaned_data["value_band"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("The outcome is recorded and the workspace archived.")
            )
            return redirect("innovation:organisation-funnel")
    return render(
        request,
        "innovation/dashboard/outcome_form.html",
        {"workspace": workspace, "form": form},
    )
