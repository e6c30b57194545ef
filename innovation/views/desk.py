"""Views of the innovation desk: the validation queue and an item's page (approve,
refuse, help on drafts), introductions and funding calls."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from community.markdown import render_markdown
from community.models import Organisation

from .. import permissions
from ..forms.desk import (
    FundingCallFilterForm,
    FundingCallForm,
    IntroductionForm,
    RefusalForm,
)
from ..models import CollaborationType, Sector
from ..queries import desk as queries
from ..services import desk as desk_services
from ..services import funding, validation

PAGE_SIZE = 20
NAV = {"nav_section": "innovation"}


def _labels(codes, vocabulary):
    names = dict(vocabulary.choices)
    return [names.get(code, code) for code in codes]


def _page(request, items):
    return Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))


def _form_errors(form, error):
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


# --- the desk ------------------------------------------------------------------------------


@login_required
def desk_home(request):
    """The validation queue (oldest first, paginated), the drafts the facilitator
    helps with and the firms' requests for help."""
    permissions.require_facilitator(request.user)
    page_obj = _page(request, queries.validation_queue())
    context = {
        **NAV,
        "page_obj": page_obj,
        "queue": page_obj.object_list,
        "helped": queries.drafts_helped_by(request.user),
        "requests": queries.help_requests(),
    }
    return render(request, "innovation/desk/desk_home.html", context)


def _item_or_404(user, kind, pk):
    item = queries.desk_item(user, kind, pk)
    if item is None:
        raise Http404
    return item


def _item_context(user, item, kind, refusal_form):
    return {
        **NAV,
        "item": item,
        "kind": kind,
        "sectors": _labels(item.sectors, Sector),
        "collaboration_types": _labels(item.collaboration_types, CollaborationType),
        "refusal_form": refusal_form,
        "can_validate": permissions.can_validate(user, item),
        "can_edit": permissions.can_edit_draft(user, item),
        "can_request_help": permissions.can_request_help(user, item),
        "can_take": permissions.can_take_draft(user, item),
        "can_release": permissions.can_release_draft(user, item),
        "is_facilitator": permissions.is_facilitator(user),
    }


@login_required
def desk_item(request, kind, pk):
    """Everything of a challenge or an offer (the full draft) for the desk and the
    firm, with the decisions the viewer may take."""
    item = _item_or_404(request.user, kind, pk)
    context = _item_context(request.user, item, kind, RefusalForm())
    return render(request, "innovation/desk/desk_item.html", context)


def _item_action(request, kind, pk, action, done):
    item = _item_or_404(request.user, kind, pk)
    try:
        action(item)
    except (PermissionDenied, ValidationError) as error:
        for message in getattr(error, "messages", [str(error)]):
            messages.error(request, message)
    else:
        messages.success(request, done)
    return redirect("innovation:desk-item", kind, pk)


@require_POST
@login_required
def desk_item_publish(request, kind, pk):
    return _item_action(
        request,
        kind,
        pk,
        lambda item: validation.item_publish(actor=request.user, item=item),
        _("Approved and published: the firm has been told."),
    )


