"""Pages of technology offers and expressions of interest: the public list and
detail, the owner's drafts, renewal and withdrawal, sending an interest, and the
received and sent interests with their decisions."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from workspaces.views.common import form_add_errors, fragment_or_page

from .. import permissions
from ..forms.offers import DecisionForm, InterestForm, OfferFilterForm, OfferForm
from ..models import CollaborationType, ExpressionOfInterest, Sector, TechnologyOffer
from ..services import interests as interest_services
from ..services import offers as offer_services
from .disclosure import disclosure_context

OFFERS_PER_PAGE = 20
INTERESTS_PER_PAGE = 25
# The interests received follow at most this many of the organisation's live offers'
# streams (the newest); the others' news shows at the next visit.
LIVE_OFFERS_FOLLOWED = 20


def _page(request, rows, per_page):
    return Paginator(rows, per_page).get_page(request.GET.get("page"))


def _filtered(rows, form):
    """Apply the list's valid filters."""
    if not form.is_valid():
        return rows
    data = form.cleaned_data
    if data["sector"]:
        rows = rows.filter(sectors__contains=f",{data['sector']},")
    if data["trl_min"]:
        rows = rows.filter(trl__gte=data["trl_min"])
    if data["trl_max"]:
        rows = rows.filter(trl__lte=data["trl_max"])
    if data["ip_status"]:
        rows = rows.filter(ip_status=data["ip_status"])
    if data["cooperation"]:
        rows = rows.filter(collaboration_types__contains=f",{data['cooperation']},")
    if data["tag"].strip():
        tag = data["tag"].strip()
        rows = rows.filter(Q(tags__slug=tag) | Q(tags__name__iexact=tag)).distinct()
    return rows


@require_safe
def offer_list(request):
    """Published, unexpired offers, newest first, with filters."""
    form = OfferFilterForm(request.GET or None)
    rows = (
        TechnologyOffer.objects.filter(permissions.live_offers_condition())
        .select_related("organisation")
        .prefetch_related("tags")
        .order_by("-published_at", "-pk")
    )
    rows = _filtered(rows, form) if request.GET else rows
    page = _page(request, rows, OFFERS_PER_PAGE)
    return render(
        request,
        "innovation/offers/offer_list.html",
        {
            "filter_form": form if form.is_bound else OfferFilterForm(),
            "page_obj": page,
            "offers": page.object_list,
            "can_create": permissions.can_create_offer(request.user),
            "is_filtered": bool(request.GET.keys() - {"page"}),
        },
    )


def _detail_context(request, offer, *, interest_form=None):
    user = request.user
    my_interest = permissions.interest_of(user, offer)
    can_send = permissions.can_send_interest(user, offer)
    return {
        "offer": offer,
        "is_live": permissions.is_live(offer),
        "is_expired": permissions.is_expired(offer),
        "can_read_details": permissions.can_read_offer_details(user, offer),
        "can_see_status": permissions.can_see_offer_desk_view(user, offer),
        "can_edit": permissions.can_edit_offer(user, offer),
        "can_submit": permissions.can_submit_offer(user, offer),
        "can_renew": permissions.can_renew_offer(user, offer),
        "can_withdraw": permissions.can_withdraw_offer(user, offer),
        "can_send_interest": can_send,
        "interest_form": interest_form or (InterestForm() if can_send else None),
        "my_interest": my_interest,
        "disclosure": disclosure_context(user, offer),
        "tags": list(offer.tags.all()),
        "collaboration_labels": [
            CollaborationType(c).label for c in offer.collaboration_types
        ],
        "sector_labels": [Sector(c).label for c in offer.sectors],
        "live_streams": offer.stream,
        # The page's own address, also when a POST re-renders it with errors.
        "live_url": offer.get_absolute_url(),
    }


@require_safe
def offer_detail(request, pk):
    """An offer: summary, TRL, IP status, terms, owner; details and documents at the
    viewer's step; the interest form or the interest's status."""
    offer = permissions.access_offer(request.user, pk)
    return fragment_or_page(
        request,
        "innovation/offers/offer_detail.html",
        "innovation/offers/offer_detail_live.html",
        _detail_context(request, offer),
    )


