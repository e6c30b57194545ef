"""Views for organisations: directory, profile, create/edit and affiliations."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import permissions
from ..forms.organisations import (
    AffiliationRequestForm,
    OrganisationFilterForm,
    OrganisationForm,
)
from ..models import Affiliation
from ..queries import organisations as organisation_queries
from ..services import organisations as organisation_services
from .feedback import flash_errors, flash_form_errors

NAV = {"nav_section": "organisations"}


def _add_service_errors(form, error):
    """Show a service's ValidationError on the form (unknown fields as general errors)."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def organisation_list(request):
    """The directory: filter by kind, tag and city, search name and description."""
    cities = organisation_queries.organisation_cities()
    form = OrganisationFilterForm(request.GET or None, cities=cities)
    filters = form.filters()
    paginator = Paginator(
        organisation_queries.organisation_directory(**filters), settings.DIRECTORY_PAGE_SIZE
    )
    page_obj = paginator.get_page(request.GET.get("page"))
    without_tag = request.GET.copy()
    for key in ("tag", "page"):
        without_tag.pop(key, None)
    context = {
        **NAV,
        "without_tag": without_tag.urlencode(),
        "form": form,
        "filters": filters,
        "is_filtered": any(filters.values()),
        "active_tag": organisation_queries.organisation_tag(filters["tag"]),
        "page_obj": page_obj,
        "organisations": page_obj.object_list,
        "contactable": permissions.organisations_contactable(
            request.user, page_obj.object_list
        ),
        # Visitors see the way in too: the form asks them to log in first.
        "can_create": not request.user.is_authenticated
        or permissions.can_create_organisation(request.user),
    }
    return render(request, "community/organisation_list.html", context)


def organisation_detail(request, slug):
    """An organisation's public profile, its members and (for its admins) requests."""
    user = request.user
    organisation = permissions.access_organisation(user, slug)
    can_decide = permissions.can_decide_affiliations(user, organisation)
    members_page = Paginator(
        organisation_queries.organisation_members(organisation), settings.DIRECTORY_PAGE_SIZE
    ).get_page(request.GET.get("page"))
    current = None
    if user.is_authenticated and user.organisation_id not in (None, organisation.pk):
        current = user.organisation
    context = {
        **NAV,
        "organisation": organisation,
        "competences": sorted(
            organisation.competences.all(), key=lambda t: t.name.casefold()
        ),
        "interests": sorted(
            organisation.interests.all(), key=lambda t: t.name.casefold()
        ),
        "page_obj": members_page,
        "members": members_page.object_list,
        "pending": (
            list(organisation_queries.organisation_pending_affiliations(organisation))
            if can_decide
            else []
        ),
        "affiliation": permissions.affiliation_of(user, organisation),
        "is_member": permissions.is_organisation_member(user, organisation),
        "is_last_admin": permissions.is_last_organisation_admin(user, organisation),
        "can_edit": permissions.can_edit_organisation(user, organisation),
        "can_contact": permissions.can_contact_organisation(user, organisation),
        "can_decide": can_decide,
        "can_manage_roles": permissions.can_manage_organisation_roles(
            user, organisation
        ),
        # The last admin keeps the role (the one last-admin rule).
        "can_remove_admin": permissions.can_remove_organisation_admin(
            user, organisation
        ),
        "can_request": permissions.can_request_affiliation(user, organisation),
        "can_leave": permissions.can_leave_organisation(user, organisation),
        "can_withdraw": permissions.can_withdraw_affiliation(user, organisation),
        "needs_verification": permissions.needs_verification(user),
        "current_organisation": current,
        "request_form": AffiliationRequestForm(),
        "Role": Affiliation.Role,
        "State": Affiliation.State,
    }
    return render(request, "community/organisation_detail.html", context)


@login_required
def organisation_create(request):
    """Create an organisation (verified users); the creator becomes its admin."""
    if not permissions.can_create_organisation(request.user):
        return render(
            request,
            "community/organisation_verify_email.html",
            NAV,
            status=403,
        )
    form = OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            organisation = organisation_services.organisation_create(
                actor=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            _add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("%(name)s is on Crocevia, and you are its administrator.")
                % {"name": organisation.name},
            )
            return redirect(organisation)
    return render(
        request,
        "community/organisation_form.html",
        {**NAV, "form": form, "organisation": None},
    )


