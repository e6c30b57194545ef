"""Match suggestions: /innovation/suggestions/ (one tab per kind, each card with why
it is suggested and a "Not relevant" button) and the dismiss/restore actions, which
work as plain forms and answer JSON to the page's script."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from community.models import Organisation

from ..anonymity import seekers_shown
from ..matching import fulltext
from ..models import Challenge, DismissedSuggestion, FundingCall, TechnologyOffer
from ..permissions import suggestions_organisation
from ..services import suggestions as services

Kind = DismissedSuggestion.Kind
PER_PAGE = 10
SHOWN = 50  # suggestions kept of each kind (the rest score too low to matter)

TABS = [
    ("challenges", Kind.CHALLENGE, gettext_lazy("Challenges")),
    ("offers", Kind.OFFER, gettext_lazy("Technology offers")),
    ("organisations", Kind.ORGANISATION, gettext_lazy("Organisations")),
    ("calls", Kind.FUNDING_CALL, gettext_lazy("Funding calls")),
]
EMPTY = {
    Kind.CHALLENGE: gettext_lazy(
        "No open challenge of another organisation matches your competences and "
        "interests yet."
    ),
    Kind.OFFER: gettext_lazy(
        "No published technology offer matches your competences and interests yet."
    ),
    Kind.ORGANISATION: gettext_lazy(
        "No organisation on the other side (firms for research bodies, universities "
        "and research centres for firms) shares your competences and interests yet."
    ),
    Kind.FUNDING_CALL: gettext_lazy(
        "No open funding call your kind of organisation may apply to matches you yet."
    ),
}


def _url(item):
    try:
        return item.get_absolute_url()
    except (AttributeError, NoReverseMatch):
        return getattr(item, "link", "") or ""


def _card(suggestion, seekers):
    item = suggestion.object
    card = {"suggestion": suggestion, "url": _url(item), "title": str(item)}
    if isinstance(item, Challenge):
        card.update(by=seekers[item.pk], summary=item.summary, deadline=item.deadline)
    elif isinstance(item, TechnologyOffer):
        card.update(
            by=item.organisation.name, summary=item.summary, trl=item.trl,
            ip=item.get_ip_status_display(),
        )
    elif isinstance(item, Organisation):
        card.update(by=item.get_kind_display(), summary=item.description)
    elif isinstance(item, FundingCall):
        card.update(summary=item.body, deadline=item.deadline, link=item.link)
    return card


def _wants_json(request):
    return "application/json" in request.headers.get("Accept", "")


@login_required
def suggestion_list(request):
    organisation = suggestions_organisation(request.user)
    if organisation is None:
        return render(
            request, "innovation/suggestions/list.html",
            {"organisation": None, "nav_section": "innovation"}, status=403,
        )
    found = fulltext.suggestions(organisation, limit=SHOWN)
    current = request.GET.get("tab", "challenges")
    if current not in {slug for slug, _kind, _label in TABS}:
        current = "challenges"
    tabs = []
    for slug, kind, label in TABS:
        tabs.append({
            "slug": slug, "kind": kind, "label": label, "count": len(found[kind]),
            "url": "?" + urlencode({"tab": slug}), "current": slug == current,
        })
    tab = next(t for t in tabs if t["current"])
    page = Paginator(found[tab["kind"]], PER_PAGE).get_page(request.GET.get("page"))
    dismissed = DismissedSuggestion.objects.filter(
        organisation=organisation, kind=tab["kind"]
    ).order_by("-dismissed_at")[:20]
    seekers = seekers_shown(
        [s.object for s in page.object_list if isinstance(s.object, Challenge)],
        request.user,
    )
    return render(
        request,
        "innovation/suggestions/list.html",
        {
            "organisation": organisation,
            "tabs": tabs,
            "tab": tab,
            "page_obj": page,
            "cards": [_card(s, seekers) for s in page.object_list],
            "empty": EMPTY[tab["kind"]],
            "dismissed": _dismissed_rows(dismissed),
            "nav_section": "innovation",
        },
    )


def _dismissed_rows(dismissals):
    models = {
        Kind.CHALLENGE: Challenge, Kind.OFFER: TechnologyOffer,
        Kind.ORGANISATION: Organisation, Kind.FUNDING_CALL: FundingCall,
    }
    dismissals = list(dismissals)
    rows = []
    by_kind = {}
    for dismissal in dismissals:
        by_kind.setdefault(dismissal.kind, []).append(dismissal.object_id)
    titles = {}
    for kind, ids in by_kind.items():
        for item in models[kind].objects.filter(pk__in=ids).select_related(
            *(["organisation"] if kind == Kind.CHALLENGE else [])
        ):
            titles[(kind, item.pk)] = str(item)
    for dismissal in dismissals:
        title = titles.get((dismissal.kind, dismissal.object_id))
        if title is not None:
            rows.append({"dismissal": dismissal, "title": title})
    return rows


def _back(request):
    tab = request.POST.get("tab", "")
    url = reverse("innovation:suggestions")
    return redirect(f"{url}?{urlencode({'tab': tab})}" if tab else url)


@login_required
@require_POST
def suggestion_dismiss(request):
    kind, object_id = request.POST.get("kind", ""), request.POST.get("object_id", "")
    try:
        services.suggestion_dismiss(actor=request.user, kind=kind, object_id=object_id)
    except (PermissionDenied, ValidationError) as error:
        text = " ".join(getattr(error, "messages", [str(error)]))
        if _wants_json(request):
            return JsonResponse({"error": text}, status=400)
        messages.error(request, text)
        return _back(request)
    text = _("Marked not relevant: it will not be suggested again, and similar "
             "suggestions rank lower.")
    if _wants_json(request):
        return JsonResponse({"message": text})
    messages.success(request, text)
    return _back(request)


@login_required
@require_POST
def suggestion_restore(request):
    kind, object_id = request.POST.get("kind", ""), request.POST.get("object_id", "")
    try:
        services.suggestion_restore(actor=request.user, kind=kind, object_id=object_id)
    except (PermissionDenied, ValidationError) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
        return _back(request)
    messages.success(request, _("It may be suggested again."))
    return _back(request)


urlpatterns = [
    path("suggestions/", suggestion_list, name="suggestions"),
    path("suggestions/dismiss/", suggestion_dismiss, name="suggestion-dismiss"),
    path("suggestions/restore/", suggestion_restore, name="suggestion-restore"),
]