def _offer_form_page(request, form, offer=None):
    return render(
        request,
        "innovation/offers/offer_form.html",
        {"form": form, "offer": offer},
        status=400 if form.is_bound else 200,
    )


@login_required
def offer_create(request):
    """A new draft offer for the person's organisation."""
    permissions.require_create_offer(request.user)
    form = OfferForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            offer = offer_services.offer_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form_add_errors(form, error)
        else:
            messages.success(request, _("The draft offer was saved."))
            return redirect(offer)
    return _offer_form_page(request, form)


@login_required
def offer_edit(request, pk):
    """Edit a draft (the owner's people; its facilitator)."""
    offer = permissions.access_offer(request.user, pk)
    permissions.require_edit_offer(request.user, offer)
    form = OfferForm(request.POST if request.method == "POST" else None, instance=offer)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            offer_services.offer_edit(actor=request.user, offer=offer, **data)
        except ValidationError as error:
            form_add_errors(form, error)
        else:
            messages.success(request, _("The offer was saved."))
            return redirect(offer)
    return _offer_form_page(request, form, offer)


def _offer_action(service, done):
    @login_required
    @require_POST
    def view(request, pk):
        offer = permissions.access_offer(request.user, pk)
        service(actor=request.user, offer=offer)
        messages.success(request, done())
        if request.POST.get("next") == "mine":
            return redirect("innovation:offer-mine")
        return redirect(offer)

    view.__name__ = service.__name__
    view.__doc__ = service.__doc__
    return view


offer_submit = _offer_action(
    offer_services.offer_submit,
    lambda: _("The offer was sent to the innovation desk for validation."),
)
offer_renew = _offer_action(
    offer_services.offer_renew, lambda: _("The offer was renewed: it is listed again.")
)
offer_withdraw = _offer_action(
    offer_services.offer_withdraw, lambda: _("The offer was withdrawn.")
)


@login_required
@require_safe
def offer_mine(request):
    """My organisation's offers in every state, with expiry and renewal."""
    organisation = permissions.acting_organisation(request.user)
    rows = (
        TechnologyOffer.objects.filter(organisation=organisation).order_by(
            "-updated_at", "-pk"
        )
        if organisation is not None
        else TechnologyOffer.objects.none()
    )
    page = _page(request, rows, OFFERS_PER_PAGE)
    return render(
        request,
        "innovation/offers/offer_mine.html",
        {
            "organisation": organisation,
            "page_obj": page,
            "rows": [
                {
                    "offer": offer,
                    "is_expired": permissions.is_expired(offer),
                    "can_renew": permissions.can_renew_offer(request.user, offer),
                }
                for offer in page.object_list
            ],
            "can_create": permissions.can_create_offer(request.user),
        },
    )


@login_required
@require_POST
def interest_send(request, pk):
    """Send the organisation's interest in an offer (the three questions)."""
    offer = permissions.access_offer(request.user, pk)
    permissions.require_send_interest(request.user, offer)
    form = InterestForm(request.POST)
    if form.is_valid():
        try:
            interest = interest_services.interest_send(
                actor=request.user, offer=offer, **form.cleaned_data
            )
        except ValidationError as error:
            form_add_errors(form, error)
        else:
            messages.success(
                request, _("Your interest was sent to the offering organisation.")
            )
            return redirect(interest)
    return render(
        request,
        "innovation/offers/offer_detail.html",
        _detail_context(request, offer, interest_form=form),
        status=400,
    )


def _interest_rows(queryset):
    return queryset.select_related("offer__organisation", "organisation", "created_by")


def _interest_list(request, *, received):
    """My organisation's interests: received by its offers, or sent by it."""
    organisation = permissions.acting_organisation(request.user)
    rows = []
    if organisation is not None:
        mine = (
            {"offer__organisation": organisation} if received else {"organisation": organisation}
        )
        rows = _interest_rows(
            permissions.interests_visible_to(request.user).filter(**mine)
        )
    page = _page(request, rows, INTERESTS_PER_PAGE)
    return fragment_or_page(
        request,
        "innovation/offers/interest_list.html",
        "innovation/offers/interest_list_live.html",
        {
            "page_obj": page,
            "interests": page.object_list,
            "received": received,
            "live_streams": _interest_streams(request.user, organisation, page, received=received),
            "live_url": request.get_full_path(),
        },
    )