@require_POST
@login_required
def desk_item_refuse(request, kind, pk):
    user = request.user
    item = _item_or_404(user, kind, pk)
    form = RefusalForm(request.POST)
    if form.is_valid():
        try:
            validation.item_refuse(
                actor=user, item=item, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(
                request, _("Sent back to draft: the firm reads your reason.")
            )
            return redirect("innovation:desk-home")
    permissions.require_validate(user, item)
    context = _item_context(user, item, kind, form)
    return render(request, "innovation/desk/desk_item.html", context, status=400)


@require_POST
@login_required
def desk_item_help(request, kind, pk):
    return _item_action(
        request,
        kind,
        pk,
        lambda item: desk_services.help_request(actor=request.user, item=item),
        _("The innovation desk has been asked to help with this draft."),
    )


@require_POST
@login_required
def desk_item_take(request, kind, pk):
    return _item_action(
        request,
        kind,
        pk,
        lambda item: desk_services.draft_take(actor=request.user, item=item),
        _("You help with this draft now: you may read and edit it."),
    )


@require_POST
@login_required
def desk_item_release(request, kind, pk):
    return _item_action(
        request,
        kind,
        pk,
        lambda item: desk_services.draft_release(actor=request.user, item=item),
        _("The innovation desk no longer helps with this draft."),
    )


# --- introductions -------------------------------------------------------------------------


@login_required
def introduction_list(request):
    """My introductions: the ones I made or take part in."""
    page_obj = _page(request, queries.introductions_of(request.user))
    context = {
        **NAV,
        "page_obj": page_obj,
        "introductions": page_obj.object_list,
        "can_introduce": permissions.is_facilitator(request.user),
    }
    return render(request, "innovation/desk/introduction_list.html", context)


@login_required
def introduction_create(request):
    permissions.require_facilitator(request.user)
    form = IntroductionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            introduction = desk_services.introduction_create(
                actor=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(
                request, _("Introduction made: both people have been told.")
            )
            return redirect("innovation:introduction-detail", introduction.pk)
    return render(
        request, "innovation/desk/introduction_form.html", {**NAV, "form": form}
    )


@login_required
def introduction_detail(request, pk):
    introduction = permissions.access_introduction(request.user, pk)
    return render(
        request,
        "innovation/desk/introduction_detail.html",
        {**NAV, "introduction": introduction},
    )


# --- funding calls -------------------------------------------------------------------------


def funding_call_list(request):
    """Upcoming calls (or the closed ones), filtered, paginated; for signed-in people
    with an organisation, the calls suggested for it with their reasons."""
    user = request.user
    closed = request.GET.get("tab") == "closed"
    form = FundingCallFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {"kind": "", "sector": ""}
    page_obj = _page(request, queries.funding_calls(user, closed=closed, **filters))
    organisation = permissions.acting_organisation(user)
    context = {
        "nav_section": "funding",
        "form": form,
        "closed": closed,
        "is_filtered": any(filters.values()),
        "page_obj": page_obj,
        "calls": page_obj.object_list,
        "organisation": organisation,
        "suggestions": funding.funding_calls_suggested(organisation)
        if organisation and not closed
        else [],
        "can_manage": permissions.can_manage_funding_calls(user),
        "today": timezone.localdate(),
    }
    return render(request, "innovation/desk/funding_call_list.html", context)


def funding_call_detail(request, pk):
    call = permissions.access_funding_call(request.user, pk)
    context = {
        "nav_section": "funding",
        "call": call,
        "body": mark_safe(render_markdown(call.body)),  # sanitised by the renderer
        "is_closed": call.deadline < timezone.localdate(),
        "eligible": _labels(call.eligible_kinds, Organisation.Kind),
        "sectors": _labels(call.sectors, Sector),
        "can_manage": permissions.can_manage_funding_calls(request.user),
    }
    return render(request, "innovation/desk/funding_call_detail.html", context)


def _funding_call_form(request, call=None):
    permissions.require_facilitator(request.user)
    form = FundingCallForm(request.POST or None, instance=call)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in funding.FIELDS}
        tags = form.cleaned_data["tags"]
        try:
            if call is None:
                call = funding.funding_call_publish(
                    actor=request.user, data=data, tags=tags
                )
                messages.success(request, _("Funding call published."))
            else:
                call = funding.funding_call_update(
                    actor=request.user, call=call, data=data, tags=tags
                )
                messages.success(request, _("Funding call saved."))
        except ValidationError as error:
            _form_errors(form, error)
        else:
            return redirect(call)
    return render(
        request,
        "innovation/desk/funding_call_form.html",
        {"nav_section": "funding", "form": form, "call": call},
    )


@login_required
def funding_call_create(request):
    return _funding_call_form(request)


@login_required
def funding_call_edit(request, pk):
    permissions.require_facilitator(request.user)
    return _funding_call_form(
        request, permissions.access_funding_call(request.user, pk)
    )


@require_POST
@login_required
def funding_call_withdraw(request, pk):
    permissions.require_facilitator(request.user)
    call = permissions.access_funding_call(request.user, pk)
    try:
        funding.funding_call_withdraw(actor=request.user, call=call)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Funding call withdrawn."))
    return redirect(reverse("innovation:funding-call-list"))