@login_required
def organisation_edit(request, slug):
    """Edit the profile (organisation admins and site staff)."""
    organisation = permissions.access_organisation(request.user, slug)
    permissions.require_edit_organisation(request.user, organisation)
    if request.method == "POST":
        form = OrganisationForm(request.POST)
        if form.is_valid():
            try:
                organisation_services.organisation_update(
                    actor=request.user, organisation=organisation, **form.cleaned_data
                )
            except ValidationError as error:
                _add_service_errors(form, error)
                # The failed save may have changed the object in memory: reload it.
                organisation.refresh_from_db()
            else:
                messages.success(request, _("The profile has been saved."))
                return redirect(organisation)
    else:
        form = OrganisationForm(initial=OrganisationForm.initial_for(organisation))
    return render(
        request,
        "community/organisation_form.html",
        {**NAV, "form": form, "organisation": organisation},
    )


@login_required
@require_POST
def affiliation_request(request, slug):
    """Ask to join the organisation, with an optional message to its admins."""
    organisation = permissions.access_organisation(request.user, slug)
    form = AffiliationRequestForm(request.POST)
    if not form.is_valid():
        flash_form_errors(request, form)
        return redirect(organisation)
    try:
        organisation_services.affiliation_request(
            actor=request.user,
            organisation=organisation,
            message=form.cleaned_data["message"],
        )
    except ValidationError as error:
        flash_errors(request, error)
    else:
        messages.success(
            request,
            _("Your request has been sent to the administrators of %(name)s.")
            % {"name": organisation.name},
        )
    return redirect(organisation)


@login_required
@require_POST
def affiliation_decide(request, slug, pk):
    """Approve or decline a request to join (organisation admins and site staff)."""
    organisation = permissions.access_organisation(request.user, slug)
    affiliation = permissions.access_affiliation(request.user, organisation, pk)
    decision = request.POST.get("decision")
    if decision not in ("approve", "decline"):
        return HttpResponseBadRequest(_("Choose approve or decline."))
    service = (
        organisation_services.affiliation_approve
        if decision == "approve"
        else organisation_services.affiliation_decline
    )
    try:
        service(actor=request.user, affiliation=affiliation)
    except ValidationError as error:
        flash_errors(request, error)
    else:
        if decision == "approve":
            text = _("%(person)s is now a member of %(name)s.")
        else:
            text = _("The request of %(person)s has been declined.")
        messages.success(
            request,
            text % {"person": affiliation.user.name, "name": organisation.name},
        )
    return redirect(reverse("community:organisation-detail", args=[slug]) + "#requests")


@login_required
@require_POST
def affiliation_role(request, slug, pk):
    """Make a member an administrator, or an administrator a member again."""
    organisation = permissions.access_organisation(request.user, slug)
    affiliation = permissions.access_affiliation(request.user, organisation, pk)
    role = request.POST.get("role")
    try:
        organisation_services.affiliation_set_role(
            actor=request.user, affiliation=affiliation, role=role
        )
    except ValidationError as error:
        flash_errors(request, error)
    else:
        if role == Affiliation.Role.ADMIN:
            text = _("%(person)s is now an administrator of %(name)s.")
        else:
            text = _("%(person)s is no longer an administrator of %(name)s.")
        messages.success(
            request,
            text % {"person": affiliation.user.name, "name": organisation.name},
        )
    return redirect(reverse("community:organisation-detail", args=[slug]) + "#members")


@login_required
@require_POST
def organisation_leave(request, slug):
    """Leave the organisation, or withdraw a pending request to join it."""
    organisation = permissions.access_organisation(request.user, slug)
    try:
        state = organisation_services.affiliation_leave(
            actor=request.user, organisation=organisation
        )
    except ValidationError as error:
        flash_errors(request, error)
    else:
        if state == Affiliation.State.PENDING:
            text = _("Your request to join %(name)s has been withdrawn.")
        else:
            text = _("You have left %(name)s.")
        messages.success(request, text % {"name": organisation.name})
    return redirect(organisation)


urlpatterns = [
    path("o/", organisation_list, name="organisation-list"),
    path("o/new/", organisation_create, name="organisation-create"),
    path("o/<slug:slug>/", organisation_detail, name="organisation-detail"),
    path("o/<slug:slug>/edit/", organisation_edit, name="organisation-edit"),
    path("o/<slug:slug>/join/", affiliation_request, name="affiliation-request"),
    path(
        "o/<slug:slug>/affiliations/<int:pk>/",
        affiliation_decide,
        name="affiliation-decide",
    ),
    path(
        "o/<slug:slug>/affiliations/<int:pk>/role/",
        affiliation_role,
        name="affiliation-role",
    ),
    path("o/<slug:slug>/leave/", organisation_leave, name="organisation-leave"),
]