def _interest_streams(user, organisation, page, *, received):
    """The offer streams the list follows: received, the organisation's live offers
    (a new interest may come to any of them); sent, the offers on this page whose
    stream the sender may still follow."""
    if organisation is None:
        return ""
    if received:
        offers = TechnologyOffer.objects.filter(
            permissions.live_offers_condition(), organisation=organisation
        ).order_by("-published_at", "-pk")[:LIVE_OFFERS_FOLLOWED]
    else:
        offers = [interest.offer for interest in page.object_list]
    return permissions.followed_offer_streams(user, offers)


@login_required
@require_safe
def interest_received(request):
    """Interests received by my organisation's offers."""
    return _interest_list(request, received=True)


@login_required
@require_safe
def interest_sent(request):
    """Interests my organisation sent."""
    return _interest_list(request, received=False)


def _history(interest):
    """The interest's steps, each with its status's label."""
    changes = list(
        interest.status_changes.select_related("actor").order_by("created_at", "pk")
    )
    for change in changes:
        change.label = ExpressionOfInterest.Status(change.status).label
    return changes


def _interest_context(request, interest, decision_form=None):
    user = request.user
    return {
        "interest": interest,
        "offer": interest.offer,
        "history": _history(interest),
        "can_decide": permissions.can_decide_interest(user, interest),
        "can_withdraw": permissions.can_withdraw_interest(user, interest),
        "decision_form": decision_form or DecisionForm(),
        "is_sent": interest.status == interest.Status.SENT,
        # Its steps are recorded on its offer's stream, while this viewer may follow it.
        "live_streams": permissions.followed_offer_streams(user, [interest.offer]),
        "live_url": interest.get_absolute_url(),
    }


@login_required
@require_safe
def interest_detail(request, pk):
    """An interest: the answers, its steps and messages, and the decisions."""
    interest = permissions.access_interest(request.user, pk)
    return fragment_or_page(
        request,
        "innovation/offers/interest_detail.html",
        "innovation/offers/interest_detail_live.html",
        _interest_context(request, interest),
    )


_DECISIONS = {
    "review": (
        interest_services.interest_review,
        lambda: _("The interest is under review."),
    ),
    "decline": (
        interest_services.interest_decline,
        lambda: _("The interest was declined."),
    ),
    "accept": (
        interest_services.interest_accept,
        lambda: _(
            "The interest was accepted: a workspace is open for both organisations."
        ),
    ),
}


@login_required
@require_POST
def interest_decide(request, pk):
    """Mark under review, decline or accept, with a message (owner admins)."""
    interest = permissions.access_interest(request.user, pk)
    permissions.require_decide_interest(request.user, interest)
    form = DecisionForm(request.POST)
    if form.is_valid():
        service, done = _DECISIONS[form.cleaned_data["action"]]
        try:
            service(
                actor=request.user,
                interest=interest,
                message=form.cleaned_data["message"],
            )
        except ValidationError as error:
            form_add_errors(form, error)
        else:
            messages.success(request, done())
            return redirect(interest)
    return render(
        request,
        "innovation/offers/interest_detail.html",
        _interest_context(request, interest, form),
        status=400,
    )


@login_required
@require_POST
def interest_withdraw(request, pk):
    interest = permissions.access_interest(request.user, pk)
    interest_services.interest_withdraw(actor=request.user, interest=interest)
    messages.success(request, _("Your interest was withdrawn."))
    return redirect(interest)


__all__ = [
    "interest_decide", "interest_detail", "interest_received", "interest_send",
    "interest_sent", "interest_withdraw", "offer_create", "offer_detail", "offer_edit",
    "offer_list", "offer_mine", "offer_renew", "offer_submit", "offer_withdraw",
]  # fmt: skip
